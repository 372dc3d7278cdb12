"""Data check: the legacy SQL and the model on the same rows in an in-memory DuckDB, compared as
multisets (numbers within a tolerance), on every scenario of ``edges.scenarios``."""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter
from typing import Any

import duckdb

from ..names import split_name
from .edges import Scenario, TableDef
from .report import Check
from .shape import AUDIT_COLUMNS

SAMPLE = 3
DECIMALS = 4


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
    if isinstance(value, str) and t:
        # test-spec values are JSON: read them as the model's column type
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


class Sandbox:
    """One in-memory DuckDB holding every input table, reloaded per scenario."""

    def __init__(self, tables: dict[str, TableDef]):
        self.con = duckdb.connect(":memory:")
        self.tables = tables
        for key, table in tables.items():
            schema, _ = split_name(key)
            if schema:
                self.con.execute(f"create schema if not exists {_ident(schema)}")
            cols = ", ".join(f"{_ident(c.name)} {c.type or 'varchar'}" for c in table.columns)
            self.con.execute(f"create table {_qualified(key)} ({cols})")

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        for key, table in self.tables.items():
            self.con.execute(f"delete from {_qualified(key)}")
            data = rows.get(key) or []
            if not data:
                continue
            known = {c.name.lower(): c.name for c in table.columns}
            names = [known[k.lower()] for k in data[0] if k.lower() in known]
            sql = (f"insert into {_qualified(key)} ({', '.join(_ident(n) for n in names)}) "
                   f"values ({', '.join('?' for _ in names)})")
            lower = [{k.lower(): v for k, v in r.items()} for r in data]
            self.con.executemany(sql, [[r.get(n.lower()) for n in names] for r in lower])

    def query(self, sql: str) -> tuple[list[str], list[str], list[tuple]]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        types = [str(d[1]) for d in cur.description]
        return names, types, cur.fetchall()

    def close(self) -> None:
        self.con.close()


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


def run(legacy_sql: str, model_sql: str, tables: dict[str, TableDef], cases: list[Scenario]) -> tuple[Check, dict[str, Any]]:
    box = Sandbox(tables)
    results, problems, skipped = [], [], []
    try:
        for case in cases:
            box.load(case.rows)
            entry: dict[str, Any] = {"scenario": case.name}
            results.append(entry)
            try:
                m_names, m_types, m_rows = box.query(model_sql)
            except duckdb.Error as exc:
                message = str(exc).splitlines()[0]
                entry["model_error"] = message
                problems.append(f"{case.name}: the model fails on DuckDB ({message})")
                continue
            refs: list[tuple[str, list[str], list[str], list[Any], bool]] = []
            try:
                l_names, l_types, l_rows = box.query(legacy_sql)
                refs.append(("legacy", l_names, l_types, l_rows, False))
            except duckdb.Error as exc:
                entry["legacy_error"] = str(exc).splitlines()[0]
            if case.expect is not None:
                e_names = list({k: None for r in case.expect for k in r})
                by_model = {n.lower(): t for n, t in zip(m_names, m_types)}
                refs.append(("test-spec expect", e_names, [by_model.get(n.lower(), "") for n in e_names],
                             case.expect, True))
            if not refs:
                skipped.append(case.name)
                entry["skipped"] = "the legacy SQL does not run on DuckDB and there is no expectation"
                continue
            model_cols = {n.lower() for n in m_names} - AUDIT_COLUMNS
            entry["model_rows"] = len(m_rows)
            for label, r_names, r_types, r_rows, dicts in refs:
                columns = sorted({n.lower() for n in r_names} & model_cols)
                ref = _multiset(r_names, r_types, r_rows, columns, dicts)
                mod = _multiset(m_names, m_types, m_rows, columns)
                only_ref, only_mod = ref - mod, mod - ref
                key = "legacy" if label == "legacy" else "expect"
                entry[f"{key}_rows"] = sum(ref.values())
                if only_ref or only_mod:
                    entry[f"only_in_{key}"] = sum(only_ref.values())
                    entry["only_in_model" if key == "legacy" else "only_in_model_vs_expect"] = sum(only_mod.values())
                    entry[f"sample_only_in_{key}"] = _sample(only_ref, columns)
                    entry["sample_only_in_model" if key == "legacy" else "sample_only_in_model_vs_expect"] = \
                        _sample(only_mod, columns)
                    problems.append(
                        f"{case.name}: {sum(only_ref.values())} row(s) only in {label}, "
                        f"{sum(only_mod.values())} only in the model"
                        + (f" (e.g. {_sample(only_ref, columns)[:1] or _sample(only_mod, columns)[:1]})")
                    )
    finally:
        box.close()
    compared = len(cases) - len(skipped)
    data = {"scenarios": results, "compared": compared, "skipped": len(skipped)}
    if problems:
        data["status"] = "gap"
        more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
        return Check("data", "gap", "; ".join(problems[:2]) + more), data
    if compared == 0:
        data["status"] = "inconclusive"
        return Check("data", "divergence", "inconclusive: the legacy SQL does not run on DuckDB and no "
                     "scenario has an expectation"), data
    data["status"] = "match"
    note = f"; {len(skipped)} edge scenario(s) skipped (legacy SQL fails on DuckDB)" if skipped else ""
    return Check("data", "match", f"{compared} scenario(s) give the same rows{note}"), data
