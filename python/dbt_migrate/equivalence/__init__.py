"""Equivalence of a migrated model with the legacy logic it replaces.

``structural`` compares the two queries feature by feature (sqlglot, both as DuckDB trees);
``data`` runs both on the same rows in an in-memory DuckDB. ``check_model`` combines them into a
``Report`` whose verdict is ``match``, ``divergence`` (intentional, informational) or ``gap``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import layout, yamlio
from ..convert import NotConvertible, legacy_query, scd2_load
from ..convert.statements import target_write_types
from ..convert.types import normalize_types
from ..names import normalize_name
from ..warehouse import produced_columns
from . import data as data_check
from . import rounds, structural
from .edges import EDGE_ALL_ROWS, Scenario, TableDef, scenarios
from .inputs import duckdb_sql as _duckdb_sql
from .inputs import givens_of as _givens
from .inputs import legacy_duckdb_tree as _legacy_duckdb_tree
from .inputs import table_defs as _table_defs
from .offline_jinja import Relations, RenderFailed, declared_sources, render_model
from .report import Check, Report

if TYPE_CHECKING:
    from ..contracts import Context
    from ..project import Project
    from ..warehouse import Warehouse

__all__ = [
    "Check",
    "Report",
    "Written",
    "check_model",
    "check_table",
    "check_written",
    "find_model_files",
    "relations_for",
    "snapshot_config",
    "sources_of",
]


def relations_for(
    wh: Warehouse, ctx: Context, dbt_dir: Path | None, sources: dict[tuple[str, str], str] | None = None
) -> Relations:
    """How the model's ref()/source() calls map to legacy tables. ``sources`` when the caller knows
    the declarations (a batch run); read from the project's YAML otherwise."""
    if sources is None:
        sources = declared_sources(dbt_dir) if dbt_dir else {}
    return Relations(current=normalize_name(ctx.table), models=wh.model_keys, sources=sources)


def sources_of(wh: Warehouse) -> dict[tuple[str, str], str]:
    """(source, table) -> legacy key, from the declarations dbt parsed (plus those just written)."""
    return {(s.lower(), t.lower()): key for key, (s, t) in wh.dbt.declared_sources.items()}


def find_model_files(dbt_dir: Path, model_name: str) -> tuple[Path | None, dict[str, Any] | None]:
    """The model's SQL under models/ (``<model>.sql``, or ``stg_<model>.sql`` behind a snapshot)
    and the snapshot config from snapshots/, when there is one."""
    sql = layout.find_model_sql(dbt_dir, model_name)
    snapshot = None
    for path in layout.snapshot_yamls(dbt_dir):
        found = snapshot_config(path.read_text(encoding="utf-8"), model_name)
        snapshot = found if found is not None else snapshot
    return sql, snapshot


def snapshot_config(yaml_text: str, model_name: str) -> dict[str, Any] | None:
    """The config of snapshot ``model_name`` in one snapshots YAML document, if it is there."""
    doc = yamlio.load(yaml_text) or {}
    config = None
    for snap in doc.get("snapshots", []) or []:
        if str(snap.get("name", "")).lower() == model_name:
            config = dict(snap.get("config") or {})
    return config


@dataclass
class Written:
    """What a batch knows of one model it wrote: the SQL file, its snapshot config, the sources."""

    model_sql: Path
    snapshot: dict[str, Any] | None
    sources: dict[tuple[str, str], str]


def check_model(
    wh: Warehouse,
    ctx: Context,
    model_text: str,
    relations: Relations,
    snapshot: dict[str, Any] | None = None,
    run_data: bool = True,
) -> Report:
    """The report for one model text (Jinja SQL as on disk) against the context's legacy logic."""
    report = Report(table=ctx.table, model=ctx.model_name)
    t0 = time.perf_counter()
    try:
        rendered = render_model(model_text, relations)
        model = structural.model_tree(rendered.sql)
    except (RenderFailed, Exception) as exc:
        report.checks.append(Check("model", "gap", f"cannot read the model: {str(exc).splitlines()[0]}"))
        return report
    try:
        legacy = structural.legacy_tree(normalize_types(legacy_query(ctx)))
    except NotConvertible as exc:
        report.checks.append(Check("legacy", "divergence", f"no legacy SELECT to compare with ({exc})"))
        return report
    target = normalize_name(ctx.table)
    incremental = ctx.incremental
    legacy_as_written = legacy
    self_filters: list[str] = []
    if incremental:
        legacy, self_filters = structural.strip_self_filters(legacy, target)
    schema = wh.ddl_column_lists
    f_legacy = structural.features(legacy, schema)
    f_model = structural.features(model, schema)
    table = wh.project.tables.get(normalize_name(ctx.table))
    scd2 = scd2_load(ctx)  # an SCD2 loader's version columns are the snapshot's, not the select's
    versioned = {c.lower() for c in scd2.version_columns} if scd2 is not None else set()
    target_cols = [c for c in (produced_columns(table) if table is not None else []) if c.lower() not in versioned]
    report.checks += structural.compare(f_legacy, f_model, target_cols)
    kinds = target_write_types(ctx.statements, ctx.table, ctx.source_dialect)  # (not an input's UPDATE)
    report.checks.append(structural.write_semantics(ctx.materialization, rendered.config, kinds, snapshot))
    if self_filters:
        uses = "dbt_migrate.watermark_filter" in model_text
        report.checks.append(
            Check(
                "incremental",
                "divergence" if uses else "gap",
                f"legacy filter on its own target ({'; '.join(self_filters)[:200]}) "
                + ("is the model's watermark_filter" if uses else "has no watermark_filter in the model"),
            )
        )
    report.timings_ms["structural"] = (time.perf_counter() - t0) * 1000
    if not run_data:
        return report
    t1 = time.perf_counter()
    givens = _givens(wh, ctx.table)
    keys = f_legacy.tables | f_model.tables | {k for g in givens for k in g.rows}
    tables = _table_defs(wh, keys, givens)
    givens = [Scenario(g.name, {k: v for k, v in g.rows.items() if k in tables}, g.expect) for g in givens]
    cases = scenarios(tables, givens)
    legacy_duckdb = _legacy_duckdb_tree(ctx, wh, legacy_as_written)
    check, data = data_check.run(
        _duckdb_sql(legacy_duckdb, target if incremental else None), rendered.sql, tables, cases
    )
    report.checks.append(check)
    report.data = data
    report.timings_ms["data"] = (time.perf_counter() - t1) * 1000
    if data.get("legacy_reference") and data.get("status") != "inconclusive":
        t2 = time.perf_counter()
        config = {**rendered.config, "materialized": "snapshot"} if snapshot is not None else rendered.config
        _check_rounds(wh, ctx, report, legacy_duckdb, model_text, relations, config, tables, cases)
        report.timings_ms["rounds"] = (time.perf_counter() - t2) * 1000
    return report


def _check_rounds(
    wh: Warehouse,
    ctx: Context,
    report: Report,
    legacy: Any,
    model_text: str,
    relations: Relations,
    config: dict[str, Any],
    tables: dict[str, TableDef],
    cases: list[Scenario],
) -> None:
    """The multi-round check (``rounds``), when either side keeps rows from one load to the next
    (not yet for snapshots: their rounds need dbt's snapshot semantics)."""
    target = normalize_name(ctx.table)
    key = list(ctx.materialization.unique_key or [])
    reads_target = bool(structural.strip_self_filters(legacy.copy(), target)[1])
    legacy_side = rounds.legacy_writes([(s.type or "").lower() for s in ctx.statements], reads_target, key)
    model_side = rounds.model_writes(config, ctx.materialization.materialized, key)
    if model_side is None or legacy_side.mode == model_side.mode == "replace":
        return
    base = next((c for c in cases if c.name == EDGE_ALL_ROWS), None)
    # The legacy table as its DDL types it; without DDL the rows' own types (a table whose columns
    # were all text would not compare with the model's numbers).
    target_def = _table_defs(wh, {target}, []).get(target) if target in wh.ddl_tables else None
    inputs = {k: t for k, t in tables.items() if k != target}
    if base is None or not inputs:
        return
    incremental_sql: dict[str | None, str] = {}

    def model_sql(this: str | None) -> str:  # every incremental round renders the same text
        if this not in incremental_sql:
            incremental_sql[this] = render_model(model_text, relations, incremental_this=this).sql
        return incremental_sql[this]

    check, data = rounds.run(
        _duckdb_sql(legacy, None),
        model_sql,
        inputs,
        target_def,
        rounds.load_rounds(inputs, base.rows),
        legacy_side,
        model_side,
    )
    report.checks.append(check)
    report.data["rounds"] = data


def check_written(
    wh: Warehouse, ctx: Context, dbt_dir: Path, run_data: bool = True, *, written: Written | None = None
) -> Report:
    """The report for the model as it is on disk now. ``written``: where a batch just wrote it
    (searching the project per model would make a batch quadratic in its size)."""
    if written is None:
        sql_path, snapshot = find_model_files(dbt_dir, ctx.model_name)
        sources = None  # read from the project's YAML
    else:
        sql_path, snapshot, sources = written.model_sql, written.snapshot, written.sources
    if sql_path is None:
        report = Report(table=ctx.table, model=ctx.model_name)
        report.checks.append(
            Check(
                "model",
                "gap",
                f"no model {ctx.model_name}.sql under {dbt_dir / 'models'}: run `migrate generate` first",
            )
        )
        return report
    text = sql_path.read_text(encoding="utf-8")
    return check_model(wh, ctx, text, relations_for(wh, ctx, dbt_dir, sources), snapshot, run_data=run_data)


def check_table(project: Project, table: str, run_data: bool = True) -> Report:
    """``migrate check``: load the migration project, build the context, check the written model."""
    from ..catalog import MigrationProject
    from ..context import build_context
    from ..warehouse import Warehouse

    mp = MigrationProject(project.root)
    mp.require_manifest()
    dbt_dir = project.require_dbt_project()
    wh = Warehouse(mp)
    return check_written(wh, build_context(wh, table), dbt_dir, run_data=run_data)
