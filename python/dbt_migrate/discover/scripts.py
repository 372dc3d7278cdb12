"""``ddl/tables.sql`` and ``ddl/procedures.sql`` for a project discovered from another folder (an
SSDT project): the rest of dbt-migrate reads column types and procedure bodies from them. Tables
are written back from their facts (storage clauses left out, types the target cannot hold mapped
as the catalog maps them); procedures as written. Pure: facts in, script text out."""

from __future__ import annotations

from ..escaping import UnsafeInputError, check_sql_type
from .documents import target_type
from .model import Discovered, Problem, TableFacts

MARKER = "-- written by `migrate discover` from {source}: discover refreshes this file while this first line stays"


def bracket(name: str) -> str:
    return "[" + name.replace("]", "]]") + "]"


def _table(facts: TableFacts) -> str:
    lines = []
    for c in facts.columns:
        identity = " IDENTITY(1,1)" if c.identity else ""  # sequence defaults too: a generated key
        lines.append(f"    {bracket(c.name)} {target_type(c.type)}{identity} {'NULL' if c.nullable else 'NOT NULL'}")
    if facts.primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(bracket(k) for k in facts.primary_key)})")
    cols = ",\n".join(lines)
    return f"CREATE TABLE {bracket(facts.schema)}.{bracket(facts.name)} (\n{cols}\n);\nGO\n"


def scripts(discovered: Discovered, source: str) -> tuple[dict[str, str], list[Problem]]:
    """``{"tables.sql": text, "procedures.sql": text}`` and the tables left out (a column type that
    is not a SQL type cannot go into a script other tools parse)."""
    head = MARKER.format(source=source.replace("\n", " ")) + "\n"
    tables, problems = [], []
    for facts in discovered.tables.values():
        if facts.kind != "table":
            continue
        try:
            for c in facts.columns:
                check_sql_type(target_type(c.type) or None, field=f"column {c.name!r}", file=facts.file)
        except UnsafeInputError as exc:
            problems.append(Problem(facts.file, facts.line, f"left out of ddl/tables.sql: {exc}", facts.fqn))
            continue
        tables.append(_table(facts))
    procedures = [o.sql.strip() + "\nGO\n" for o in discovered.procedures()]
    return {"tables.sql": head + "".join(tables), "procedures.sql": head + "".join(procedures)}, problems
