"""`migrate demo`: the embedded project migrates end to end (the README's first command), and it
needs nothing of the optional `llm` extra (litellm is made unimportable for the run)."""

from __future__ import annotations

import json

from helpers import gaps_despite_passing_unit_tests, hidden_litellm, run_cli


def test_demo_migrates_every_table_ok(tmp_path):
    res = run_cli("demo", "--dir", str(tmp_path / "demo"), "--json", env=hidden_litellm(tmp_path))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    doc = json.loads(res.stdout)
    assert [r["status"] for r in doc["results"]] == ["ok", "ok", "ok"]
    assert sum(r["output"]["execution"]["unit_tests"]["passed"] for r in doc["results"]) == 6
    assert gaps_despite_passing_unit_tests(doc["results"]) == {}
    assert (tmp_path / "demo" / "dbt" / "models" / "staging" / "dimcustomer.sql").is_file()


def test_demo_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("mine")
    res = run_cli("demo", "--dir", str(tmp_path / "full"))
    assert res.returncode == 2 and "not empty" in res.stderr
    assert (tmp_path / "full" / "x").read_text() == "mine"
