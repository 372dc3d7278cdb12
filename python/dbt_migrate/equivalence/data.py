"""Data check: the legacy SQL and the model on the same rows in an in-memory DuckDB, compared as
multisets (numbers within a tolerance), on every scenario of ``edges.scenarios``."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import re
import threading
from collections import Counter
from typing import Any

import duckdb

from ..names import split_name
from .edges import Scenario, TableDef
from .features import AUDIT_COLUMNS
from .report import Check

SAMPLE = 3
DECIMALS = 4
_TEXT = re.compile(r"CHAR|TEXT|STRING")
_BOOLEANS = {"true": 1, "false": 0, "1": 1, "0": 0, "t": 1, "f": 0}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(key: str) -> str:
    schema, table = split_name(key)
    return f"{_ident(schema)}.{_ident(table)}" if schema else _ident(table)


def _norm(value: Any, type_name: str = "") -> Any:
    if value is None:
        return None
    t = type_name.upper()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return round(float(value), DECIMALS)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if t and _TEXT.search(t) and isinstance(value, (int, float, decimal.Decimal)):
        return str(value)  # dbt casts a fixture's number to the text column's type
    if isinstance(value, str) and t:
        # test-spec values are JSON: read them as the model's column type, as dbt casts them
        if t == "BOOLEAN" and value.strip().lower() in _BOOLEANS:
            return _BOOLEANS[value.strip().lower()]
        try:
            if any(x in t for x in ("INT", "DECIMAL", "DOUBLE", "FLOAT", "NUMERIC", "REAL")):
                return round(float(value), DECIMALS)
            if t.startswith("TIMESTAMP"):
                return dt.datetime.fromisoformat(value).isoformat(sep=" ")
            if t == "DATE":
                return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return value
    return value


_LOCAL = threading.local()
_SANDBOXES = itertools.count()


def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per thread, kept for the process: connecting costs ~17 ms, about as
    much as a whole check, and a batch checks hundreds of models."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect(":memory:")
    return con


class Sandbox:
    """A fresh attached in-memory database holding every input table, reloaded per scenario.
    Queries name tables as ``schema.table``; ``USE`` makes those resolve inside this sandbox."""

    def __init__(self, tables: dict[str, TableDef]):
        self.con = _connection()
        self.db = f"sandbox_{next(_SANDBOXES)}"
        self.con.execute(f"attach ':memory:' as {self.db}")
        self.con.execute(f"use {self.db}")
        self.tables = tables
        ddl = []
        for key, table in tables.items():
            schema, _ = split_name(key)
            if schema:
                ddl.append(f"create schema if not exists {_ident(schema)}")
            cols = ", ".join(f"{_ident(c.name)} {c.type or 'varchar'}" for c in table.columns)
            ddl.append(f"create table {_qualified(key)} ({cols})")
        if ddl:
            try:
                self.con.execute(";\n".join(ddl))
            except BaseException:
                self.close()  # the shared connection must not stay inside a half-made sandbox
                raise

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.con.execute(";\n".join(f"delete from {_qualified(key)}" for key in self.tables))
        for key, table in self.tables.items():
            data = rows.get(key) or []
            if not data:
                continue
            known = {c.name.lower(): c.name for c in table.columns}
            names = [known[k.lower()] for k in data[0] if k.lower() in known]
            one = f"({', '.join('?' for _ in names)})"
            # One multi-row INSERT: executemany would run one statement per row.
            sql = (
                f"insert into {_qualified(key)} ({', '.join(_ident(n) for n in names)}) "
                f"values {', '.join(one for _ in data)}"
            )
            lower = [{k.lower(): v for k, v in r.items()} for r in data]
            self.con.execute(sql, [r.get(n.lower()) for r in lower for n in names])

    def query(self, sql: str) -> tuple[list[str], list[str], list[tuple]]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        types = [str(d[1]) for d in cur.description]
        return names, types, cur.fetchall()

    def close(self) -> None:
        self.con.execute("use memory")
        self.con.execute(f"detach {self.db}")


def _multiset(names: list[str], types: list[str], rows: list[Any], columns: list[str], dicts: bool = False) -> Counter:
    index = {n.lower(): i for i, n in enumerate(names)}
    out: Counter = Counter()
    for r in rows:
        if dicts:
            lower = {k.lower(): v for k, v in r.items()}
            out[tuple(_norm(lower.get(c), types[index[c]] if c in index else "") for c in columns)] += 1
        else:
            out[tuple(_norm(r[index[c]]) for c in columns)] += 1
    return out


def _sample(counter: Counter, columns: list[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row)) for row in list(counter.elements())[:SAMPLE]]


def _diff(ref: tuple, mod: tuple) -> tuple[Counter, Counter, list[str]]:
    """Rows only in the reference / only in the model, on the columns both have."""
    r_names, r_types, r_rows, dicts = ref
    m_names, m_types, m_rows = mod
    columns = sorted({n.lower() for n in r_names} & ({n.lower() for n in m_names} - AUDIT_COLUMNS))
    a = _multiset(r_names, r_types, r_rows, columns, dicts)
    b = _multiset(m_names, m_types, m_rows, columns)
    return a - b, b - a, columns


def run(
    legacy_sql: str, model_sql: str, tables: dict[str, TableDef], cases: list[Scenario]
) -> tuple[Check, dict[str, Any]]:
    """Both queries on every scenario. The legacy SQL is the reference when it reproduces every
    test-spec expectation on DuckDB; otherwise (a T-SQL construct DuckDB reads differently) the
    expectations are the only reference and the edge scenarios are not compared."""
    try:
        box = Sandbox(tables)
    except duckdb.Error as exc:  # a legacy column type DuckDB cannot create: no rows to compare
        detail = str(exc).splitlines()[0]
        return (
            Check("data", "divergence", f"inconclusive: the input tables cannot be created on DuckDB ({detail})"),
            {
                "status": "inconclusive",
                "scenarios": [],
                "compared": 0,
                "skipped": len(cases),
                "legacy_reference": False,
                "error": detail,
            },
        )
    runs = []
    unloaded: list[dict[str, Any]] = []  # scenarios whose rows DuckDB refused: not compared
    try:
        for case in cases:
            entry: dict[str, Any] = {"scenario": case.name}
            try:
                box.load(case.rows)
            except duckdb.Error as exc:  # a value the column's DuckDB type refuses: this scenario only
                entry["load_error"] = str(exc).splitlines()[0]
                unloaded.append(entry)
                continue
            model = legacy = None
            try:
                model = box.query(model_sql)
                entry["model_rows"] = len(model[2])
            except duckdb.Error as exc:
                entry["model_error"] = str(exc).splitlines()[0]
            try:
                legacy = box.query(legacy_sql)
                entry["legacy_rows"] = len(legacy[2])
            except duckdb.Error as exc:
                entry["legacy_error"] = str(exc).splitlines()[0]
            runs.append((case, entry, model, legacy))
    finally:
        box.close()

    def expect_ref(case: Scenario, model: tuple | None) -> tuple:
        assert case.expect is not None, "expect_ref is only called for scenarios with expectations"
        names = list({k: None for r in case.expect for k in r})
        by_model = {n.lower(): t for n, t in zip(model[0], model[1])} if model else {}
        return names, [by_model.get(n.lower(), "") for n in names], case.expect, True

    # Is the legacy SQL on DuckDB faithful? It must reproduce every expectation.
    unfaithful = []
    for case, entry, _, legacy in runs:
        if case.expect is None:
            continue
        if legacy is None:
            unfaithful.append(f"{case.name}: {entry.get('legacy_error')}")
            continue
        only_l, only_e, _ = _diff(expect_ref(case, legacy), legacy)
        if only_l or only_e or len(legacy[2]) != len(case.expect):
            unfaithful.append(f"{case.name}: legacy SQL on DuckDB differs from the expectation")
    faithful = not unfaithful

    problems, skipped, compared = [], [], 0
    for case, entry, model, legacy in runs:
        if model is None:
            if legacy is None and case.expect is None:
                # Generated rows the legacy fails on too (a value past its decimal column, say):
                # SQL Server would refuse them as well, so there is nothing to compare.
                skipped.append(case.name)
                continue
            problems.append(f"{case.name}: the model fails on DuckDB ({entry['model_error']})")
            continue
        # What dbt's unit tests compare, and nothing more: a scenario with an expectation is judged
        # on the expectation's columns alone (a model whose unit tests pass is never a gap on
        # them); the legacy SQL is the reference only on generated edge rows.
        refs = []
        if case.expect is not None:
            refs.append(("expect", expect_ref(case, model)))
        elif legacy is not None and faithful:
            refs.append(("legacy", (legacy[0], legacy[1], legacy[2], False)))
        if not refs:
            skipped.append(case.name)
            continue
        compared += 1
        for label, ref in refs:
            only_ref, only_mod, columns = _diff(ref, model)
            if not only_ref and not only_mod:
                continue
            suffix = "" if label == "legacy" else f"_vs_{label}"
            entry[f"only_in_{label}"] = sum(only_ref.values())
            entry[f"only_in_model{suffix}"] = sum(only_mod.values())
            entry[f"sample_only_in_{label}"] = _sample(only_ref, columns)
            entry[f"sample_only_in_model{suffix}"] = _sample(only_mod, columns)
            who = "the test-spec expectation" if label == "expect" else "legacy"
            example = _sample(only_ref, columns)[:1] or _sample(only_mod, columns)[:1]
            problems.append(
                f"{case.name}: {sum(only_ref.values())} row(s) only in {who}, "
                f"{sum(only_mod.values())} only in the model (e.g. {example})"
            )
    data: dict[str, Any] = {
        "scenarios": [r[1] for r in runs] + unloaded,
        "compared": compared,
        "skipped": len(skipped) + len(unloaded),
        "legacy_reference": faithful,
    }
    if not faithful:
        data["legacy_not_faithful"] = unfaithful[:3]
    if problems:
        data["status"] = "gap"
        more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
        return Check("data", "gap", "; ".join(problems[:2]) + more), data
    if compared == 0:
        data["status"] = "inconclusive"
        return Check(
            "data",
            "divergence",
            "inconclusive: the legacy SQL does not run faithfully on DuckDB and no scenario has an expectation",
        ), data
    data["status"] = "match"
    note = ""
    if skipped:
        note = (
            f"; {len(skipped)} edge scenario(s) not compared: the legacy SQL does not reproduce the "
            "expectations on DuckDB"
        )
    return Check("data", "match", f"{compared} scenario(s) give the same rows{note}"), data


# What the multi-round check (``rounds``) shares with this one.
ident = _ident
qualified = _qualified
diff_rows = _diff
sample = _sample
