"""What to compare, decided in Python (pure): the column pairs of one table, the schema report, and
the comparisons the package's ``reconcile_query`` macro runs (one per report type).

Inputs are the plan's rules and the two sides' columns as the warehouse describes them; nothing
here touches a file or the warehouse. docs/reconcile.md explains every rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .plan import TableRules
from .result import Report, SchemaColumn

# Columns dbt-migrate or dbt add to a model that no legacy table has: never a schema difference.
AUDIT_COLUMNS = frozenset(
    {"_dbt_run_id", "_loaded_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"}
)
VERSION = "dbt_migrate_version"
OPEN = "dbt_migrate_open"
_CASTABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$")


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str = ""
    kind: str = "other"  # text | number | date | boolean | other


@dataclass
class Pair:
    """One compared column: its legacy and model names and the operations on each side."""

    name: str  # as the legacy table names it (what reports show)
    legacy: str
    model: str
    legacy_ops: list[str] = field(default_factory=list)
    model_ops: list[str] = field(default_factory=list)
    tolerance: float | None = None
    numeric: bool = False

    def as_arg(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "legacy": self.legacy,
            "model": self.model,
            "legacy_ops": self.legacy_ops,
            "model_ops": self.model_ops,
            "tolerance": self.tolerance,
            "numeric": self.numeric,
        }


@dataclass
class TablePlan:
    """The comparison of one table: its pairs (compared columns), key, and what the schema says."""

    pairs: list[Pair]
    key: list[Pair]
    schema: Report
    scd2: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # rules naming a column neither side has

    def by_name(self, name: str) -> Pair | None:
        return next((p for p in self.pairs + self.key if p.name.lower() == name.lower()), None)


def _lookup(columns: list[ColumnInfo]) -> dict[str, ColumnInfo]:
    return {c.name.lower(): c for c in columns}


def _listed(rule: bool | list[str], name: str, kind: str) -> bool:
    if rule is True:
        return kind == "text"
    return isinstance(rule, list) and name.lower() in {n.lower() for n in rule}


def _for(mapping: dict[str, Any], name: str) -> Any:
    return next((v for k, v in mapping.items() if k.lower() == name.lower()), None)


def compatible(legacy: ColumnInfo, model: ColumnInfo, typed_legacy: bool) -> bool:
    """Types are compatible when their kinds agree (numbers and booleans are interchangeable: BIT).
    A legacy table read from a file has inferred types: only names are checked then."""
    if not typed_legacy or "other" in (legacy.kind, model.kind):
        return True
    kinds = {legacy.kind, model.kind}
    return len(kinds) == 1 or kinds == {"number", "boolean"}


def plan_table(
    rules: TableRules,
    excluded: list[str],
    legacy_columns: list[ColumnInfo],
    model_columns: list[ColumnInfo],
    typed_legacy: bool = False,
) -> TablePlan:
    """Pair the legacy columns with the model's (column_map, else the same name in any case), apply
    the exclusions and the SCD2 mode, and write the schema report."""
    model_by = _lookup(model_columns)
    skip = {n.lower() for n in excluded}
    scd2_cols: set[str] = set()
    if rules.scd2:
        scd2_cols = {rules.scd2.valid_from.lower(), rules.scd2.valid_to.lower()}
    key_names = {k.lower() for k in (rules.scd2.business_key if rules.scd2 else rules.key)}
    if rules.scd2:
        key_names = {k.lower() for k in rules.key} | key_names
    schema_cols: list[SchemaColumn] = []
    pairs: list[Pair] = []
    key: list[Pair] = []
    matched_model: set[str] = set()
    for lc in legacy_columns:
        target = _for(rules.column_map, lc.name) or lc.name
        mc = model_by.get(target.lower())
        if mc is not None:
            matched_model.add(mc.name.lower())
        if lc.name.lower() in skip:
            schema_cols.append(_schema_col(lc, mc, "excluded"))
            continue
        if mc is None:
            schema_cols.append(_schema_col(lc, None, "missing_in_model"))
            continue
        ok = compatible(lc, mc, typed_legacy)
        schema_cols.append(_schema_col(lc, mc, "ok" if ok else "incompatible"))
        if lc.name.lower() in scd2_cols:
            continue
        pair = _pair(rules, lc, mc)
        (key if lc.name.lower() in key_names else pairs).append(pair)
    for mc in model_columns:
        if mc.name.lower() in matched_model:
            continue
        audit = mc.name.lower() in AUDIT_COLUMNS or mc.name.lower() in skip
        schema_cols.append(_schema_col(None, mc, "excluded" if audit else "missing_in_legacy"))
    problems = [f"key column {k} is not a compared column" for k in sorted(key_names - {p.name.lower() for p in key})]
    scd2 = None
    if rules.scd2:
        scd2, extra = _scd2(rules, legacy_columns, model_by, problems)
        pairs += extra
    return TablePlan(pairs=pairs, key=key, schema=schema_report(schema_cols), scd2=scd2, problems=problems)


def _schema_col(lc: ColumnInfo | None, mc: ColumnInfo | None, status: str) -> SchemaColumn:
    return SchemaColumn(
        legacy_column=lc.name if lc else None,
        model_column=mc.name if mc else None,
        legacy_type=lc.type if lc else None,
        model_type=mc.type if mc else None,
        status=status,
    )


def _pair(rules: TableRules, lc: ColumnInfo, mc: ColumnInfo) -> Pair:
    legacy_ops = list(_for(rules.transform.legacy, lc.name) or [])
    model_ops = list(_for(rules.transform.model, mc.name) or _for(rules.transform.model, lc.name) or [])
    transformed = legacy_ops or model_ops
    if not transformed and lc.type.lower() != mc.type.lower():
        # One type on both sides: the model's, unless the legacy value is text (a file's inference
        # found no number or date in it), then text on both sides.
        if lc.kind == "text" and mc.kind != "text" and _CASTABLE.match(lc.type):
            model_ops = [f"cast:{lc.type}"]
        elif mc.type and _CASTABLE.match(mc.type):
            legacy_ops = [f"cast:{mc.type}"]
    # `true` means every column the model holds as text.
    if _listed(rules.ignore_whitespace, lc.name, mc.kind):
        legacy_ops, model_ops = legacy_ops + ["trim"], model_ops + ["trim"]
    if _listed(rules.ignore_case, lc.name, mc.kind):
        legacy_ops, model_ops = legacy_ops + ["lower"], model_ops + ["lower"]
    tolerance = _for(rules.tolerance, lc.name)
    return Pair(
        name=lc.name,
        legacy=lc.name,
        model=mc.name,
        legacy_ops=legacy_ops,
        model_ops=model_ops,
        tolerance=tolerance,
        numeric=mc.kind == "number",
    )


def _scd2(
    rules: TableRules, legacy_columns: list[ColumnInfo], model_by: dict[str, ColumnInfo], problems: list[str]
) -> tuple[dict[str, Any] | None, list[Pair]]:
    s = rules.scd2
    assert s is not None
    sides: dict[str, dict[str, Any]] = {"legacy": {}, "model": {}}
    legacy_by = _lookup(legacy_columns)
    for role, names in (("business_key", s.business_key), ("valid_from", [s.valid_from]), ("valid_to", [s.valid_to])):
        resolved_l, resolved_m = [], []
        for n in names:
            lc = legacy_by.get(n.lower())
            mc = model_by.get((_for(rules.column_map, n) or n).lower())
            if lc is None or mc is None:
                problems.append(f"scd2 {role} {n} is missing in the {'legacy table' if lc is None else 'model'}")
                return None, []
            resolved_l.append(lc.name)
            resolved_m.append(mc.name)
        sides["legacy"][role] = resolved_l if role == "business_key" else resolved_l[0]
        sides["model"][role] = resolved_m if role == "business_key" else resolved_m[0]
    extra = [Pair(name=VERSION, legacy=VERSION, model=VERSION), Pair(name=OPEN, legacy=OPEN, model=OPEN)]
    return sides, extra


def schema_report(columns: list[SchemaColumn]) -> Report:
    bad = [c for c in columns if c.status not in ("ok", "excluded")]
    parts = []
    for status, label in (
        ("missing_in_model", "missing in the model"),
        ("missing_in_legacy", "missing in the legacy table"),
        ("incompatible", "of incompatible types"),
    ):
        names = [c.legacy_column or c.model_column or "" for c in bad if c.status == status]
        if names:
            parts.append(f"{', '.join(names)} {label}")
    message = "; ".join(parts) if parts else f"{sum(c.status == 'ok' for c in columns)} columns match"
    return Report(type="schema", status="mismatch" if bad else "match", message=message, schema_columns=columns)


def comparisons(
    table_id: str,
    reports: Sequence[str],
    plan: TablePlan,
    rules: TableRules,
    model_relation: str,
    legacy_relation: str,
) -> list[dict[str, Any]]:
    """The macro calls of one table: ``{id, report, model_relation, legacy_relation, columns, ...}``."""
    base = {"model_relation": model_relation, "legacy_relation": legacy_relation, "scd2": plan.scd2}
    out: list[dict[str, Any]] = []
    for report in reports:
        call: dict[str, Any] = {"id": f"{table_id}|{report}", "report": report, **base}
        if report == "row":
            # A multiset diff compares values exactly: columns with a tolerance are left to the
            # data and aggregate reports.
            call["columns"] = [p.as_arg() for p in plan.key + plan.pairs if p.tolerance is None]
        elif report == "data":
            key = list(plan.key)
            if plan.scd2:
                version = next(p for p in plan.pairs if p.name == VERSION)
                key.append(version)
            call["key"] = [p.as_arg() for p in key]
            call["columns"] = [p.as_arg() for p in plan.pairs if p not in key]
        elif report == "aggregate":
            agg = rules.aggregate
            group = [plan.by_name(n) for n in (agg.group_by if agg else [])]
            names = agg.measures if agg and agg.measures else [p.name for p in plan.pairs if p.numeric]
            measures = [plan.by_name(n) for n in names]
            call["group_by"] = [p.as_arg() for p in group if p is not None]
            call["measures"] = [p.as_arg() for p in measures if p is not None]
        else:
            continue
        out.append(call)
    return out
