"""Which inputs can change an incremental model's rows, and where its watermark filter goes.

A merge model re-reads a row when anything it is computed from changed: the driving table's
change column, but also each joined table's (a region renamed must update every store in it).
``change_column`` names an input's change column; ``place_after_join`` puts one
``dbt_migrate.watermark_filter(<watermark>, changed_columns=[...])`` into the SELECT that joins
every input, or says why it cannot (an input without a change column, inputs not joined in one
SELECT, an aggregation over them): the model then re-reads its inputs fully and merges.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from .. import escaping

# A change column is named like one and holds a point in time.
_CHANGE_NAME = re.compile(r"modif|updat|chang|last_?mod|row_?version", re.IGNORECASE)
_TEMPORAL = re.compile(r"date|time", re.IGNORECASE)


def change_column(watermark: str, columns: Iterable[tuple[str, str]]) -> str | None:
    """The input's change column, as written: the model's watermark column when the input has it,
    else a date/time column named like a change column (``ModifiedDate``, ``UpdatedAt``)."""
    cols = list(columns)
    for name, _ in cols:
        if name.lower() == watermark.lower():
            return name
    for name, sql_type in cols:
        if _CHANGE_NAME.search(name) and _TEMPORAL.search(sql_type or ""):
            return name
    return None


class ChangeColumns(Mapping[str, "str | None"]):
    """Input key -> its change column (None: it has none), worked out per input when asked:
    a conversion looks at its own inputs only, never at every table of the warehouse."""

    def __init__(self, watermark: str, tables: Mapping[str, Sequence]):
        self._watermark, self._tables = watermark, tables
        self._known: dict[str, str | None] = {}

    def __getitem__(self, key: str) -> str | None:
        if key not in self._known:
            cols = self._tables.get(key) or ()
            self._known[key] = change_column(self._watermark, [(c.name, c.sql_type) for c in cols])
        return self._known[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


@dataclass
class Placement:
    """Where the filter went (``select``), or why there is none (``reason``)."""

    select: exp.Select | None = None
    changed_columns: tuple[str, ...] = ()
    reason: str | None = None


def _sources(select: exp.Select) -> list[exp.Table]:
    src = select.args.get("from_") or select.args.get("from")
    tables = [src.this] if src is not None and isinstance(src.this, exp.Table) else []
    return tables + [j.this for j in select.args.get("joins") or [] if isinstance(j.this, exp.Table)]


def place_after_join(
    bodies: list[exp.Expr],
    imports: dict[str, str],
    change_columns: Mapping[str, str | None],
    condition: Callable[[tuple[str, ...]], exp.Expr],
) -> Placement:
    """Filter the SELECT (among ``bodies``) that reads every import CTE, on every input's change
    column. ``imports``: input table key -> its import CTE's name; ``condition(changed_columns)``
    builds the filter. Nothing is changed when the answer is a reason."""
    missing = sorted(key for key in imports if not change_columns.get(key))
    if missing:
        return Placement(reason=f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no change column")
    by_cte = {cte.lower(): key for key, cte in imports.items()}
    for body in bodies:
        for select in body.find_all(exp.Select):
            tables = [t for t in _sources(select) if not t.db and t.name.lower() in by_cte]
            if {by_cte[t.name.lower()] for t in tables} != set(imports):
                continue
            if select.args.get("group") or any(
                isinstance(e, exp.AggFunc) for p in select.expressions for e in p.walk()
            ):
                return Placement(reason="the inputs are aggregated in the SELECT that joins them")
            changed = []
            for t in tables:
                column = change_columns[by_cte[t.name.lower()]] or ""
                escaping.check_name(column, field="change column of " + by_cte[t.name.lower()])
                changed.append(f"{t.alias_or_name}.{column}")
            select.where(condition(tuple(changed)), copy=False)
            return Placement(select=select, changed_columns=tuple(changed))
    return Placement(reason="its inputs are not joined in one SELECT")


def watermark_warnings(
    watermark: str | None, filtered: bool, unfiltered_because: str | None, merges: bool
) -> list[str]:
    """What the user is told about an incremental model's filter (or its absence)."""
    if unfiltered_because and merges:
        return [
            f"no watermark filter: {unfiltered_because}, so a change there could not pass one; "
            "every incremental run re-reads all inputs and merges on the unique key"
        ]
    if unfiltered_because:
        return [
            f"watermark filter on the driving table only: {unfiltered_because}, and the legacy "
            "procedure does not filter on its target; an append model cannot re-read rows without "
            "duplicating them, so changes arriving through the other inputs are not loaded "
            "(a keyed classification, e.g. fact_accumulating_snapshot, would merge them)"
        ]
    if watermark and not filtered:
        return [f"watermark column {watermark} not found in any input: no incremental filter"]
    return []
