"""Source declarations the dbt project lacks, and empty sandbox relations so DuckDB builds offline.

Sources the project already declares are used as they are. Missing ones go in a file of our own,
``models/staging/_dbt_migrate__sources.yml``, with column names and types from ``ddl/tables.sql``,
a source table catalog, or the procedures' references (in that order).
"""

from __future__ import annotations

from typing import Any

from . import escaping, yamlio
from .convert.relations import Relation
from .convert.types import target_type
from .names import normalize_name
from .warehouse import Warehouse


def source_columns(wh: Warehouse, key: str) -> list[dict[str, str]]:
    key = normalize_name(key)
    if key in wh.ddl_tables:
        return [
            {"name": c.name, "data_type": target_type(c.sql_type, wh.source_dialect, wh.dbt.dialect)}
            for c in wh.ddl_tables[key]
        ]
    table = wh.project.tables.get(key)
    if table is not None and table.columns:
        return [
            {"name": c.name, "data_type": target_type(c.sql_type or "", wh.source_dialect, wh.dbt.dialect)}
            for c in table.columns
        ]
    return [{"name": c, "data_type": ""} for c in (wh.columns_of(key) or [])]


def unsafe_source(wh: Warehouse, relations: list[Relation]) -> escaping.UnsafeInputError | None:
    """The first unsafe name a source declaration for ``relations`` would carry (source, table,
    column names and types), or None. Declarations the dbt project already has are its own."""
    ddl = wh.project.root / "ddl" / "tables.sql"
    for rel in relations:
        if rel.kind != "source" or rel.key in wh.dbt.declared_sources:
            continue
        try:
            escaping.check_resource_name(str(rel.source_name), field=f"source name of {rel.key}")
            escaping.check_name(str(rel.table_name), field=f"source table name of {rel.key}", path_safe=True)
            for c in source_columns(wh, rel.key):
                escaping.check_name(c["name"], field=f"a column name of {rel.key}", file=ddl)
                escaping.check_sql_type(c["data_type"], field=f"the type of {rel.key}.{c['name']}", file=ddl)
        except escaping.UnsafeInputError as exc:
            return exc
    return None


def missing_source_declarations(wh: Warehouse, relations: list[Relation]) -> dict[str, dict[str, Any]]:
    """{source name: {table name: columns}} for relations the dbt project does not declare."""
    missing: dict[str, dict[str, Any]] = {}
    for rel in relations:
        if rel.kind != "source" or rel.key in wh.dbt.declared_sources:
            continue
        if rel.source_name is None or rel.table_name is None:  # a source relation always has both
            raise ValueError(f"source relation {rel.key} has no source/table name")
        missing.setdefault(rel.source_name, {})[rel.table_name] = source_columns(wh, rel.key)
    return missing


def render_sources_yml(existing: str | None, missing: dict[str, dict[str, Any]]) -> str | None:
    """Our sources file with the missing declarations added; None when nothing changes."""
    doc = yamlio.load(existing) if existing else None
    if not isinstance(doc, dict):
        doc = {"version": 2, "sources": []}
    sources = doc.setdefault("sources", [])
    changed = False
    for source_name, tables in sorted(missing.items()):
        entry = next((s for s in sources if str(s.get("name", "")).lower() == source_name.lower()), None)
        if entry is None:
            entry = {
                "name": source_name,
                "schema": source_name,
                "description": "Declared by dbt-migrate from the legacy DDL.",
                "tables": [],
            }
            sources.append(entry)
            changed = True
        have = {str(t.get("name", "")).lower() for t in entry.setdefault("tables", [])}
        for table_name, columns in sorted(tables.items()):
            if table_name.lower() in have:
                continue
            item: dict[str, Any] = {"name": table_name}
            if columns:
                item["columns"] = [{k: v for k, v in c.items() if v} for c in columns]
            entry["tables"].append(item)
            changed = True
    if not changed:
        return None
    return yamlio.dump(doc, sort_keys=False, default_flow_style=False, width=100)


def declared_sources_in(doc_text: str) -> dict[str, tuple[str, str]]:
    """Normalized ``schema.table`` -> (source, table) for the declarations in one of our files."""
    doc = yamlio.load(doc_text) or {}
    out: dict[str, tuple[str, str]] = {}
    for s in doc.get("sources", []) or []:
        schema = s.get("schema") or s.get("name")
        for t in s.get("tables", []) or []:
            identifier = t.get("identifier") or t.get("name")
            out[normalize_name(f"{schema}.{identifier}")] = (s["name"], t["name"])
    return out
