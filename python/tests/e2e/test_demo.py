"""`migrate demo`: the embedded project migrates end to end (the README's first command), then runs
its parallel run (three rounds of reconcile.yml: every table-round matches the legacy tables) and
writes the HTML report; it needs nothing of the optional `llm` extra (litellm is made unimportable)."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import gaps_despite_passing_unit_tests, hidden_litellm, run_cli


def test_demo_migrates_every_table_ok(tmp_path):
    res = run_cli("demo", "--dir", str(tmp_path / "demo"), "--json", env=hidden_litellm(tmp_path))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    doc = json.loads(res.stdout)
    assert [r["status"] for r in doc["results"]] == ["ok", "ok", "ok"]
    assert sum(r["output"]["execution"]["unit_tests"]["passed"] for r in doc["results"]) == 6
    assert gaps_despite_passing_unit_tests(doc["results"]) == {}
    assert (tmp_path / "demo" / "dbt" / "models" / "staging" / "dimcustomer.sql").is_file()
    rec = doc["reconcile"]
    assert rec["summary"] == {"rounds": 3, "tables": 3, "cells": 9, "match": 9, "mismatch": 0, "error": 0, "ok": True}
    assert [r["name"] for r in rec["rounds"]] == ["day1", "day2", "day3"]
    legacy_rows = {(r["index"], t["table"]): t["legacy_rows"] for r in rec["rounds"] for t in r["tables"]}
    assert legacy_rows[(3, "silver.FactOrderLine")] == 11 and legacy_rows[(3, "silver.DimCustomer")] == 6
    report = Path(rec["html_report"])
    assert report.is_file() and report.is_relative_to(tmp_path / "demo" / ".migration-runs" / "reconcile")


def test_demo_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("mine")
    res = run_cli("demo", "--dir", str(tmp_path / "full"))
    assert res.returncode == 2 and "not empty" in res.stderr
    assert (tmp_path / "full" / "x").read_text() == "mine"
