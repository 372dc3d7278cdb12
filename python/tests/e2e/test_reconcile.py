"""`migrate reconcile` on the embedded demo warehouse (#17 acceptance 1 and the first part of 2).

The demo project (as `migrate demo` copies it) ships ``reconcile.yml``: three rounds of bronze deltas and the
legacy silver tables after each round, derived independently by a hand-written PostgreSQL
translation of its procedures (fixtures/reconcile_demo/). One migrated copy serves every test
here; each test runs the real CLI in a subprocess with its own plan. The same plan on
PostgreSQL: test_reconcile_postgres.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from helpers import run_cli
from helpers.reconcile_runs import cells, latest_result, migrated_demo

TABLES = ["silver.DimCustomer", "silver.FactOrderLine", "silver.FactDailyRevenue"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return migrated_demo(tmp_path_factory.mktemp("reconcile") / "demo")


def test_demo_warehouse_matches_every_table_round_through_the_cli(demo):
    done = run_cli("reconcile", "--project-root", str(demo), "--json", "--no-html")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert doc["summary"] == {"rounds": 3, "tables": 3, "cells": 9, "match": 9, "mismatch": 0, "error": 0, "ok": True}
    assert doc["adapter"] == "duckdb"
    for (table, n), cell in cells(doc).items():
        assert cell["status"] == "match", (table, n, cell)
        assert cell["legacy_rows"] == cell["model_rows"] > 0
        kinds = {r["type"] for r in cell["reports"]}
        assert {"schema", "row", "data"} <= kinds
    assert cells(doc)[("silver.FactDailyRevenue", 3)]["reports"][-1]["type"] == "aggregate"
    assert [r["build"]["ok"] for r in doc["rounds"]] == [True, True, True]
    saved = demo / ".migration-runs" / "reconcile" / f"{doc['run_id']}.json"
    assert json.loads(saved.read_text(encoding="utf-8"))["summary"]["ok"] is True


def _plan_with_changed_value(root: Path) -> Path:
    """A copy of the demo plan whose round-2 legacy DimCustomer says Oxford where the legacy load
    left Cambridge (customer 1)."""
    changed = root / "reconcile_changed"
    shutil.copytree(root / "reconcile", changed, dirs_exist_ok=True)
    legacy = changed / "2" / "silver.DimCustomer.csv"
    text = legacy.read_text(encoding="utf-8")
    assert text.count(",Cambridge,") == 1
    legacy.write_text(text.replace(",Cambridge,", ",Oxford,"), encoding="utf-8")
    plan = root / "reconcile-changed.yml"
    plan.write_text((root / "reconcile.yml").read_text(encoding="utf-8").replace("reconcile/", "reconcile_changed/"))
    return plan


def test_one_changed_legacy_value_fails_exactly_that_table_and_round_naming_row_and_column(demo):
    plan = _plan_with_changed_value(demo)
    done = run_cli("reconcile", "--project-root", str(demo), "--plan", str(plan), "--no-html")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    doc = latest_result(demo)
    failing = {k for k, c in cells(doc).items() if c["status"] != "match"}
    assert failing == {("silver.DimCustomer", 2)}
    cell = cells(doc)[("silver.DimCustomer", 2)]
    assert (cell["only_in_legacy"], cell["only_in_model"]) == (1, 1)
    row = next(r for r in cell["reports"] if r["type"] == "row")
    assert [e["City"] for e in row["examples_legacy"]] == ["Oxford"]
    assert [e["City"] for e in row["examples_model"]] == ["Cambridge"]
    data = next(r for r in cell["reports"] if r["type"] == "data")
    differing = [c for c in data["columns"] if c["mismatches"]]
    assert [(c["column"], c["mismatches"]) for c in differing] == [("City", 1)]
    assert differing[0]["example"] == {"CustomerCode": "1", "legacy": "Oxford", "model": "Cambridge"}
    assert data["message"] == "City differs in 1"
    # The terminal: the matrix cell and the column, with the example row.
    matrix_row = next(line for line in done.stdout.splitlines() if line.startswith("│ silver.DimCustomer"))
    assert re.search(r"│ match\s+│ 1 only in legacy / 1 only in model\s+│ match\s+│", matrix_row), matrix_row
    assert "City: 1 of 5" in done.stdout and "'Oxford'" in done.stdout


def _table_rows(db: Path, relation: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f"select * from {relation}").fetchall(), key=repr)


def test_bad_plan_exits_2_naming_each_entry_and_loads_nothing(demo):
    db = demo / "dbt" / "warehouse.duckdb"
    before = _table_rows(db, 'bronze."Customer"')
    plan = demo / "reconcile-bad.yml"
    plan.write_text(
        """version: 1
tables:
  silver.DimCustomer:
    exclude_columns: [LoadedAt]
    key: [CustomerCode]
  silver.NoSuchTable: {}
rounds:
  - name: day1
    sources:
      bronze.Customer: reconcile/1/bronze.Customer.csv
      bronze.Orders: reconcile/1/missing.csv
    legacy:
      silver.DimCustomer: reconcile/1/silver.DimCustomer.csv
""",
        encoding="utf-8",
    )
    done = run_cli("reconcile", "--project-root", str(demo), "--plan", str(plan), "--no-html")
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    err = done.stderr
    assert "nothing was loaded" in err
    assert "tables.silver.NoSuchTable: not a migrated target" in err
    assert "sources.bronze.Orders: file reconcile/1/missing.csv not found" in err
    assert "tables.silver.DimCustomer.exclude_columns: LoadedAt is neither a column" in err
    assert _table_rows(db, 'bronze."Customer"') == before


def test_unknown_round_and_invalid_rule_are_rejected_before_dbt_runs(demo):
    plan = demo / "reconcile-invalid.yml"
    plan.write_text(
        "version: 1\ntables:\n  silver.DimCustomer:\n    transform: {legacy: {Email: [reverse]}}\n"
        "rounds:\n  - name: day1\n    legacy: {silver.DimCustomer: reconcile/1/silver.DimCustomer.csv}\n",
        encoding="utf-8",
    )
    done = run_cli("reconcile", "--project-root", str(demo), "--plan", str(plan))
    assert done.returncode == 2
    assert "tables.silver.DimCustomer.transform.legacy: Email: unknown transform 'reverse'" in done.stderr
    late = run_cli("reconcile", "--project-root", str(demo), "--round", "4")
    assert late.returncode == 2 and "--round 4: the plan has rounds 1 to 3" in late.stderr
