"""Loads over time: each ``fixtures/loads/<shape>`` is a legacy loader (``procedure.sql``, a
conversion case whose header is its catalog) and three load rounds (``rounds.json``: the inputs of
each round and the legacy table after it, derived by hand from the T-SQL semantics).

One migration project holds every shape; ``migrate run --all`` converts them, then each round
replaces the inputs and runs ``dbt build`` once for all shapes (incremental models and snapshots
keep their state: no full refresh). After every round the model's rows equal the legacy rows on
the business columns and the current flag, version for version.
"""

from __future__ import annotations

import datetime
import decimal
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from helpers import FIXTURES, run_cli
from helpers.migration import ConvertCase, write_cases_project

LOADS = FIXTURES / "loads"
SHAPES = sorted(p.name for p in LOADS.iterdir() if (p / "procedure.sql").is_file())
DBT = str(Path(sys.executable).with_name("dbt"))


def _case(shape: str) -> ConvertCase:
    return ConvertCase.read(LOADS / shape / "procedure.sql")


def _rounds(shape: str) -> dict[str, Any]:
    return json.loads((LOADS / shape / "rounds.json").read_text(encoding="utf-8"))


def _relation_schema(con: duckdb.DuckDBPyConnection, table: str) -> str:
    rows = con.execute(
        "select table_schema from information_schema.tables where lower(table_name) = lower(?)", [table]
    ).fetchall()
    assert rows, f"no relation {table} in the warehouse"
    return rows[0][0]


def _load_inputs(db: Path, n: int) -> None:
    with duckdb.connect(str(db)) as con:
        for shape in SHAPES:
            for name, data in _rounds(shape)["inputs"].items():
                table = name.split(".")[-1]
                schema = _relation_schema(con, table)
                relation = f'"{schema}"."{table}"'
                con.execute(f"delete from {relation}")
                cols = ", ".join(f'"{c}"' for c in data["columns"])
                marks = ", ".join("?" for _ in data["columns"])
                for row in data["rounds"][n]:
                    con.execute(f"insert into {relation} ({cols}) values ({marks})", row)


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _read(db: Path, dbt_dir: Path, shape: str) -> list[tuple]:
    model = _case(shape)
    name = model.target.split(".")[-1].lower()
    versions = f"{name}_versions"
    relation = versions if (dbt_dir / "models" / "staging" / f"{versions}.sql").is_file() else name
    columns = ", ".join(f'"{c}"' for c in _rounds(shape)["compare"])
    with duckdb.connect(str(db), read_only=True) as con:
        schema = _relation_schema(con, relation)
        rows = con.execute(f'select {columns} from "{schema}"."{relation}"').fetchall()
    return sorted(tuple(_normal(v) for v in row) for row in rows)


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    root = write_cases_project(tmp_path_factory.mktemp("loads") / "project", [_case(s) for s in SHAPES])
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    run = run_cli("run", "--all", "--project-root", str(root), "--json")
    doc = json.loads(run.stdout)
    dbt_dir = root / "dbt"
    db = dbt_dir / "warehouse.duckdb"
    seen: dict[str, list[list[tuple]]] = {s: [] for s in SHAPES}
    for n in range(3):
        _load_inputs(db, n)
        built = subprocess.run([DBT, "build", "--quiet"], cwd=dbt_dir, capture_output=True, text=True, timeout=600)
        assert built.returncode == 0, f"round {n + 1}: dbt build failed\n{built.stdout}\n{built.stderr}"
        for shape in SHAPES:
            seen[shape].append(_read(db, dbt_dir, shape))
    return doc, seen


@pytest.mark.parametrize("shape", SHAPES)
def test_shape_converts_by_rule(loads, shape):
    doc, _ = loads
    target = _case(shape).target.lower()
    item = next(r for r in doc["results"] if r["item_id"] == target)
    assert item["status"] == "ok", item
    assert item["output"]["generated"]["model_sql"]["generator"] == "deterministic"


@pytest.mark.parametrize("shape", SHAPES)
def test_model_rows_equal_the_legacy_rows_after_every_round(loads, shape):
    _, seen = loads
    expected = _rounds(shape)["expected"]
    for n, rows in enumerate(seen[shape]):
        assert rows == sorted(tuple(r) for r in expected[n]), f"{shape}: round {n + 1} differs from the legacy table"
