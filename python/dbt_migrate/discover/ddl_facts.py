"""DDL -> TableFacts: columns (type text as written, nullability, identity, default), primary and
unique keys, foreign keys; from CREATE TABLE, ALTER TABLE ... ADD CONSTRAINT, CREATE UNIQUE INDEX
and CREATE VIEW.

Tables are read from sqlglot's T-SQL tokens rather than its parse tree: SSDT scripts carry
storage clauses sqlglot's parser rejects (``ON [PS_Date] ([Date Key])`` partition schemes,
``TEXTIMAGE_ON``, index options), and the catalog wants each type as written (sqlglot would
print ``DECIMAL(18,2)`` as ``NUMERIC(18, 2)``). Views are parsed with sqlglot: their columns are
the SELECT's output names. Pure functions: tokens in, facts out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from .model import Column, ForeignKey, SqlObject, TableFacts, fqn_of
from .tokens import closing, column_list, keyword, read_name, schema_and_name, source_text, split_commas

# Words that end a column's type and start its options (compared on unquoted tokens).
_OPTION_WORDS = {
    "NOT", "NULL", "IDENTITY", "CONSTRAINT", "DEFAULT", "PRIMARY KEY", "UNIQUE", "REFERENCES", "CHECK",
    "COLLATE", "FOREIGN KEY", "ROWGUIDCOL", "SPARSE", "FILESTREAM", "MASKED", "GENERATED", "ENCRYPTED",
    "INDEX", "PERSISTED", "WITH",
}  # fmt: skip


@dataclass
class Constraint:
    """One table constraint read from a CREATE TABLE element or an ALTER TABLE ... ADD."""

    kind: str  # "primary" | "unique" | "foreign" | "other"
    columns: list[str]
    name: str | None = None
    ref_table: str | None = None
    ref_columns: list[str] = field(default_factory=list)


def read_constraint(tokens: list[Token]) -> Constraint:
    """``[CONSTRAINT name] PRIMARY KEY|UNIQUE [CLUSTERED] (cols) | FOREIGN KEY (cols) REFERENCES t (cols)``."""
    i, name = 0, None
    if tokens and keyword(tokens[0]) == "CONSTRAINT" and len(tokens) > 1:
        name, i = tokens[1].text, 2
    word = keyword(tokens[i]) if i < len(tokens) else ""
    if word in ("PRIMARY KEY", "UNIQUE"):
        j = i + 1
        while j < len(tokens) and tokens[j].token_type != TokenType.L_PAREN:
            j += 1  # CLUSTERED / NONCLUSTERED
        cols, _ = column_list(tokens, j)
        return Constraint("primary" if word == "PRIMARY KEY" else "unique", cols, name)
    if word == "FOREIGN KEY":
        cols, j = column_list(tokens, i + 1)
        if j < len(tokens) and keyword(tokens[j]) == "REFERENCES":
            parts, k = read_name(tokens, j + 1)
            ref_cols, _ = column_list(tokens, k)
            return Constraint("foreign", cols, name, fqn_of(*schema_and_name(parts)), ref_cols)
    return Constraint("other", [], name)


def _column(sql: str, tokens: list[Token], constraints: list[Constraint]) -> Column:
    """One column element: ``name type [options]`` (or a computed ``name AS (expr)``)."""
    name = tokens[0].text
    if len(tokens) > 1 and tokens[1].token_type == TokenType.ALIAS:
        return Column(name=name, type="", nullable=True, default=source_text(sql, tokens[2:]))
    i, depth = 1, 0
    while i < len(tokens):
        kind = tokens[i].token_type
        depth += kind == TokenType.L_PAREN
        depth -= kind == TokenType.R_PAREN
        if depth == 0 and keyword(tokens[i]) in _OPTION_WORDS:
            break
        i += 1
    type_text = " ".join(source_text(sql, tokens[1:i]).split()).lower()
    type_text = type_text.replace(" (", "(").replace(", ", ",").replace("[", "").replace("]", "")
    nullable, identity, default, named = True, False, None, None
    while i < len(tokens):
        word = keyword(tokens[i])
        if word == "NOT" and i + 1 < len(tokens) and keyword(tokens[i + 1]) == "NULL":
            nullable, i = False, i + 2
            continue
        if word == "IDENTITY":
            identity = True
        elif word == "CONSTRAINT" and i + 1 < len(tokens):
            named, i = tokens[i + 1].text, i + 2
            continue
        elif word == "DEFAULT":
            end = i + 1
            while end < len(tokens) and (end == i + 1 or keyword(tokens[end]) not in _OPTION_WORDS):
                end = closing(tokens, end) + 1 if tokens[end].token_type == TokenType.L_PAREN else end + 1
                if end <= 0:
                    end = len(tokens)
            default = _unwrap(source_text(sql, tokens[i + 1 : end]))
            identity = identity or "NEXT VALUE FOR" in " ".join(default.upper().split())
            i = end
            continue
        elif word in ("PRIMARY KEY", "UNIQUE"):
            # T-SQL reads `col INT NOT NULL CONSTRAINT pk PRIMARY KEY CLUSTERED (other)` (no comma)
            # as a table constraint on its own column list: SSDT writes WWI's Dimension.Date so
            j = i + 1
            while j < len(tokens) and keyword(tokens[j]) in ("CLUSTERED", "NONCLUSTERED"):
                j += 1
            listed, after = column_list(tokens, j)
            cols = listed or [name]
            if listed:
                i = after - 1
            constraints.append(Constraint("primary" if word == "PRIMARY KEY" else "unique", cols, named))
            nullable = nullable and not (word == "PRIMARY KEY" and name in cols)
        elif word == "REFERENCES":
            parts, j = read_name(tokens, i + 1)
            ref_cols, j = column_list(tokens, j)
            constraints.append(Constraint("foreign", [name], named, fqn_of(*schema_and_name(parts)), ref_cols))
            i = j
            continue
        i += 1
    return Column(name=name, type=type_text, nullable=nullable and not identity, identity=identity, default=default)


def _unwrap(text: str) -> str:
    text = " ".join(text.split())
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


def table_facts(obj: SqlObject, tokens: list[Token], start: int) -> TableFacts | None:
    """``CREATE TABLE name ( elements ) [storage]`` with ``tokens[start]`` at the name; None when
    the element list is not closed (the caller records a problem)."""
    _, i = read_name(tokens, start)
    if i >= len(tokens) or tokens[i].token_type != TokenType.L_PAREN:
        return None
    end = closing(tokens, i)
    if end < 0:
        return None
    columns: list[Column] = []
    constraints: list[Constraint] = []
    for element in split_commas(tokens[i + 1 : end]):
        word = keyword(element[0])
        if word in ("CONSTRAINT", "PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK", "INDEX", "PERIOD"):
            constraints.append(read_constraint(element))
        else:
            columns.append(_column(obj.sql, element, constraints))
    facts = TableFacts(obj.schema, obj.name, "table", columns, file=obj.file, line=obj.line)
    return apply_constraints(facts, constraints)


def apply_constraints(facts: TableFacts, constraints: list[Constraint]) -> TableFacts:
    """The table with these constraints added (a later PK replaces an earlier one; keys once)."""
    pk, pk_name = list(facts.primary_key), facts.primary_key_name
    uniques, unique_names = list(facts.unique_keys), list(facts.unique_key_names)
    fks = list(facts.foreign_keys)
    for c in constraints:
        if c.kind == "primary" and c.columns:
            pk, pk_name = c.columns, c.name
        elif c.kind == "unique" and c.columns and c.columns not in uniques:
            uniques.append(c.columns)
            unique_names.append(c.name)
        elif c.kind == "foreign" and c.ref_table:
            fks.append(ForeignKey(c.columns, c.ref_table, c.ref_columns, c.name))
    if pk:  # PK columns are NOT NULL
        keyed = {k.lower() for k in pk}
        cols = [replace(col, nullable=False) if col.name.lower() in keyed else col for col in facts.columns]
    else:
        cols = facts.columns
    return replace(
        facts, columns=cols, primary_key=pk, primary_key_name=pk_name, unique_keys=uniques,
        unique_key_names=unique_names, foreign_keys=fks,
    )  # fmt: skip


def alter_table_constraints(tokens: list[Token], start: int) -> tuple[str, list[Constraint]]:
    """``ALTER TABLE name [WITH CHECK] ADD [CONSTRAINT x] ..., ...`` -> (table fqn, constraints)."""
    parts, i = read_name(tokens, start)
    while i < len(tokens) and keyword(tokens[i]) != "ADD":
        i += 1
    elements = split_commas(tokens[i + 1 :]) if i < len(tokens) else []
    constraints = [read_constraint(e) for e in elements]
    return fqn_of(*schema_and_name(parts)), [c for c in constraints if c.kind != "other"]


def unique_index(tokens: list[Token], start: int) -> tuple[str, Constraint] | None:
    """``CREATE UNIQUE [..] INDEX name ON table (cols)`` with ``tokens[start]`` after INDEX."""
    _, i = read_name(tokens, start)
    if i >= len(tokens) or keyword(tokens[i]) != "ON":
        return None
    parts, j = read_name(tokens, i + 1)
    cols, _ = column_list(tokens, j)
    if not cols:
        return None
    return fqn_of(*schema_and_name(parts)), Constraint("unique", cols, tokens[start].text)


def view_facts(obj: SqlObject) -> TableFacts:
    """A view's columns where the SELECT names them (``*`` is not derivable: left out), and its
    SELECT text; types are unknown from the view's text alone."""
    select_sql: str | None = None
    columns: list[Column] = []
    try:
        tree = sqlglot.parse_one(obj.sql, read="tsql")
    except SqlglotError:
        tree = None
    body = tree.expression if isinstance(tree, exp.Create) else None
    if isinstance(body, exp.Query):
        select_sql = body.sql("tsql")
        for projection in body.selects:
            if projection.alias_or_name and projection.alias_or_name != "*":
                columns.append(Column(projection.alias_or_name, "", True))
        if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Schema):  # CREATE VIEW v (a, b) AS
            named = [c.name for c in tree.this.expressions if isinstance(c, exp.Identifier | exp.ColumnDef)]
            columns = [Column(n, "", True) for n in named] or columns
    return TableFacts(obj.schema, obj.name, "view", columns, select_sql=select_sql, file=obj.file, line=obj.line)
