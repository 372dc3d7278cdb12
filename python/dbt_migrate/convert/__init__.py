"""Deterministic conversion: a context's legacy SQL -> a dbt model body (sqlglot, no LLM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..names import normalize_name
from .derive import NotConvertible, derive_select, parse_query
from .relations import Relation
from .shape import shape_query
from .style import render
from .types import normalize_types

if TYPE_CHECKING:
    from ..context import Warehouse


@dataclass
class Conversion:
    sql: str | None = None
    generator: str = "deterministic"
    relations: list[Relation] = field(default_factory=list)
    uses_watermark: bool = False
    error: str | None = None  # reason code, e.g. "needs_llm"
    construct: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.sql is not None


def legacy_query(ctx: dict[str, Any]):
    """The legacy logic as one SELECT tree: refactored SQL when present, else derived."""
    dialect = ctx["source_dialect"]
    if ctx.get("refactored_sql"):
        return parse_query(ctx["refactored_sql"], dialect)
    statements = [s["sql"] for s in ctx["statements"] if s.get("action", "migrate") == "migrate"]
    return derive_select(statements, ctx["table"], dialect)


def convert_context(ctx: dict[str, Any], wh: "Warehouse") -> Conversion:
    if ctx.get("needs_llm"):
        reasons = ", ".join(ctx.get("routing_reasons") or []) or "routed to the LLM upstream"
        return Conversion(error="needs_llm", construct=reasons)
    try:
        query = normalize_types(legacy_query(ctx))
    except NotConvertible as exc:
        return Conversion(error="needs_llm", construct=str(exc))
    mat = ctx["materialization"]
    resolver = wh.resolver(ctx["table"], mat["materialized"] == "incremental")
    table_columns = {}
    for key in wh.ddl_tables:
        table_columns[key] = {c.name.lower() for c in wh.ddl_tables[key]}
    audit = ("_dbt_run_id",) if mat["materialized"] == "incremental" else ("_dbt_run_id", "_loaded_at")
    watermark = mat.get("watermark") if mat["materialized"] == "incremental" else None
    shaped = shape_query(query, resolver, watermark=watermark, table_columns=table_columns, audit_columns=audit)
    sql = render(shaped.tree, wh.dbt.dialect, shaped.placeholders)
    conv = Conversion(sql=sql, relations=shaped.relations, uses_watermark=shaped.uses_watermark)
    if watermark and not shaped.uses_watermark:
        conv.warnings.append(f"watermark column {watermark} not found in any input: no incremental filter")
    return conv


def restrict_givens(ctx: dict[str, Any], relations: list[Relation]) -> list[str]:
    """Drop given inputs the model does not read (dbt rejects them); returns warnings."""
    calls = {r.jinja_call for r in relations}
    warnings = []
    for test in ctx["unit_tests"]:
        kept = []
        for g in test["given"]:
            if g["input"] in calls:
                kept.append(g)
            else:
                warnings.append(f"unit test {test['name']}: given {g['input']} is not read by the model; left out")
        test["given"] = kept
    return warnings


__all__ = ["Conversion", "NotConvertible", "convert_context", "legacy_query", "restrict_givens", "normalize_name"]
