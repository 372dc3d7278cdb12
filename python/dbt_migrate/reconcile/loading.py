"""What the load macro receives for a round (``_reconcile_load``): the relations to drop before the
first round, the sources each round replaces or appends to, and the legacy exports, each into a
fresh relation of its own. A warehouse that reads files (DuckDB) gets the path; any other gets the
file's typed rows (read here, sent as values, written as escaped literals by the macro)."""

from __future__ import annotations

from typing import Any

from ..names import TableId
from . import files
from .plan import DataRef, Round
from .validate import Checked

FILE_READERS = ("duckdb",)  # adapters whose warehouse reads a local CSV/Parquet file itself
LEGACY_SUFFIX = "_reconcile"


def legacy_schema(checked: Checked) -> str:
    """Where legacy exports are loaded: beside the models, ``<model schema>_reconcile``."""
    first = next(iter(checked.targets.values()))
    return f"{first.relation['schema']}{LEGACY_SUFFIX}"


def legacy_relation(checked: Checked, table: str) -> dict[str, Any]:
    """The relation holding a table's legacy export (a plan's {relation: ...} is used as is)."""
    tid = TableId.parse(table)
    first = next(iter(checked.targets.values()))
    return {
        "database": first.relation["database"],
        "schema": legacy_schema(checked),
        "identifier": f"{tid.schema}__{tid.name}".lower(),
    }


def relation_text(rel: dict[str, Any]) -> str:
    parts = [rel.get("database"), rel["schema"], rel["identifier"]]
    return ".".join(p for p in parts if p)


def _source_rel(source: dict[str, Any]) -> dict[str, Any]:
    return {"database": source["database"], "schema": source["schema"], "identifier": source["identifier"]}


def _data(checked: Checked, ref: DataRef, columns: list[str] | None = None) -> dict[str, Any]:
    """The part of a load that says where the rows come from."""
    if ref.relation is not None:
        tid = TableId.parse(ref.relation)
        assert columns is not None
        return {"from_relation": {"schema": tid.schema, "identifier": tid.name}, "columns": columns}
    path = checked.file(ref)
    if checked.adapter in FILE_READERS:
        return {"path": str(path), "format": files.file_format(path), "columns": checked.headers[str(path)]}
    names, types, rows = files.typed_rows(path)
    return {"columns": names, "types": types, "rows": rows}


def source_key(source: dict[str, Any]) -> str:
    """The name a declared source's description is filed under."""
    return f"source:{source['source_name']}.{source['name']}"


def resets(checked: Checked, nodes: dict[str, Any], existing_sources: set[str]) -> tuple[list[dict], list[dict]]:
    """Before the first round: drop every model and snapshot the build selects (so incremental
    models and snapshots start from nothing) and empty every source the plan loads."""
    todo = [t.model for t in checked.targets.values()]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in nodes:
            continue
        seen.add(name)
        todo.extend(nodes[name]["depends_on"])
    drops = [{k: nodes[n][k] for k in ("database", "schema", "identifier")} for n in sorted(seen)]
    empties = [
        {**_source_rel(s), "how": "replace", "columns": []}
        for key, s in checked.sources.items()
        if key in existing_sources
    ]
    return drops, empties


def round_loads(
    checked: Checked, rnd: Round, described: dict[str, Any], existing_sources: set[str]
) -> list[dict[str, Any]]:
    """The loads of one round: its sources, then its legacy exports."""
    loads = []
    for sid, ref in rnd.sources.items():
        key = TableId.parse(sid).key
        source = checked.sources[key]
        cols = [c["name"] for c in described[ref.relation]["columns"]] if ref.relation else None
        how = ref.mode if key in existing_sources else "create"
        load = {**_source_rel(source), "how": how, **_data(checked, ref, cols)}
        info = described.get(source_key(source))
        if how != "create" and info:
            # The file's header as the table spells its columns (PostgreSQL folds unquoted names).
            actual = {c["name"].lower(): c["name"] for c in info["columns"]}
            load["columns"] = [actual.get(c.lower(), c) for c in load["columns"]]
        loads.append(load)
    for table, ref in rnd.legacy.items():
        if ref.relation is not None:
            continue  # compared where it is
        loads.append({**legacy_relation(checked, table), "how": "create", **_data(checked, ref)})
    return loads
