"""Input rows for the data check: every test-spec ``given`` set plus generated edge cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

NUMERIC = re.compile(r"^(tinyint|smallint|integer|int|bigint|hugeint|decimal|numeric|double|float|real)", re.I)
DATE = re.compile(r"^(date|timestamp|datetime)", re.I)


@dataclass
class Column:
    name: str
    type: str  # DuckDB type
    nullable: bool = True


@dataclass
class TableDef:
    key: str  # normalized schema.table
    columns: list[Column]
    keys: set[str] = field(default_factory=set)  # lower-case key columns: kept on boundary rows


@dataclass
class Scenario:
    name: str
    rows: dict[str, list[dict[str, Any]]]  # table key -> rows
    expect: list[dict[str, Any]] | None = None  # ground truth rows (test spec), when known


def _boundaries(col: Column) -> list[Any]:
    t = col.type.lower()
    if DATE.match(t):
        return ["1900-01-01", "2023-12-31", "2024-01-01", "9999-12-31"]
    if t.startswith(("smallint", "tinyint", "boolean")):
        return [0, 1]
    m = re.match(r"(?:decimal|numeric)\((\d+),\s*(\d+)\)", t)
    if m:
        top = min(10 ** (int(m.group(1)) - int(m.group(2))) - 1, 100000)
        return [0, -1, top]
    if NUMERIC.match(t):
        return [0, -1, 100000]
    return []


def _synthetic(table: TableDef) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for c in table.columns:
        t = c.type.lower()
        if DATE.match(t):
            row[c.name] = "2024-01-15"
        elif NUMERIC.match(t):
            row[c.name] = 1
        else:
            row[c.name] = "a"
    return row


def _dedup(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for r in rows:
        k = repr(sorted(r.items()))
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def scenarios(tables: dict[str, TableDef], givens: list[Scenario]) -> list[Scenario]:
    """Given sets as they are, then edge sets built on the union of all given rows per table:
    empty inputs, a NULL in each nullable column, every row twice, boundary dates and numbers."""
    out = list(givens)
    base: dict[str, list[dict[str, Any]]] = {}
    for key, table in tables.items():
        rows = _dedup([r for g in givens for r in g.rows.get(key, [])])
        base[key] = rows or [_synthetic(table)]
    out.append(Scenario("edge: empty inputs", {k: [] for k in tables}))
    out.append(Scenario("edge: all given rows", base))
    nulls: dict[str, list[dict[str, Any]]] = {}
    for key, table in tables.items():
        rows = list(base[key])
        for c in table.columns:
            if c.nullable:
                rows.append({**base[key][0], c.name: None})
        nulls[key] = rows
    out.append(Scenario("edge: NULL in each nullable column", nulls))
    out.append(Scenario("edge: duplicate keys", {k: rows + rows for k, rows in base.items()}))
    bounds: dict[str, list[dict[str, Any]]] = {}
    for key, table in tables.items():
        rows = list(base[key])
        for i in range(4):
            for r in base[key]:
                new = dict(r)
                for c in table.columns:
                    values = _boundaries(c)
                    if values and c.name.lower() not in table.keys:
                        new[c.name] = values[i % len(values)]
                rows.append(new)
        bounds[key] = rows
    out.append(Scenario("edge: boundary dates and numbers", bounds))
    return out
