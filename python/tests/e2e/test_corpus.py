"""The fixture corpus end to end: ONE `migrate run --all` on DuckDB, then assertions per table.

Every convertible target must reach `ok` with all its ground-truth unit tests passing; every
non-convertible one must end `error` with reason `needs_llm` naming the construct. Every generated
model must pass `sqlfluff lint` with the repository's `.sqlfluff`. (docs/conversion.md)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CORPUS, REPO, corpus_targets, gaps_despite_passing_unit_tests, run_cli
from helpers import CORPUS_NON_CONVERTIBLE as NON_CONVERTIBLE


def _expected_unit_tests(item_id: str) -> int:
    spec = json.loads((CORPUS / "test-specs" / f"{item_id}.json").read_text(encoding="utf-8"))
    return sum(1 for t in spec["unit_tests"] if t.get("expect") is not None)


TARGETS = corpus_targets()
CONVERTIBLE = [t for t in TARGETS if t not in NON_CONVERTIBLE]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """The corpus copied, initialised and migrated once for the whole module."""
    root = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS, root)
    init = run_cli("init", "--project-root", str(root))
    assert init.returncode == 0, init.stderr
    res = run_cli("run", "--all", "--json", "--project-root", str(root))
    doc = json.loads(res.stdout)
    results = {r["item_id"]: r for r in doc["results"]}
    return root, res.returncode, results


@pytest.fixture(scope="module")
def lint_report(corpus_run):
    root, _, _ = corpus_run
    models = sorted((root / "dbt" / "models" / "staging").glob("*.sql"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sqlfluff",
            "lint",
            "--config",
            str(REPO / ".sqlfluff"),
            "--format",
            "json",
            "--disable-progress-bar",
            *map(str, models),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=600,
    )
    report = json.loads(proc.stdout)
    return {Path(f["filepath"]).name: f["violations"] for f in report}


def test_run_reports_every_target_and_exits_1_because_some_need_the_llm(corpus_run):
    _, code, results = corpus_run
    assert set(results) == set(TARGETS)
    assert code == 1


@pytest.mark.parametrize("item_id", CONVERTIBLE)
def test_convertible_target_is_ok_with_all_ground_truth_unit_tests_passing(corpus_run, item_id):
    _, _, results = corpus_run
    r = results[item_id]
    ex = r["output"]["execution"]
    assert r["status"] == "ok", (r["errors"], ex["dbt_errors"])
    expected = _expected_unit_tests(item_id)
    assert ex["unit_tests"]["total"] == expected
    assert ex["unit_tests"]["passed"] == expected
    assert r["output"]["generated"]["model_sql"]["generator"] == "deterministic"


def test_no_gap_verdict_on_a_model_whose_unit_tests_pass(corpus_run):
    _, _, results = corpus_run
    passing = [r for r in results.values() if r["output"]["execution"]["unit_tests"]["passed"]]
    assert len(passing) == len(CONVERTIBLE)
    assert gaps_despite_passing_unit_tests(passing) == {}


@pytest.mark.parametrize("item_id", sorted(NON_CONVERTIBLE))
def test_non_convertible_target_ends_error_needs_llm_naming_the_construct(corpus_run, item_id):
    root, _, results = corpus_run
    r = results[item_id]
    assert r["status"] == "error"
    assert r["reason"] == "needs_llm"
    assert any(NON_CONVERTIBLE[item_id] in e for e in r["errors"]), r["errors"]
    model = item_id.split(".")[1]
    assert not (root / "dbt" / "models" / "staging" / f"{model}.sql").exists()


def test_scd2_target_becomes_a_snapshot_over_a_unit_tested_transformation_model(corpus_run):
    root, _, results = corpus_run
    r = results["silver.dimemployeehistory"]
    assert r["output"]["generated"]["model_sql"]["materialized"] == "snapshot"
    assert (root / "dbt" / "models" / "staging" / "stg_dimemployeehistory.sql").is_file()
    snap = (root / "dbt" / "snapshots" / "_dimemployeehistory.yml").read_text(encoding="utf-8")
    assert "ref('stg_dimemployeehistory')" in snap and "strategy: timestamp" in snap


def test_targets_reading_other_targets_use_ref_and_the_incremental_self_read_becomes_the_watermark(corpus_run):
    root, _, _ = corpus_run
    staging = root / "dbt" / "models" / "staging"
    assert "{{ ref('factorderline') }}" in (staging / "factmonthlysales.sql").read_text(encoding="utf-8")
    assert "{{ ref('factmonthlysales') }}" in (staging / "factrevenuetrend.sql").read_text(encoding="utf-8")
    fact = (staging / "factorderline.sql").read_text(encoding="utf-8")
    assert "dbt_migrate.watermark_filter('CreatedAt')" in fact
    assert "{{ this }}" not in fact and "FactOrderLine" not in fact.split("}}", 1)[1]


# dim_scd2: the SQL model is stg_dimemployeehistory (the snapshot itself is YAML).
LINTED = [t.split(".")[1] for t in CONVERTIBLE if t != "silver.dimemployeehistory"] + ["stg_dimemployeehistory"]


@pytest.mark.parametrize("model", LINTED)
def test_generated_model_is_sqlfluff_clean(lint_report, model):
    assert f"{model}.sql" in lint_report
    violations = [f"L{v['start_line_no']} {v['code']}: {v['description']}" for v in lint_report[f"{model}.sql"]]
    assert violations == []
