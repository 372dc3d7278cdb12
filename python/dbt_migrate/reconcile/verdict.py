"""From the rows a comparison query returned to a ``Report`` (pure): counts, up to 5 example rows per
side, per-column mismatches, and the plan's thresholds that may turn a difference into a pass."""

from __future__ import annotations

from typing import Any

from .plan import TableRules, Thresholds
from .result import ColumnDiff, Report
from .spec import OPEN, VERSION

SHOWN = {VERSION: "(validity order)", OPEN: "(open)"}


def _rows(raw: dict[str, Any]) -> list[dict[str, Any]]:
    cols = [c.lower() for c in raw.get("columns", [])]
    return [dict(zip(cols, row, strict=False)) for row in raw.get("rows", [])]


def _int(value: Any) -> int:
    try:
        return int(float(value)) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _label(name: str) -> str:
    return SHOWN.get(name, name)


def _within(count: int, total: int | None, count_limit: int | None, pct_limit: float | None) -> bool:
    """Tolerated by an absolute or a percentage limit (either suffices); no limit tolerates none."""
    if count == 0:
        return True
    if count_limit is not None and count <= count_limit:
        return True
    return pct_limit is not None and bool(total) and count * 100.0 / float(total or 1) <= pct_limit


def _rows_ok(t: Thresholds, legacy_rows: int, *counts: int) -> bool:
    return all(_within(c, legacy_rows, t.rows, t.rows_pct) for c in counts)


def _column_threshold(t: Thresholds, name: str) -> tuple[int | None, float | None]:
    for k, v in t.columns.items():
        if k.lower() == name.lower():
            return v.count, v.pct
    return None, None


class _Totals:
    """The totals every row of a data or aggregate result carries (the first row's)."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.first = rows[0] if rows else {}
        self.legacy_rows, self.model_rows = self.get("legacy_rows"), self.get("model_rows")
        self.missing_m, self.missing_l = self.get("n_missing_in_model"), self.get("n_missing_in_legacy")
        self.changed, self.compared = self.get("n_changed"), self.get("n_compared")

    def get(self, column: str) -> int:
        return _int(self.first.get(column))


def row_report(raw: dict[str, Any], names: list[str], rules: TableRules) -> tuple[Report, int, int]:
    rows = _rows(raw)
    first = rows[0] if rows else {}
    legacy_rows, model_rows = _int(first.get("legacy_rows")), _int(first.get("model_rows"))
    only_l, only_m = _int(first.get("only_in_legacy")), _int(first.get("only_in_model"))
    examples: dict[str, list[dict[str, Any]]] = {"legacy": [], "model": []}
    for r in rows:
        side = r.get("dbt_migrate_side")
        if side in examples:
            examples[side].append({_label(n): r.get(f"c{i}") for i, n in enumerate(names)})
    report = Report(
        type="row",
        status="match",
        only_in_legacy=only_l,
        only_in_model=only_m,
        examples_legacy=examples["legacy"],
        examples_model=examples["model"],
    )
    if only_l or only_m:
        report.message = f"{only_l} rows only in legacy, {only_m} only in model"
        report.status = "match" if _rows_ok(rules.thresholds, legacy_rows, only_l, only_m) else "mismatch"
        report.passed_by_threshold = report.status == "match"
    else:
        report.message = f"{legacy_rows} rows on both sides"
    return report, legacy_rows, model_rows


def data_report(raw: dict[str, Any], keys: list[str], names: list[str], rules: TableRules) -> tuple[Report, int, int]:
    rows = _rows(raw)
    t0 = _Totals(rows)
    first, legacy_rows, model_rows = t0.first, t0.legacy_rows, t0.model_rows
    missing_m, missing_l, changed, compared = t0.missing_m, t0.missing_l, t0.changed, t0.compared
    ex_l: list[dict[str, Any]] = []
    ex_m: list[dict[str, Any]] = []
    column_example: dict[int, dict[str, Any]] = {}
    for r in rows:
        side = r.get("dbt_migrate_side")
        if side not in ("legacy", "model", "changed"):
            continue
        key = {_label(k): r.get(f"k{i}") for i, k in enumerate(keys)}
        if side in ("legacy", "changed") and len(ex_l) < 5:
            ex_l.append({**key, **{_label(n): r.get(f"l_c{i}") for i, n in enumerate(names)}})
        if side in ("model", "changed") and len(ex_m) < 5:
            ex_m.append({**key, **{_label(n): r.get(f"m_c{i}") for i, n in enumerate(names)}})
        if side == "changed":
            for i in range(len(names)):
                if _int(r.get(f"d_c{i}")) and i not in column_example:
                    column_example[i] = {**key, "legacy": r.get(f"l_c{i}"), "model": r.get(f"m_c{i}")}
    t = rules.thresholds
    columns = []
    for i, name in enumerate(names):
        mismatches = _int(first.get(f"m{i}"))
        count_limit, pct_limit = _column_threshold(t, name)
        tolerated = mismatches > 0 and _within(mismatches, compared, count_limit, pct_limit)
        columns.append(
            ColumnDiff(
                column=_label(name),
                mismatches=mismatches,
                compared=compared,
                tolerated=tolerated,
                example=column_example.get(i),
            )
        )
    differing = [c for c in columns if c.mismatches]
    untolerated = [c for c in differing if not c.tolerated]
    only_l, only_m = missing_m + changed, missing_l + changed
    report = Report(
        type="data",
        status="match",
        only_in_legacy=only_l,
        only_in_model=only_m,
        examples_legacy=ex_l,
        examples_model=ex_m,
        columns=columns,
    )
    parts = []
    if missing_m:
        parts.append(f"{missing_m} keys missing in model")
    if missing_l:
        parts.append(f"{missing_l} keys missing in legacy")
    if differing:
        parts.append(", ".join(f"{c.column} differs in {c.mismatches}" for c in differing))
    if not parts:
        report.message = f"{compared} rows compared on the key, all equal"
        return report, legacy_rows, model_rows
    report.message = "; ".join(parts)
    rows_ok = _rows_ok(t, legacy_rows, missing_m, missing_l)
    changed_ok = not untolerated or _rows_ok(t, legacy_rows, changed)
    report.status = "match" if rows_ok and changed_ok else "mismatch"
    report.passed_by_threshold = report.status == "match"
    return report, legacy_rows, model_rows


def aggregate_stats(measures: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    """(result column, label) per statistic, in the macro's order: count, then sum/min/max."""
    stats = [("n", "count(*)")]
    for i, (name, numeric) in enumerate(measures):
        if numeric:
            stats.append((f"s{i}", f"sum({name})"))
        stats.append((f"lo{i}", f"min({name})"))
        stats.append((f"hi{i}", f"max({name})"))
    return stats


def aggregate_report(
    raw: dict[str, Any], groups: list[str], measures: list[tuple[str, bool]], rules: TableRules
) -> tuple[Report, int, int]:
    rows = _rows(raw)
    t0 = _Totals(rows)
    first, legacy_rows, model_rows = t0.first, t0.legacy_rows, t0.model_rows
    missing_m, missing_l, compared = t0.missing_m, t0.missing_l, t0.compared
    stats = aggregate_stats(measures)
    ex_l: list[dict[str, Any]] = []
    ex_m: list[dict[str, Any]] = []
    examples: dict[str, dict[str, Any]] = {}
    for r in rows:
        side = r.get("dbt_migrate_side")
        if side not in ("legacy", "model", "changed"):
            continue
        group = {g: r.get(f"g{i}") for i, g in enumerate(groups)}
        if side in ("legacy", "changed"):
            ex_l.append({**group, **{label: r.get(f"l_{col}") for col, label in stats}})
        if side in ("model", "changed"):
            ex_m.append({**group, **{label: r.get(f"m_{col}") for col, label in stats}})
        for col, label in stats:
            if side == "changed" and _int(r.get(f"d_{col}")) and label not in examples:
                examples[label] = {**group, "legacy": r.get(f"l_{col}"), "model": r.get(f"m_{col}")}
    t = rules.thresholds
    columns = []
    for col, label in stats:
        mismatches = _int(first.get(f"mm_{col}"))
        measure = label[label.find("(") + 1 : -1]
        count_limit, pct_limit = _column_threshold(t, measure)
        columns.append(
            ColumnDiff(
                column=label,
                mismatches=mismatches,
                compared=compared,
                tolerated=mismatches > 0 and _within(mismatches, compared, count_limit, pct_limit),
                example=examples.get(label),
            )
        )
    differing = [c for c in columns if c.mismatches]
    report = Report(
        type="aggregate",
        status="match",
        only_in_legacy=missing_m,
        only_in_model=missing_l,
        examples_legacy=ex_l[:5],
        examples_model=ex_m[:5],
        columns=columns,
    )
    parts = []
    if missing_m or missing_l:
        parts.append(f"{missing_m} groups only in legacy, {missing_l} only in model")
    if differing:
        parts.append(", ".join(f"{c.column} differs in {c.mismatches} groups" for c in differing))
    if not parts:
        report.message = f"{compared} groups, every aggregate equal"
        return report, legacy_rows, model_rows
    report.message = "; ".join(parts)
    ok = _rows_ok(t, compared + missing_m, missing_m, missing_l) and all(c.tolerated for c in differing)
    report.status = "match" if ok else "mismatch"
    report.passed_by_threshold = ok
    return report, legacy_rows, model_rows
