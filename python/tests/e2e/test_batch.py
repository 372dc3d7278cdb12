"""`migrate run`: one failing item never stops the others; blocked items say by what; Ctrl-C is clean."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from helpers import CLI, REPO, run_cli

sys.path.insert(0, str(REPO / "bench"))
from synth import add_dependent, synthesize


def _break_statement(root: Path, table: str) -> None:
    """Make a table's loader read a column its source does not have: dbt build fails on it."""
    path = root / "catalog" / "procedures" / f"silver.usp_load_{table.lower()}.json"
    data = json.loads(path.read_text())
    for s in data["statements"]:
        s["sql"] = s["sql"].replace("UPPER(LTRIM(RTRIM(s.Name)))", "UPPER(LTRIM(RTRIM(s.NoSuchColumn)))")
    path.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch") / "wh"
    synthesize(root, 4)  # DimThing0 (broken below), FactThing1, FactThingDaily2, DimThingBand3
    add_dependent(root, "DimThing0", "DimThingCopy")
    _break_statement(root, "DimThing0")
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    res = run_cli("run", "--all", "--json", "--project-root", str(root))
    return root, res


def test_one_failing_item_leaves_the_others_ok(batch):
    _, res = batch
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    status = {r["item_id"]: r["status"] for r in doc["results"]}
    assert status["silver.dimthing0"] == "partial"
    for ok in ("silver.factthing1", "silver.factthingdaily2", "silver.dimthingband3"):
        assert status[ok] == "ok", ok
    assert doc["summary"]["counts"] == {"ok": 3, "partial": 2, "error": 0, "paused": 0}
    assert doc["summary"]["dbt_invocations_by_command"]["build"] == 1
    broken = next(r for r in doc["results"] if r["item_id"] == "silver.dimthing0")
    assert broken["output"]["execution"]["dbt_build_passed"] is False
    assert any("NoSuchColumn" in e for e in broken["output"]["execution"]["dbt_errors"])


def test_item_depending_on_a_failing_item_is_reported_blocked_by_it(batch):
    _, res = batch
    doc = json.loads(res.stdout)
    dep = next(r for r in doc["results"] if r["item_id"] == "silver.dimthingcopy")
    assert dep["status"] == "partial" and dep["reason"] == "blocked"
    assert any(e.startswith("blocked by silver.dimthing0") for e in dep["errors"])


def test_dependency_order_generates_upstream_first(batch):
    _, res = batch
    ids = [r["item_id"] for r in json.loads(res.stdout)["results"]]
    assert ids.index("silver.dimthing0") < ids.index("silver.dimthingcopy")


def test_sigint_leaves_no_partial_file_and_a_valid_result_json(tmp_path):
    root = tmp_path / "wh"
    synthesize(root, 12)
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    # --jobs 2: check workers are running too, and must not outlive the interrupted run.
    proc = subprocess.Popen(
        [*CLI, "run", "--all", "--json", "--jobs", "2", "--project-root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    staging = root / "dbt" / "models" / "staging"
    deadline = time.time() + 120
    while time.time() < deadline and not any(staging.glob("*.sql")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    doc = json.loads(out)
    assert doc["summary"]["interrupted"] is True
    assert doc["summary"]["check_workers"] == 2
    assert len(doc["results"]) == 12
    assert (root / ".migration-runs" / f"{doc['run_id']}.json").is_file()
    leftovers = list((root / "dbt").rglob("*.tmp"))
    assert leftovers == []
    for yml in staging.glob("*.yml"):
        assert isinstance(yaml.safe_load(yml.read_text()), dict)


def test_check_workers_report_what_inline_checks_report(tmp_path):
    """--jobs 2 runs the equivalence checks in worker processes; the reports must be the ones the
    main process gives (`migrate check`), and the whole batch builds in one tag-selected build."""
    from dbt_migrate.dbt import DbtProject, build_selection

    root = tmp_path / "wh"
    synthesize(root, 10)
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    res = run_cli("run", "--all", "--json", "--jobs", "2", "--project-root", str(root))
    assert res.returncode == 0, res.stderr[-2000:]
    doc = json.loads(res.stdout)
    assert doc["summary"]["counts"] == {"ok": 10, "partial": 0, "error": 0, "paused": 0}
    assert doc["summary"]["check_workers"] == 2
    for r in doc["results"][:3]:
        inline = run_cli("check", "--table", r["output"]["table_ref"], "--json", "--project-root", str(root))
        assert inline.returncode == 0, inline.stderr[-2000:]
        report = json.loads(inline.stdout)
        assert report["verdict"] == r["output"]["equivalence"]["verdict"]
        assert [c["status"] for c in report["checks"]] == [c["status"] for c in r["output"]["equivalence"]["checks"]]
    manifest = DbtProject(root / "dbt").parse().manifest
    names = [r["output"]["model_name"] for r in doc["results"]]
    assert build_selection(manifest, names) == ["+tag:dbt_migrate"]
    assert build_selection(manifest, names[:4]) == ["+" + n for n in names[:4]]


def test_same_table_name_in_two_schemas_gives_two_models(tmp_path):
    """silver.DimThing0 and gold.DimThing0 cannot both be the model `dimthing0`: each is named
    <schema>_<table>, both are written and built, and the gold one refs the silver one."""
    root = tmp_path / "wh"
    synthesize(root, 1)  # silver.DimThing0
    add_dependent(root, "DimThing0", "DimThing0", schema="gold")
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    res = run_cli("run", "--all", "--json", "--project-root", str(root))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    doc = json.loads(res.stdout)
    models = {r["item_id"]: r["output"]["model_name"] for r in doc["results"]}
    assert models == {"silver.dimthing0": "silver_dimthing0", "gold.dimthing0": "gold_dimthing0"}
    for r in doc["results"]:
        assert r["status"] == "ok" and r["output"]["execution"]["unit_tests"]["passed"] >= 1
    staging = root / "dbt" / "models" / "staging"
    assert "ref('silver_dimthing0')" in (staging / "gold_dimthing0.sql").read_text()
    assert not (staging / "dimthing0.sql").exists()
    unit = yaml.safe_load((staging / "_gold_dimthing0.yml").read_text())["unit_tests"][0]
    assert unit["model"] == "gold_dimthing0" and unit["given"][0]["input"] == "ref('silver_dimthing0')"


def test_legacy_literal_that_looks_like_jinja_survives_dbt(tmp_path):
    """A T-SQL literal '{{NA}}' would be a Jinja expression to dbt: unescaped, it broke the parse
    of the whole project and so every item of the batch. It is kept as text, in the model and in
    the unit-test rows, and the expectation still holds."""
    root = tmp_path / "wh"
    synthesize(root, 2)  # DimThing0 (literal changed below), FactThing1
    proc = root / "catalog" / "procedures" / "silver.usp_load_dimthing0.json"
    data = json.loads(proc.read_text())
    for s in data["statements"]:
        s["sql"] = s["sql"].replace("ISNULL(s.Category, 'NA')", "ISNULL(s.Category, '{{NA}}')")
    proc.write_text(json.dumps(data))
    spec = root / "test-specs" / "silver.dimthing0.json"
    spec.write_text(spec.read_text().replace('"NA"', '"{{NA}}"'))
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    res = run_cli("run", "--all", "--json", "--project-root", str(root))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    doc = json.loads(res.stdout)
    for r in doc["results"]:
        assert r["status"] == "ok" and r["output"]["execution"]["unit_tests"] == {"total": 1, "passed": 1}
    dim = next(r for r in doc["results"] if r["item_id"] == "silver.dimthing0")
    assert dim["output"]["equivalence"]["verdict"] == "match"
    compiled = next((root / "dbt" / "target" / "compiled").rglob("dimthing0.sql")).read_text()
    assert "'{{NA}}'" in compiled
