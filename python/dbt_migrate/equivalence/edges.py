"""Input rows for the data check: every test-spec ``given`` set plus generated edge cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlglot import exp

_T = exp.DataType.Type
_SMALL = {_T.SMALLINT, _T.TINYINT, _T.UTINYINT, _T.BOOLEAN, _T.BIT}


@lru_cache(maxsize=512)
def _parsed(type_sql: str) -> exp.DataType | None:
    """The DuckDB type as a sqlglot DataType (None when it is not a type sqlglot knows)."""
    try:
        return exp.DataType.build(type_sql or "text", dialect="duckdb")
    except Exception:
        return None


# Classifications are cached per type text: sqlglot's is_type builds its DataTypes on every call.
@lru_cache(maxsize=512)
def _is_date(type_sql: str) -> bool:
    dt = _parsed(type_sql)
    return dt is not None and dt.is_type(*exp.DataType.TEMPORAL_TYPES)


@lru_cache(maxsize=512)
def _is_numeric(type_sql: str) -> bool:
    dt = _parsed(type_sql)
    return dt is not None and dt.is_type(*exp.DataType.NUMERIC_TYPES)


@lru_cache(maxsize=512)
def _decimal_digits(type_sql: str) -> tuple[int, int] | None:
    """(precision, scale) of a decimal type with both given."""
    dt = _parsed(type_sql)
    if dt is None or not dt.is_type(_T.DECIMAL) or len(dt.expressions) != 2:
        return None
    try:
        return tuple(int(e.name) for e in dt.expressions)  # type: ignore[return-value]
    except ValueError:
        return None


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


EDGE_ALL_ROWS = "edge: all given rows"


@lru_cache(maxsize=512)
def _boundaries(type_sql: str) -> tuple[Any, ...]:
    if _is_date(type_sql):
        return ("1900-01-01", "2023-12-31", "2024-01-01", "9999-12-31")
    dt = _parsed(type_sql)
    if dt is not None and dt.this in _SMALL:
        return (0, 1)
    digits = _decimal_digits(type_sql)
    if digits:
        top = min(10 ** (digits[0] - digits[1]) - 1, 100000)
        return (0, -1, top)
    if _is_numeric(type_sql):
        return (0, -1, 100000)
    return ()


def _synthetic(table: TableDef) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for c in table.columns:
        if _is_date(c.type):
            row[c.name] = "2024-01-15"
        elif _is_numeric(c.type):
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
    out.append(Scenario(EDGE_ALL_ROWS, base))
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
                    values = _boundaries(c.type)
                    if values and c.name.lower() not in table.keys:
                        new[c.name] = values[i % len(values)]
                rows.append(new)
        bounds[key] = rows
    out.append(Scenario("edge: boundary dates and numbers", bounds))
    return out


is_date = _is_date
is_numeric = _is_numeric
