"""One procedure read statement by statement: what each writes and reads, and whether the model
is made from it (``action``), with the reason in one line.

- ``migrate``: a write of rows to a persistent table, a ``#temp`` / ``@table`` the load reads (the
  conversion makes it a CTE), a ``DECLARE`` of a value the statements read (inlined), an ``EXEC``
  that runs SQL or another procedure's load.
- ``skip``: ``SET`` (session options, variable assignments), transactions, ``RETURN``/``PRINT``/
  ``THROW``, cursor plumbing, temp-table housekeeping (``CREATE``/``DROP``/``TRUNCATE`` of ``#t``), a
  bare ``SELECT`` returning rows to the caller, and bookkeeping: writes of lineage, cutoff, watermark,
  log or audit tables (by the table's name), or of run state alone (clock functions, variables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import sqlglot
from sqlglot import exp
from sqlglot.dialects.tsql import TSQL
from sqlglot.tokens import TokenType

from ..convert.derive import _staging_name
from .model import SqlObject
from .statements import RawStatement

DIALECT = "tsql"
# Statements recognised by their first keyword alone (sqlglot reads them as opaque commands).
_NOT_DATA = {
    "RETURN": "returns a status code to the caller",
    "PRINT": "prints a message",
    "RAISERROR": "raises an error",
    "THROW": "raises an error",
    "BREAK": "control flow",
    "CONTINUE": "control flow",
    "GOTO": "control flow",
    "WAITFOR": "waits",
    "OPEN": "cursor plumbing",
    "FETCH": "cursor plumbing",
    "CLOSE": "cursor plumbing",
    "DEALLOCATE": "cursor plumbing",
    "COMMIT": "transaction control",
    "ROLLBACK": "transaction control",
    "SAVE": "transaction control",
    "BEGIN": "transaction control",
    "USE": "changes the database context",
}
_TYPES = {"BEGIN": "Transaction", "COMMIT": "Commit", "ROLLBACK": "Rollback"}  # sqlglot's class names
_STATE_WORDS = {"lineage", "cutoff", "watermark", "watermarks", "checkpoint"}
_LOG_WORDS = {"log", "logs", "audit"}
_BOOKKEEPING_SCHEMAS = {"log", "logs", "audit"}
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_RUN_STATE_FUNCTIONS = {
    "GETDATE", "SYSDATETIME", "SYSUTCDATETIME", "GETUTCDATE", "SYSDATETIMEOFFSET", "CURRENT_TIMESTAMP",
    "ERROR_MESSAGE", "ERROR_NUMBER", "ERROR_LINE", "ERROR_PROCEDURE", "ERROR_SEVERITY", "ERROR_STATE",
    "OBJECT_NAME", "SUSER_SNAME", "SUSER_NAME", "USER_NAME", "HOST_NAME", "APP_NAME", "NEWID",
}  # fmt: skip


def words(name: str) -> list[str]:
    """``ETL Cutoff`` / ``etl_cutoff`` / ``EtlCutoff`` -> ["etl", "cutoff"]."""
    return [w.lower() for w in _WORDS.findall(name)]


def is_bookkeeping_table(schema: str, name: str, rows_of_data: bool = False) -> bool:
    """Named as lineage, cutoff, watermark or checkpoint state; or as a log or audit table, unless
    the write loads rows of data into it (``INSERT ... SELECT``, ``MERGE``: a web log can be a fact)
    or the table is named as a fact or a dimension."""
    found = set(words(name))
    if found & _STATE_WORDS:
        return True
    if rows_of_data or found & {"fact", "facts", "dim", "dimension"}:
        return False
    return bool(found & _LOG_WORDS) or schema.lower() in _BOOKKEEPING_SCHEMAS


@dataclass(frozen=True)
class TableName:
    schema: str  # as written ("" when unqualified)
    name: str
    database: str = ""
    server: str = ""

    @cached_property
    def key(self) -> str:
        return f"{(self.schema or 'dbo').lower()}.{self.name.lower()}"

    @property
    def written(self) -> str:
        """How the procedure names it (what the conversion's recognisers compare with)."""
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass
class Analysed:
    """One statement of a procedure."""

    index: int
    raw: RawStatement
    tree: exp.Expr | None
    type: str
    action: str = "skip"
    rationale: str = ""
    written: TableName | None = None  # persistent table written
    write_kind: str | None = None  # insert, update, delete, merge, truncate, select_into
    temp: str | None = None  # #temp / @table written
    reads: list[TableName] = field(default_factory=list)
    functions: list[TableName] = field(default_factory=list)
    calls: TableName | None = None  # EXEC of a procedure
    dynamic: str | None = None  # "literal" / "variable" for EXEC of SQL text
    unparsed: str | None = None  # sqlglot's error for a data statement it cannot read

    @property
    def blocks(self) -> tuple[str, ...]:
        return self.raw.blocks


_TSQL = TSQL()


def parse(raw: RawStatement) -> tuple[exp.Expr | None, str | None]:
    """The statement's tree, from the tokens the split already made (tokenizing is half the cost)."""
    try:
        if raw.tokens:
            trees = [t for t in _TSQL.parser().parse(list(raw.tokens), raw.sql) if t is not None]
            tree = trees[0] if len(trees) == 1 else sqlglot.parse_one(raw.sql, read=DIALECT)
        else:
            tree = sqlglot.parse_one(raw.sql, read=DIALECT)
    except sqlglot.errors.SqlglotError as exc:
        return None, (str(exc).splitlines() or ["cannot be parsed"])[0]
    return tree, None


def _named_write(raw: RawStatement) -> TableName | None:
    """``UPDATE s.t`` / ``INSERT [INTO] s.t`` / ``DELETE [FROM] s.t`` / ``TRUNCATE TABLE s.t``: the
    schema-qualified table named right after the keyword, read from the tokens (None otherwise)."""
    toks = [t for t in raw.tokens if t.token_type != TokenType.SEMICOLON]
    i = 1
    while i < len(toks) and toks[i].text.upper() in ("INTO", "FROM", "TABLE"):
        i += 1
    parts: list[str] = []
    while i < len(toks):
        if toks[i].token_type not in (TokenType.VAR, TokenType.IDENTIFIER) and not toks[i].text.isidentifier():
            return None
        parts.append(toks[i].text)
        if i + 1 < len(toks) and toks[i + 1].token_type == TokenType.DOT:
            i += 2
            continue
        break
    return TableName(parts[-2], parts[-1]) if len(parts) == 2 else None


def table_name(table: exp.Table) -> TableName:
    return TableName(table.db, table.name, table.catalog, str(table.args.get("catalog_server") or ""))


def _written_table(tree: exp.Expr) -> tuple[exp.Table | None, str | None]:
    """The table a write statement writes, resolving ``UPDATE c ... FROM Schema.T AS c``."""
    if isinstance(tree, exp.Insert):
        node = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return (node if isinstance(node, exp.Table) else None), "insert"
    if isinstance(tree, exp.Merge):
        return (tree.this if isinstance(tree.this, exp.Table) else None), "merge"
    if isinstance(tree, exp.TruncateTable):
        first = tree.expressions[0] if tree.expressions else None
        return (first if isinstance(first, exp.Table) else None), "truncate"
    if isinstance(tree, exp.Select) and tree.args.get("into") is not None:
        node = tree.args["into"].this
        return (node if isinstance(node, exp.Table) else None), "select_into"
    if isinstance(tree, (exp.Update, exp.Delete)):
        node = tree.this
        kind = "update" if isinstance(tree, exp.Update) else "delete"
        if isinstance(node, exp.Table) and not node.db:
            alias = node.name.lower()
            for t in tree.find_all(exp.Table):
                if t is not node and t.db and t.alias_or_name.lower() == alias:
                    return t, kind
        return (node if isinstance(node, exp.Table) else None), kind
    return None, None


def _cte_names(tree: exp.Expr) -> set[str]:
    return {cte.alias.lower() for cte in tree.find_all(exp.CTE)}


def _reads(tree: exp.Expr, written: exp.Table | None) -> tuple[list[TableName], list[TableName]]:
    """Persistent tables (and table-valued functions) the statement reads."""
    ctes = _cte_names(tree)
    tables: list[TableName] = []
    functions: list[TableName] = []
    for t in tree.find_all(exp.Table):
        if t is written or _staging_name(t) is not None:
            continue
        if not t.db and (t.name.lower() in ctes or (written is not None and t.name.lower() == written.alias.lower())):
            continue
        if not isinstance(t.this, exp.Identifier):  # Schema.Function(args)
            fn = t.this
            functions.append(TableName(t.db, fn.name if isinstance(fn, exp.Func) else t.name))
            continue
        name = table_name(t)
        updated = tree.this if isinstance(tree, (exp.Update, exp.Delete)) else None
        if not t.db and isinstance(updated, exp.Table) and name.name.lower() == updated.name.lower():
            continue  # UPDATE c ... : the alias of the written table
        if name not in tables:
            tables.append(name)
    return tables, functions


def _run_state(node: exp.Expr) -> bool:
    """Only clock functions, session values, variables and constants (no column of any table)."""
    return node.find(exp.Column, exp.Select) is None


def _clock(node: exp.Expr) -> bool:
    for f in node.find_all(exp.Func):
        name = (f.name if isinstance(f, exp.Anonymous) else f.sql_name()).upper()
        if name in _RUN_STATE_FUNCTIONS or isinstance(f, (exp.CurrentTimestamp, exp.CurrentDate)):
            return True
    return False


def _records_run_state(tree: exp.Expr) -> bool:
    """A write of run state: an INSERT ... VALUES, or an UPDATE keyed by variables/constants, whose
    values are clock/session functions, variables and constants, at least one a function or variable."""
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Values):
        values = tree.expression
        has_state = values.find(exp.Parameter) is not None and _clock(values)  # (a loop's VALUES (@i) is data)
        return has_state and values.find(exp.Column) is None and values.find(exp.Select) is None
    if isinstance(tree, exp.Update) and not (tree.args.get("from_") or tree.args.get("from")):
        sets = [e.expression for e in tree.expressions if isinstance(e, exp.EQ)]
        where = tree.args.get("where")
        keyed = where is not None and where.find(exp.Select) is None  # one row, picked by constants or variables
        return bool(sets) and keyed and all(_run_state(s) for s in sets) and any(_clock(s) for s in sets)
    return False


def _exec(raw: RawStatement, tree: exp.Expr | None) -> tuple[TableName | None, str | None]:
    """An EXEC: the procedure it calls, or ``literal``/``variable`` dynamic SQL."""
    if isinstance(tree, exp.ExecuteSql):
        args = tree.expressions
        literal = len(args) == 1 and isinstance(args[0], (exp.National, exp.Literal))
        return None, "literal" if literal else "variable"
    if isinstance(tree, exp.Execute):
        target = tree.this
        if isinstance(target, exp.Subquery) or not isinstance(target, exp.Table):
            inner = target.this if isinstance(target, exp.Subquery) else target
            literal = isinstance(inner, (exp.National, exp.Literal))
            return None, "literal" if literal else "variable"
        if target.name.lower() == "sp_executesql":
            return None, "variable"
        return table_name(target), None
    return None, "variable" if re.match(r"\s*EXEC(UTE)?\s*\(", raw.sql, re.I) else None


def analyse_statement(index: int, raw: RawStatement) -> Analysed:
    head = raw.head
    if head in _NOT_DATA and not (head == "BEGIN" and "TRAN" not in raw.sql.upper()):
        a = Analysed(index, raw, None, _TYPES.get(head, "Command"))
        a.rationale = f"{_NOT_DATA[head]}: no rows of the target"
        return a
    if head == "DECLARE" and re.search(r"\bCURSOR\b", raw.sql, re.I):
        return Analysed(index, raw, None, "Command", rationale="cursor declaration: the loop over it is not a set")
    quick = _without_tree(index, raw)
    if quick is not None:
        return quick
    tree, error = parse(raw)
    a = Analysed(index, raw, tree, type(tree).__name__ if tree is not None else "Command")
    if tree is None:
        a.unparsed = error
        if head in ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "SELECT"):
            a.action = "migrate"
            a.rationale = f"a {head} sqlglot cannot read ({error}): kept for the LLM"
        else:
            a.rationale = f"{head or 'statement'} sqlglot cannot read; not a write"
        return a
    written, kind = _written_table(tree)
    a.reads, a.functions = _reads(tree, written)
    if written is not None:
        staging = _staging_name(written)
        if staging is not None:
            a.temp = staging
        else:
            a.written, a.write_kind = table_name(written), kind
    decide(a, tree)
    return a


def _without_tree(index: int, raw: RawStatement) -> Analysed | None:
    """Statements decided from their tokens alone (parsing is the analysis' main cost): session
    options and assignments, declarations without a query, writes of bookkeeping tables."""
    depth0 = [t for t in raw.tokens if t.token_type != TokenType.SEMICOLON]
    if raw.head == "SET" and len(depth0) > 1:
        assigns = depth0[1].token_type == TokenType.PARAMETER
        what = "a variable assignment (read where it is used)" if assigns else "a session option"
        return Analysed(index, raw, None, "Set", rationale=f"{what}: no rows of the target")
    if raw.head == "DECLARE" and not any(t.token_type == TokenType.SELECT for t in depth0):
        valued = any(t.token_type == TokenType.EQ for t in depth0)
        if valued:
            return Analysed(
                index, raw, None, "Declare", "migrate", "declares a value the load reads: the conversion inlines it"
            )
        return Analysed(index, raw, None, "Declare", rationale="declares a variable without a value: no rows")
    if raw.head in ("UPDATE", "INSERT", "DELETE", "TRUNCATE", "MERGE"):
        name = _named_write(raw)
        data = raw.head == "MERGE" or any(t.token_type == TokenType.SELECT for t in depth0)
        if name is not None and is_bookkeeping_table(name.schema, name.name, rows_of_data=data):
            kind = "TruncateTable" if raw.head == "TRUNCATE" else raw.head.capitalize()
            why = f"bookkeeping: {name.written} records lineage/cutoff/log state, not rows of a target"
            return Analysed(index, raw, None, kind, rationale=why, written=name, write_kind=raw.head.lower())
    return None


def decide(a: Analysed, tree: exp.Expr) -> None:
    if isinstance(tree, (exp.Set, exp.Transaction, exp.Commit, exp.Rollback)):
        what = "a variable assignment (read where it is used)" if tree.find(exp.Parameter) else "a session option"
        if not isinstance(tree, exp.Set):
            what = "transaction control"
        a.rationale = f"{what}: no rows of the target"
    elif isinstance(tree, exp.Declare):
        valued = any(isinstance(item.args.get("default"), exp.Expr) for item in tree.expressions)
        a.action = "migrate" if valued else "skip"
        a.rationale = (
            "declares a value the load reads: the conversion inlines it"
            if valued
            else "declares a variable without a value: no rows"
        )
    elif a.temp is not None:
        if a.write_kind is None and isinstance(tree, exp.TruncateTable):
            a.rationale = f"temp-table housekeeping (#{a.temp})"
        else:
            a.action = "migrate"
            a.rationale = f"fills #{a.temp}, which later statements read: it becomes a CTE"
    elif isinstance(tree, (exp.Create, exp.Drop, exp.Alter)) or tree.key in ("createindex", "altertable"):
        temp = any(_staging_name(t) is not None for t in tree.find_all(exp.Table))
        a.rationale = "temp-table housekeeping" if temp else "DDL at run time: the model owns the table's shape"
    elif a.written is not None:
        decide_write(a, tree)
    elif isinstance(tree, (exp.Execute, exp.ExecuteSql)) or (
        isinstance(tree, exp.Command) and a.raw.head in ("EXEC", "EXECUTE")
    ):
        a.calls, a.dynamic = _exec(a.raw, tree)
        a.action = "migrate"
        if a.dynamic:
            a.rationale = f"runs dynamic SQL ({'a constant string' if a.dynamic == 'literal' else 'built at run time'})"
        elif a.calls is not None and (a.calls.name.lower().startswith("sp_") or is_bookkeeping_table("", a.calls.name)):
            a.action, a.rationale = (
                "skip",
                f"calls {a.calls.written} (system or logging procedure): no rows of the target",
            )
        else:
            a.rationale = f"calls {a.calls.written if a.calls else 'a procedure'}: its writes are its own"
    elif isinstance(tree, exp.Select):
        assigns = any(isinstance(p, exp.EQ) and isinstance(p.this, exp.Parameter) for p in tree.expressions)
        a.rationale = "assigns variables from a query" if assigns else "returns rows to the caller; writes nothing"
    else:
        a.rationale = f"{a.type}: not a write of rows"


def _loads_rows(tree: exp.Expr) -> bool:
    """An INSERT ... SELECT, a MERGE, a SELECT ... INTO: rows read from tables."""
    if isinstance(tree, exp.Insert):
        return isinstance(tree.expression, exp.Query) and tree.expression.find(exp.Table) is not None
    return isinstance(tree, (exp.Merge, exp.Select))


def decide_write(a: Analysed, tree: exp.Expr) -> None:
    assert a.written is not None
    name = a.written
    if name.server or name.database:
        a.action = "migrate"
        a.rationale = f"writes {name.written} in another {'server' if name.server else 'database'}"
    elif is_bookkeeping_table(name.schema, name.name, rows_of_data=_loads_rows(tree)):
        a.rationale = f"bookkeeping: {name.written} records lineage/cutoff/log state, not rows of a target"
    elif _records_run_state(tree):
        a.rationale = f"bookkeeping: writes run state (clock, variables) into {name.written}"
    elif "catch" in a.blocks:
        a.action = "migrate"
        a.rationale = f"{a.write_kind} of {name.written} in a CATCH block: runs only when the load fails"
    else:
        a.action = "migrate"
        a.rationale = f"{a.write_kind} of {name.written}: rows of a persistent table"


def analyse_statements(obj: SqlObject, raws: list[RawStatement]) -> list[Analysed]:
    return [_guarded(i, raw) for i, raw in enumerate(raws)]


def _guarded(index: int, raw: RawStatement) -> Analysed:
    """One statement; a tree no rule expected (sqlglot reads odd text in odd ways) makes that
    statement unreadable, not the whole discovery."""
    try:
        return analyse_statement(index, raw)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        a = Analysed(index, raw, None, "Command", unparsed=f"not analysed ({type(exc).__name__}: {exc})")
        if raw.head in ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "SELECT", "TRUNCATE"):
            a.action = "migrate"
        a.rationale = f"a {raw.head or 'statement'} discover could not analyse: kept for the LLM"
        return a
