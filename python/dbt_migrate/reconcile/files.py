"""Reading a round's files on this machine: a CSV or Parquet file's column names (checked before
anything is loaded), and its typed rows for a warehouse that cannot read the file itself
(PostgreSQL: the values travel to the load macro as literals). DuckDB, in memory, reads both
formats with the same inference as the warehouse's own ``read_csv_auto``."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
from pathlib import Path
from typing import Any

from ..errors import InputError

# DuckDB's inferred types -> a PostgreSQL column type that keeps the value exactly.
_PG_TYPES = (
    (("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"), "bigint"),
    (("DOUBLE", "FLOAT", "DECIMAL", "REAL"), "numeric"),
    (("TIMESTAMP WITH TIME ZONE",), "timestamptz"),
    (("TIMESTAMP",), "timestamp"),
    (("DATE",), "date"),
    (("TIME",), "time"),
    (("BOOLEAN",), "boolean"),
)


def file_format(path: Path) -> str:
    return "parquet" if path.suffix.lower() == ".parquet" else "csv"


def header(path: Path) -> list[str]:
    """The column names of a CSV (first line) or Parquet file; InputError when unreadable."""
    try:
        if file_format(path) == "csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                first = next(csv.reader(fh), None)
            if not first:
                raise InputError(f"{path}: empty file (a CSV needs a header line)")
            return [c.strip() for c in first]
        import duckdb

        with duckdb.connect() as con:
            return [d[0] for d in con.execute("select * from read_parquet(?) limit 0", [str(path)]).description]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read it: {exc}") from None
    except Exception as exc:  # duckdb's own errors: a corrupt Parquet file
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path}: cannot read it: {exc}") from None


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (decimal.Decimal, dt.date, dt.datetime, dt.time)):
        return str(value)
    return str(value)


def typed_rows(path: Path) -> tuple[list[str], list[str], list[list[Any]]]:
    """(column names, PostgreSQL types, rows of JSON-safe values) of a CSV or Parquet file."""
    import duckdb

    reader = "read_parquet(?)" if file_format(path) == "parquet" else "read_csv_auto(?, header = true)"
    with duckdb.connect() as con:
        cur = con.execute(f"select * from {reader}", [str(path)])
        names = [d[0] for d in cur.description]
        types = [_pg_type(str(d[1])) for d in cur.description]
        rows = [[_json_safe(v) for v in row] for row in cur.fetchall()]
    return names, types, rows


def _pg_type(duck: str) -> str:
    upper = duck.upper()
    for prefixes, pg in _PG_TYPES:
        if any(upper.startswith(p) for p in prefixes):
            return pg
    return "text"
