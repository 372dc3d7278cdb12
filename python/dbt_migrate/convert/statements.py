"""Statement-level decisions: which of a writer's statements the conversion reads, and as what.

- A statement upstream marked ``skip`` never makes a procedure unconvertible: a construct the body
  scan finds (``EXEC`` of a procedure, dynamic SQL) that is one of the skipped statements is not a
  finding.
- Dynamic SQL whose text is a compile-time constant is plain SQL: ``EXEC sp_executesql N'...'``,
  ``EXEC (N'...')`` or ``EXEC sp_executesql @sql`` where ``@sql`` was built from string literals and
  variables that hold literals (``DECLARE @v ... = N'...'``, ``SET @sql = N'...' + @v``, evaluated in
  statement order) is replaced by the statements the string holds. SQL built at run time (from a
  column, a parameter, a query) stays dynamic SQL, for the LLM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from ..names import normalize_name
from .derive import NotConvertible, _table_key
from .scan import Finding
from .scd import _update_close

# Upstream routing reasons that name one kind of statement: resolved when such a statement is
# there and was dealt with (skipped, or constant dynamic SQL); the others (loops, TRY/CATCH) are the
# procedure's control flow, and a reason no statement explains stays.
DYNAMIC_REASONS = ("dynamic_sql",)
EXEC_REASONS = ("static_exec", "exec_procedure")


class StatementLike(Protocol):
    @property
    def action(self) -> str: ...

    @property
    def sql(self) -> str: ...


@dataclass(frozen=True)
class Expanded:
    statements: list[str]  # the migrate statements, constant dynamic SQL replaced by what it runs
    dynamic: int = 0  # how many dynamic SQL statements were constant


def _flat(text: str) -> str:
    return " ".join(text.lower().replace(" .", ".").replace(". ", ".").split()).rstrip(";")


def skipped(finding: Finding, statements: Iterable[StatementLike]) -> bool:
    """The finding is a statement upstream marked ``skip``."""
    snippet = _flat(finding.snippet)
    return any(s.action == "skip" and _flat(s.sql).startswith(snippet) for s in statements)


def _string(node: exp.Expr | None, strings: dict[str, str | None]) -> str | None:
    """The value of a constant string expression (literals, ``+``, variables holding literals)."""
    if isinstance(node, exp.National) or (isinstance(node, exp.Literal) and node.is_string):
        return str(node.this)
    if isinstance(node, exp.Paren):
        return _string(node.this, strings)
    if isinstance(node, (exp.Add, exp.DPipe)):
        left, right = _string(node.this, strings), _string(node.expression, strings)
        return None if left is None or right is None else left + right
    if isinstance(node, exp.Parameter):
        return strings.get(node.name.lstrip("@").lower())
    return None


def _exec_text(sql: str, tree: exp.Expr | None, strings: dict[str, str | None], dialect: str) -> str | None:
    """The SQL an ``EXEC`` runs when it is a constant; None for anything else."""
    if isinstance(tree, exp.ExecuteSql):
        if len(tree.expressions) != 1:
            return None  # parameters bound at run time
        return _string(tree.expressions[0], strings)
    tokens = sqlglot.tokenize(sql, read=dialect)
    if len(tokens) >= 4 and tokens[1].token_type == TokenType.L_PAREN and tokens[-1].token_type == TokenType.R_PAREN:
        inner = sql[tokens[1].end + 1 : tokens[-1].start]
        try:
            return _string(sqlglot.parse_one(inner, read=dialect), strings)
        except sqlglot.errors.SqlglotError:
            return None
    return None


def _is_dynamic(sql: str, tree: exp.Expr | None, dialect: str) -> bool:
    """``EXEC sp_executesql ...`` or ``EXEC (...)``: SQL run from a string."""
    if isinstance(tree, exp.ExecuteSql):
        return True
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except sqlglot.errors.TokenError:
        return False
    return (
        len(tokens) > 1 and tokens[0].text.upper() in ("EXEC", "EXECUTE") and tokens[1].token_type == TokenType.L_PAREN
    )


def _parse(sql: str, dialect: str) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return None


def _assignments(tree: exp.Expr | None) -> list[tuple[str, exp.Expr | None]]:
    """``DECLARE @v ... = x`` / ``SET @v = x`` / ``SELECT @v = x ...``: (name, value) pairs (value
    None when it is only known at run time)."""
    out: list[tuple[str, exp.Expr | None]] = []
    if isinstance(tree, exp.Declare):
        for item in tree.expressions:
            names = item.this if isinstance(item.this, list) else [item.this]
            default = item.args.get("default")
            for n in names:
                if isinstance(n, exp.Parameter):
                    out.append((n.name.lower(), default if isinstance(default, exp.Expr) else None))
    elif isinstance(tree, exp.Set):
        for item in tree.expressions:
            eq = item.this if isinstance(item, exp.SetItem) else None
            if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Parameter):
                out.append((eq.this.name.lower(), eq.expression))
    elif isinstance(tree, exp.Select):  # SELECT @v = <expr> FROM ...: a value read from rows
        for projection in tree.expressions:
            if isinstance(projection, exp.EQ) and isinstance(projection.this, exp.Parameter):
                out.append((projection.this.name.lower(), None))  # known only at run time
    return out


def expand(statements: Sequence[StatementLike], dialect: str) -> Expanded:
    """The migrate statements the conversion reads; ``NotConvertible`` for dynamic SQL built at run time."""
    strings: dict[str, str | None] = {}
    out: list[str] = []
    dynamic = 0
    for st in statements:
        tree = _parse(st.sql, dialect)
        assigned = _assignments(tree)
        for name, value in assigned:
            strings[name] = _string(value, strings)
        if st.action != "migrate":
            if isinstance(tree, exp.Declare):
                out.append(st.sql)  # a declaration (of a constant the statements read), whatever its action
            continue
        if isinstance(tree, exp.Set) and assigned:
            continue  # a variable's value: folded into the statements that read it
        if _is_dynamic(st.sql, tree, dialect):
            text = _exec_text(st.sql, tree, strings, dialect)
            if text is None:
                raise NotConvertible("dynamic SQL", f"{' '.join(st.sql.split())[:80]} is built at run time")
            try:
                out += [t.sql(dialect) for t in sqlglot.parse(text, read=dialect) if t is not None]
            except sqlglot.errors.SqlglotError as exc:
                raise NotConvertible("dynamic SQL", f"the constant string does not parse: {exc}") from exc
            dynamic += 1
            continue
        out.append(st.sql)
    return Expanded(out, dynamic)


def target_write_types(statements: Sequence[StatementLike], target: str, dialect: str) -> list[str]:
    """The statement types (``insert``, ``merge``, ``update``, ...) of the migrate statements that
    write ``target``: an UPDATE of an input table before the load is not an upsert of the target."""
    key = normalize_name(target)
    out = []
    for st in statements:
        tree = _parse(st.sql, dialect) if st.action == "migrate" else None
        if isinstance(tree, exp.Update):
            writes = _update_close(tree, key) is not None
        elif isinstance(tree, (exp.Insert, exp.Merge, exp.Delete, exp.TruncateTable)):
            table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            writes = isinstance(table, exp.Table) and _table_key(table) == key
        else:
            writes = tree is not None and not isinstance(tree, (exp.Declare, exp.Set))
        if writes:
            out.append(type(tree).__name__.lower())
    return out


def unresolved_routing(
    reasons: Sequence[str], statements: Sequence[StatementLike], expanded: Expanded, dialect: str
) -> list[str]:
    """The upstream routing reasons this conversion has not dealt with: ``dynamic_sql*`` stays
    unless constant dynamic SQL was expanded or a dynamic statement is skipped; ``static_exec`` /
    ``exec_procedure`` unless an EXEC is skipped."""
    skipped_dynamic = skipped_exec = False
    for st in statements:
        if st.action != "skip":
            continue
        tree = _parse(st.sql, dialect)
        if _is_dynamic(st.sql, tree, dialect):
            skipped_dynamic = True
        elif isinstance(tree, (exp.Execute, exp.Command)) and st.sql.lstrip().upper().startswith("EXEC"):
            skipped_exec = True
    resolved: tuple[str, ...] = ()
    if expanded.dynamic or skipped_dynamic:
        resolved += DYNAMIC_REASONS
    if skipped_exec:
        resolved += EXEC_REASONS
    return [r for r in reasons if not (resolved and r.startswith(resolved))]
