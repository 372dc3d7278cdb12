"""Offline stand-ins for the dbt Jinja a generated model calls: one home for all of them.

The equivalence check renders models without dbt and the sqlfluff templater (``sqlfluff_libs/``)
lints generated models; both need ``dbt.<cross-database macro>()``,
``dbt_migrate.watermark_filter()`` and ``dbt_migrate.surrogate_integer()`` to produce the SQL dbt
would on DuckDB outside an incremental run. They get it here. The e2e test
``test_rules_match_macros.py`` renders the real macros through dbt-duckdb and evaluates both
sides in DuckDB, so a stand-in that drifts from dbt fails CI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .rules import FULL_REFRESH_PREDICATE


class UnknownMacro(Exception):
    """A model called a macro no stand-in exists for."""


def _unknown(namespace: str, name: str) -> Any:
    raise UnknownMacro(f"{namespace}.{name}() has no offline stand-in")


class DbtStandins:
    """``dbt.<macro>()`` as dbt-duckdb renders it. ``on_unknown(namespace, name)`` decides what an
    unknown macro gives: raise (the default) or a value of the caller's choosing."""

    def __init__(self, on_unknown: Callable[[str, str], Any] = _unknown):
        self._on_unknown = on_unknown

    def current_timestamp(self) -> str:
        return "now()"

    def current_timestamp_backcompat(self) -> str:
        return "current_timestamp::timestamp"

    def type_string(self) -> str:
        return "TEXT"

    def type_int(self) -> str:
        return "integer"

    def type_bigint(self) -> str:
        return "bigint"

    def type_timestamp(self) -> str:
        return "timestamp"

    def type_numeric(self) -> str:
        return "numeric(28,6)"

    def type_float(self) -> str:
        return "float"

    def type_boolean(self) -> str:
        return "boolean"

    def dateadd(self, datepart: str, interval: Any, from_date_or_timestamp: str) -> str:
        unit = str(datepart).lower()
        if unit == "quarter":
            return f"({from_date_or_timestamp} + (cast({interval} as bigint) * 3) * interval 1 month)"
        if unit == "week":
            return f"({from_date_or_timestamp} + (cast({interval} as bigint) * 7) * interval 1 day)"
        return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {unit})"

    def datediff(self, first_date: str, second_date: str, datepart: str) -> str:
        return f"(date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp ))"

    def date_trunc(self, datepart: str, date: str) -> str:
        return f"date_trunc('{datepart}', {date})"

    def concat(self, fields: list[str]) -> str:
        return " || ".join(str(f) for f in fields)

    def safe_cast(self, field: str, type: str) -> str:  # noqa: A002 - dbt's argument name
        return f"cast({field} as {type})"  # dbt-duckdb's safe_cast is a plain cast

    def cast(self, field: str, type: str) -> str:  # noqa: A002 - dbt's argument name
        return f"cast({field} as {type})"

    def hash(self, field: str) -> str:
        return f"md5(cast({field} as TEXT))"

    def length(self, expression: str) -> str:
        return f"length(\n        {expression}\n    )"

    def replace(self, field: str, old_chars: str, new_chars: str) -> str:
        return f"replace(\n        {field},\n        {old_chars},\n        {new_chars}\n    )"

    def split_part(self, string_text: str, delimiter_text: str, part_number: Any) -> str:
        return f"string_split({string_text}, {delimiter_text})[ {part_number} ]"

    def any_value(self, expression: str) -> str:
        return f"arbitrary({expression})"

    def __getattr__(self, name: str) -> Any:
        return self._on_unknown("dbt", name)


class DbtMigrateStandins:
    """The package's macros a model may call, as they render outside an incremental run; with
    ``this`` (the model's existing relation, as SQL) as they render on an incremental run."""

    def __init__(self, on_unknown: Callable[[str, str], Any] = _unknown, this: str | None = None):
        self._on_unknown = on_unknown
        self._this = this

    def watermark_filter(self, column: str = "", lookback: Any = None, changed_columns: Any = None) -> str:
        if self._this is None:
            return FULL_REFRESH_PREDICATE
        column = column.strip()
        current_max = f"(select max({column}) from {self._this})"
        bound = DbtStandins().dateadd("day", -1 * int(lookback), current_max) if lookback else current_max
        changed = [str(c).strip() for c in changed_columns] if changed_columns is not None else [column]
        return "(" + " or ".join(f"{c} > {bound}" for c in changed) + f" or {current_max} is null)"

    def surrogate_integer(self, columns: list[str]) -> str:
        """``duckdb__surrogate_integer``: the first 15 hex digits of the md5 of the values' text."""
        parts: list[str] = []
        for i, column in enumerate(columns):
            parts += (["'|'"] if i else []) + [f"coalesce(cast({str(column).strip()} as TEXT), '_dbtm_null_')"]
        text = DbtStandins().concat(parts)
        return f"cast('0x' || substr(md5({text}), 1, 15) as bigint)"

    def __getattr__(self, name: str) -> Any:
        return self._on_unknown("dbt_migrate", name)


# What ``tests/e2e/test_rules_match_macros.py`` evaluates on both sides: (macro, args).
PINNED_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("current_timestamp", ()),
    ("type_string", ()),
    ("type_int", ()),
    ("type_bigint", ()),
    ("type_timestamp", ()),
    ("type_numeric", ()),
    ("type_float", ()),
    ("type_boolean", ()),
    ("dateadd", ("day", 3, "date '2024-01-30'")),
    ("dateadd", ("month", 1, "date '2024-01-31'")),
    ("dateadd", ("quarter", 1, "date '2024-01-31'")),
    ("dateadd", ("week", 2, "date '2024-01-31'")),
    ("datediff", ("date '2024-01-01'", "date '2024-03-05'", "day")),
    ("datediff", ("date '2024-01-01'", "date '2024-03-05'", "month")),
    ("date_trunc", ("month", "date '2024-03-05'")),
    ("concat", (["'a'", "'b'", "'c'"],)),
    ("safe_cast", ("'12'", "integer")),
    ("cast", ("'12'", "integer")),
    ("hash", ("'abc'",)),
    ("length", ("'abcd'",)),
    ("replace", ("'abcabc'", "'b'", "'x'")),
    ("split_part", ("'a,b,c'", "','", 2)),
    ("any_value", ("x",)),
]
