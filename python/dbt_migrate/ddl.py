"""Reading the extracted DDL (``ddl/tables.sql``, ``ddl/procedures.sql``) with sqlglot.

Batches are separated by ``GO`` lines (a client-side batch separator, not SQL), so the split is by
line; everything inside a batch is parsed as a tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from .names import normalize_name


@dataclass(frozen=True)
class DdlColumn:
    name: str
    sql_type: str  # as written in the source dialect
    is_nullable: bool
    is_identity: bool


def split_batches(text: str) -> list[str]:
    batches: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip().upper() == "GO":
            batches.append("\n".join(current))
            current = []
        else:
            current.append(line)
    batches.append("\n".join(current))
    return [b for b in batches if b.strip()]


def _parse(batch: str, dialect: str) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(batch, read=dialect)
    except sqlglot.errors.SqlglotError:  # a batch that cannot be tokenized or parsed is skipped alone
        return None


def parse_tables(text: str, dialect: str = "tsql") -> dict[str, list[DdlColumn]]:
    """``CREATE TABLE`` batches -> {normalized name: columns}. Unparseable batches are skipped."""
    tables: dict[str, list[DdlColumn]] = {}
    for batch in split_batches(text):
        tree = _parse(batch, dialect)
        if not isinstance(tree, exp.Create) or tree.kind != "TABLE":
            continue
        schema = tree.this
        if not isinstance(schema, exp.Schema) or not isinstance(schema.this, exp.Table):
            continue
        table = schema.this
        cols = []
        for cd in schema.expressions:
            if not isinstance(cd, exp.ColumnDef):
                continue
            constraints = [c.args.get("kind") for c in cd.args.get("constraints", [])]
            not_null = any(
                isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in constraints
            )
            primary = any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in constraints)
            identity = any(isinstance(k, exp.GeneratedAsIdentityColumnConstraint) for k in constraints)
            kind = cd.args.get("kind")
            cols.append(
                DdlColumn(
                    name=cd.name,
                    sql_type=kind.sql(dialect) if kind is not None else "",
                    is_nullable=not (not_null or primary),
                    is_identity=identity,
                )
            )
        tables[normalize_name(f"{table.db}.{table.name}" if table.db else table.name)] = cols
    return tables


def parse_procedures(text: str, dialect: str = "tsql") -> dict[str, str]:
    """``CREATE PROCEDURE`` batches -> {normalized name: full batch text}."""
    procs: dict[str, str] = {}
    for batch in split_batches(text):
        tree = _parse(batch, dialect)
        name = None
        if isinstance(tree, exp.Create) and isinstance(tree.this, exp.StoredProcedure):
            t = tree.this.this
            if isinstance(t, exp.Table):
                name = f"{t.db}.{t.name}" if t.db else t.name
        if name is None:
            name = _procedure_name_from_tokens(batch, dialect)
        if name:
            procs[normalize_name(name)] = batch.strip()
    return procs


def _procedure_name_from_tokens(batch: str, dialect: str) -> str | None:
    # Bodies sqlglot cannot parse whole (cursors, dynamic SQL) still have a readable header.
    from sqlglot.tokens import TokenType

    try:
        tokens = sqlglot.tokenize(batch, read=dialect)
    except Exception:
        return None
    words = list(tokens)
    for i, tok in enumerate(words[:-1]):
        if tok.text.upper() in {"PROCEDURE", "PROC"}:
            parts, j = [], i + 1
            while j < len(words) and words[j].token_type in {TokenType.VAR, TokenType.IDENTIFIER, TokenType.DOT}:
                if words[j].token_type != TokenType.DOT:
                    parts.append(words[j].text)
                j += 1
            return ".".join(parts) if parts else None
    return None
