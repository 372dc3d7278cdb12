"""Staging wrappers dbt-migrate creates (``--staging-wrappers``): ``stg_<source>__<table>``, a pure
pass-through of one source, written once into ``models/staging/`` beside the team's own wrappers
and never over a file that is there. Only the wrappers some generated model reads are written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import escaping, layout
from .artifacts import Ledger, write_all
from .convert.relations import Relation
from .warehouse import Warehouse


def wrapper_sql(source: Relation) -> str:
    return f"select\n    *\nfrom {source.jinja}\n"


def converted_relations(wh: Warehouse, items: list[Any], dbt_dir: Path, ledger: Ledger) -> list[Relation]:
    """Every relation the converted items read, plus the sources of the wrappers written for them
    (``--staging-wrappers``), whose declarations the sources stage adds like any other."""
    relations = [r for i in items if i.conversion and i.conversion.ok for r in i.conversion.relations]
    return relations + write_wrappers(wh, relations, dbt_dir, ledger)


def write_wrappers(wh: Warehouse, relations: list[Relation], dbt_dir: Path, ledger: Ledger) -> list[Relation]:
    """Write the planned wrappers these relations read; returns the source relations they pass
    through (their sources must be declared like any other)."""
    used = {r.model_name for r in relations if r.kind == "ref"}
    sources: list[Relation] = []
    files: dict[Path, str] = {}
    for model, source in wh.planned_wrappers.values():
        if model not in used:
            continue
        escaping.check_relation_parts(source.source_name, source.table_name, None, field=f"source of {model}")
        path = layout.staging_wrapper_sql(dbt_dir, model)
        if not path.exists():
            text = wrapper_sql(source)
            escaping.check_generated(text, what=f"staging wrapper {model}", ours=[source.jinja])
            files[path] = text
        sources.append(source)
    if files:
        write_all(ledger, files)
    return sources
