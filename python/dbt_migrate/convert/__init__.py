"""Deterministic conversion: a context's legacy SQL -> a dbt model body (sqlglot, no LLM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .. import escaping
from ..layout import versions_model
from ..names import normalize_name
from ..rules import KEYED
from .ctes import PLACEHOLDER_PREFIX, apply_joins_for, shape_query
from .derive import NotConvertible, derive_select, drop_self_reads, parse_query
from .pivots import rewrite_pivots
from .relations import Relation
from .scan import scan_body
from .scd import Scd2Load, recognise_scd2
from .semantics import apply_operator_semantics, cast_to_column_types, dbt_cross_db_macros
from .snapshot import snapshot_config, versions_query
from .statements import expand, skipped, unresolved_routing
from .style import model_text
from .surrogates import surrogate_sql
from .types import normalize_types
from .upsert import recognise_upsert
from .watermarks import ChangeColumns, watermark_warnings

if TYPE_CHECKING:
    from ..contracts import Context
    from ..warehouse import Warehouse


@dataclass
class Conversion:
    sql: str | None = None
    generator: str = "deterministic"
    relations: list[Relation] = field(default_factory=list)
    uses_watermark: bool = False
    error: str | None = None  # reason code, e.g. "needs_llm"
    construct: str | None = None
    warnings: list[str] = field(default_factory=list)
    answer: str | None = None  # the LLM's plain-SQL answer this model was made from
    # The Jinja dbt-migrate itself put in ``sql`` (placeholders' text): the pipeline's last guard
    # allows these and nothing else. None: the generator did not say (the guard then allows none).
    jinja: tuple[str, ...] | None = None
    # An SCD2 loader: the snapshot's settings for the rendering macro (``snapshot_config``), and the
    # body of the view that adds the legacy current flag over the snapshot (None: no flag).
    snapshot: dict[str, Any] | None = None
    versions_sql: str | None = None

    @property
    def ok(self) -> bool:
        return self.sql is not None


def legacy_query(ctx: Context, wh: Warehouse | None = None, dialect: str | None = None) -> exp.Query:
    """The legacy logic as one SELECT tree: refactored SQL when present, else derived.

    With ``wh``, source-dialect semantics are made explicit on the tree (T-SQL ``+`` on strings ->
    concatenation, integer ``/`` -> integer division; types from ``ddl/tables.sql``; a computed
    value rounded to its decimal column as the INSERT rounds it), so running
    ``tree.sql(dialect)`` elsewhere (the equivalence data check) computes what SQL Server computes.
    With ``dialect``, CROSS/OUTER APPLY are also written the way that dialect runs them."""
    source_dialect = ctx.source_dialect
    scd2 = scd2_load(ctx)
    upsert = upsert_load(ctx) if scd2 is None else None
    if scd2 is not None:
        query = scd2.query.copy()
    elif upsert is not None:
        query = upsert
    elif ctx.refactored_sql:
        query = parse_query(ctx.refactored_sql, source_dialect)
    else:
        query = derive_select(migrate_sql(ctx), ctx.table, source_dialect)
    if wh is not None:
        explicit_semantics(query, ctx, wh)
    else:  # the INSERT's rounding needs no DDL: the structural check compares it too
        insert_rounding(query, ctx)
    if dialect is not None:
        query = apply_joins_for(query, dialect)
    return query


def insert_rounding(query: exp.Query, ctx: Context) -> exp.Query:
    """Computed values rounded to their decimal columns as T-SQL's INSERT does (in place)."""
    return cast_to_column_types(query, {c.name: c.sql_type or "" for c in ctx.columns}, ctx.source_dialect)


def explicit_semantics(query: exp.Query, ctx: Context, wh: Warehouse) -> exp.Query:
    """T-SQL's own semantics written out on a source-dialect SELECT (in place), for the rules'
    SELECT and an LLM's answer alike: string ``+``, integer division, and the INSERT's rounding of
    computed values to their decimal columns."""
    apply_operator_semantics(query, wh.ddl_type_schema, ctx.source_dialect)
    return insert_rounding(query, ctx)


def convert_context(ctx: Context, wh: Warehouse) -> Conversion:
    """The model body for one context, or an error naming what rules cannot convert."""
    try:
        expanded = expand(ctx.statements, ctx.source_dialect)
    except NotConvertible as exc:
        return Conversion(error="needs_llm", construct=str(exc))
    findings = [
        f
        for f in scan_body(ctx.proc_body, ctx.source_dialect)
        if not skipped(f, ctx.statements) and not (expanded.dynamic and f.construct == "dynamic SQL")
    ]
    if findings:
        return Conversion(error="needs_llm", construct="; ".join(str(f) for f in findings))
    # Upstream routing for a statement dealt with above (a skipped EXEC, constant dynamic SQL) is
    # resolved; loops, TRY/CATCH and routing no statement explains still go to the LLM.
    unresolved = unresolved_routing(ctx.routing_reasons, ctx.statements, expanded, ctx.source_dialect)
    if ctx.needs_llm and (unresolved or not ctx.routing_reasons):
        reasons = ", ".join(ctx.routing_reasons) or "routed to the LLM upstream"
        return Conversion(error="needs_llm", construct=f"upstream routing: {reasons}")
    try:
        scd2 = scd2_load(ctx)
        query = normalize_types(legacy_query(ctx, wh))
    except NotConvertible as exc:
        return Conversion(error="needs_llm", construct=str(exc))
    surrogate = surrogate_sql(scd2, wh.dbt.dialect) if scd2 is not None else None
    computed = {str(scd2.surrogate): surrogate} if scd2 is not None and surrogate else None
    conv = model_from_query(query, ctx, wh, computed)
    if scd2 is not None and conv.ok:
        add_snapshot(conv, scd2, ctx, wh)
    return conv


def migrate_sql(ctx: Context) -> list[str]:
    """The migrate statements, constant dynamic SQL replaced by what it runs (``convert.statements``)."""
    return expand(ctx.statements, ctx.source_dialect).statements


def scd2_load(ctx: Context) -> Scd2Load | None:
    """The SCD2 loader a ``dim_scd2`` table's migrate statements form (``convert.scd``), if any."""
    if ctx.materialization.materialized != "snapshot" or ctx.refactored_sql:
        return None
    load = recognise_scd2(migrate_sql(ctx), ctx.table, ctx.source_dialect, ctx.materialization.watermark)
    identity = [c.name for c in ctx.columns if c.is_identity]
    if load is not None and len(identity) == 1:
        load.surrogate = identity[0]  # one INT key per version, generated by the warehouse
    return load


def upsert_load(ctx: Context) -> exp.Query | None:
    """The SELECT of a keyed merge model's UPDATE + INSERT upsert (``convert.upsert``), if it is one."""
    mat = ctx.materialization
    if not ctx.incremental or not mat.unique_key or mat.incremental_strategy or ctx.refactored_sql:
        return None
    return recognise_upsert(migrate_sql(ctx), ctx.table, ctx.source_dialect)


def plan_versions_views(wh: Warehouse, contexts: list[Context]) -> None:
    """Before any conversion: the SCD2 targets of this run that get a ``<model>_versions`` view
    (the legacy table's shape over the snapshot), which their dependents then read
    (``Warehouse.versions_reads``)."""
    for ctx in contexts:
        try:
            load = scd2_load(ctx)
        except NotConvertible:
            continue  # its own conversion says why
        if load is not None and versions_query(load, "snapshot", wh.dbt.dialect) is not None:
            wh.read_through_versions(normalize_name(ctx.table), versions_model(ctx.model_name))


def add_snapshot(conv: Conversion, load: Scd2Load, ctx: Context, wh: Warehouse) -> None:
    """The snapshot settings and the current-flag view of an SCD2 loader's model."""
    conv.snapshot = snapshot_config(load, wh.dbt.dialect)
    placeholder = f"{PLACEHOLDER_PREFIX}snapshot__"
    versions = versions_query(load, placeholder, wh.dbt.dialect)
    ref = "{{ ref('" + ctx.model_name + "') }}"
    if versions is not None:
        conv.versions_sql = model_text(versions, wh.dbt.dialect, {placeholder: ref})
        escaping.check_generated(conv.versions_sql, what=f"model {ctx.model_name}_versions", ours=[ref])
    conv.warnings.append(
        f"SCD2 loader ({load.shape}) becomes a snapshot of its source-side select "
        f"(strategy {load.strategy}, unique_key {', '.join(load.unique_key)})"
    )


def render_item(ctx: Context, conv: Conversion) -> dict[str, Any]:
    """One entry of ``dbt_migrate.generate_models``' ``models`` argument (docs/render-contract.md)."""
    context = ctx.macro_payload()
    if conv.snapshot is not None:
        context["materialization"]["snapshot"] = {**conv.snapshot, "versions_sql": conv.versions_sql}
    return {"context": context, "sql": conv.sql}


def model_from_query(
    query: exp.Query, ctx: Context, wh: Warehouse, computed: dict[str, str] | None = None
) -> Conversion:
    """The shared tail of every conversion, rules and LLM answers alike: a SELECT over legacy table
    names (source dialect, semantics and types already normalized) -> the model text, with every
    piece of Jinja (``source()``/``ref()``, the watermark filter, cross-database macros, audit
    columns) emitted here and nowhere else. Every name the query carries is checked first
    (``check_identifiers``), and the text written last (``escaping.check_generated``).

    ``computed``: output column -> the package macro call (Jinja) computing it over the final
    CTE's columns, appended to the model's last select (an SCD2 snapshot's INT surrogate)."""
    try:
        check_identifiers(query, ctx)
        for name in computed or {}:
            escaping.check_name(
                name, field="surrogate key column", file=f"catalog/tables/{normalize_name(ctx.table)}.json"
            )
    except escaping.UnsafeInputError as exc:
        return Conversion(error=exc.reason, construct=str(exc))
    incremental = ctx.incremental
    warnings: list[str] = []
    self_reads = drop_self_reads(query, ctx.table) if incremental else []
    for cond in self_reads:
        warnings.append(f"self-read of the target ({cond}) replaced by the incremental watermark filter")
    target_dialect = wh.dbt.dialect
    query = rewrite_pivots(query)
    query, macros = dbt_cross_db_macros(query, target_dialect)
    resolver = wh.resolver(ctx.table, incremental)
    audit = ("_dbt_run_id",) if incremental else ("_dbt_run_id", "_loaded_at")
    watermark = ctx.materialization.watermark if incremental else None
    # An append-only fact keeps its driving-table filter only when the legacy procedure filters the
    # same way (its self-read); any other incremental model is re-read when any input changes.
    merges = ctx.materialization.classification in KEYED
    changes: ChangeColumns | None = None
    if watermark and (merges or not self_reads):
        changes = ChangeColumns(watermark, wh.ddl_tables)
    try:
        shaped = shape_query(
            query,
            resolver,
            watermark=watermark,
            table_columns=wh.ddl_column_names,
            audit_columns=audit,
            change_columns=changes,
            reread_unfiltered=merges,
        )
        placeholders = {**macros, **shaped.placeholders}
        tree = apply_joins_for(shaped.tree, target_dialect)
        for i, (name, jinja) in enumerate((computed or {}).items()):
            placeholder = f"{PLACEHOLDER_PREFIX}computed{i}__"
            placeholders[placeholder] = jinja
            tree = tree.select(exp.alias_(exp.column(placeholder), exp.to_identifier(name)), copy=False)
        for rel in shaped.relations:
            check_relation(rel, ctx)
        sql = model_text(tree, target_dialect, placeholders)
        escaping.check_generated(sql, what=f"model {ctx.model_name}", ours=placeholders.values())
    except escaping.UnsafeInputError as exc:
        return Conversion(error=exc.reason, construct=str(exc))
    conv = Conversion(
        sql=sql,
        relations=shaped.relations,
        uses_watermark=shaped.uses_watermark,
        warnings=warnings,
        jinja=tuple(placeholders.values()),
    )
    conv.warnings += watermark_warnings(watermark, shaped.uses_watermark, shaped.unfiltered_because, merges)
    return conv


def _statements_file(ctx: Context) -> str:
    return f"catalog/procedures/{normalize_name(ctx.writer)}.json"


def check_identifiers(query: exp.Expr, ctx: Context) -> None:
    """Every name in the legacy SQL (tables, columns, aliases, CTEs) is safe to write: no Jinja
    brace, quote or control character, and none that looks like one of our placeholders."""
    field_name = "refactored_sql" if ctx.refactored_sql else "statements[].sql"
    for ident in query.find_all(exp.Identifier):
        name = ident.this if isinstance(ident.this, str) else str(ident.this)
        escaping.check_name(name, field=f"identifier in {field_name}", file=_statements_file(ctx))
        if name.lower().startswith(PLACEHOLDER_PREFIX):
            raise escaping.UnsafeInputError(
                f"{escaping.UNSAFE_NAME}: {_statements_file(ctx)}: identifier in {field_name} "
                f"{escaping.shown(name)}: reserved for dbt-migrate's placeholders; rejected"
            )


def check_relation(rel: Relation, ctx: Context) -> None:
    """The names a ``source()`` / ``ref()`` call is written with."""
    escaping.check_relation_parts(
        rel.source_name, rel.table_name, rel.model_name, field=f"relation {rel.key} read by {ctx.writer}"
    )


def restrict_givens(ctx: Context, relations: list[Relation]) -> list[str]:
    """Drop given inputs the model does not read (dbt rejects them); returns warnings."""
    calls = {r.jinja_call for r in relations}
    warnings = []
    for test in ctx.unit_tests:
        kept = []
        for g in test.given:
            if g.input in calls:
                kept.append(g)
            else:
                warnings.append(f"unit test {test.name}: given {g.input} is not read by the model; left out")
        test.given = kept
    return warnings


__all__ = [
    "Conversion",
    "NotConvertible",
    "convert_context",
    "render_item",
    "scd2_load",
    "legacy_query",
    "explicit_semantics",
    "model_from_query",
    "restrict_givens",
    "normalize_name",
]
