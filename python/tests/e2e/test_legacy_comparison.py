"""`migrate init --legacy-schema S`: generated YAML carries equal_to_legacy tests and runs record results.

On the retail example (DuckDB): the run itself leaves the comparisons out of its sandbox build;
then, with source rows loaded and the legacy tables beside them, `dbt build` of the dimension runs
its comparison and passes, the on-run-end hook records the run, and a legacy row that differs makes
`dbt test --select tag:dbt_migrate_legacy` fail on exactly that model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import copy_example, run_cli

LEGACY_ROWS = """
    create schema legacy;
    create table legacy.dimstore (StoreKey integer, StoreAlternateKey varchar, StoreName varchar, RegionName varchar,
                                  CountryCode varchar, IsOpen integer, ModifiedDate timestamp);
    insert into legacy.dimstore values (1, '1', 'Leeds', 'North', 'GB', 1, '2024-01-01'),
                                       (2, '2', 'Hull', 'Unknown', null, 0, '2024-01-02');
    create table legacy.factdailystoresales (SalesDate date, StoreAlternateKey varchar, RegionName varchar,
                                             OrderCount integer, TotalQuantity integer, NetAmount decimal(18, 4));
    insert into bronze."Region" values (1, 'North', 'gb');
    insert into bronze."Store" (StoreID, StoreName, RegionID, ModifiedDate) values
        (1, '  Leeds ', 1, '2024-01-01'), (2, 'Hull', 9, '2024-01-02');
    update bronze."Store" set ClosedDate = '2023-06-30' where StoreID = 2;
"""


def _dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt), *args], cwd=project, capture_output=True, text=True, timeout=300)


def _results(project: Path) -> dict[str, dict]:
    doc = json.loads((project / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r for r in doc["results"]}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    root = copy_example("retail", tmp_path_factory.mktemp("legacy") / "retail")
    init = run_cli("init", "--project-root", str(root), "--legacy-schema", "legacy")
    assert init.returncode == 0, init.stdout + init.stderr
    run = run_cli("run", "--project-root", str(root), "--all", "--json")
    return root, run


def test_the_run_passes_without_running_the_comparisons_in_its_sandbox(migrated):
    root, run = migrated
    assert run.returncode == 0, run.stdout + run.stderr
    assert {r["status"] for r in json.loads(run.stdout)["results"]} == {"ok"}


def test_generated_yaml_carries_a_tagged_equal_to_legacy_test_and_the_project_the_hook(migrated):
    root = migrated[0]
    model = yaml.safe_load((root / "dbt/models/staging/_dimstore.yml").read_text())["models"][0]
    assert {
        "dbt_migrate.equal_to_legacy": {
            "arguments": {"legacy_relation": "legacy.dimstore", "key": "StoreAlternateKey"},
            "config": {"tags": ["dbt_migrate_legacy"]},
        }
    } in model["data_tests"]
    project = yaml.safe_load((root / "dbt/dbt_project.yml").read_text())
    assert project["vars"] == {"dbt_migrate_legacy_schema": "legacy"}
    assert project["on-run-end"] == ["{{ dbt_migrate.record_results(results) }}"]


def test_comparison_passes_on_built_rows_then_fails_on_the_model_whose_legacy_rows_differ(migrated):
    dbt_dir = migrated[0] / "dbt"
    with duckdb.connect(str(dbt_dir / "warehouse.duckdb")) as con:
        con.execute(LEGACY_ROWS)
    built = _dbt(dbt_dir, "build", "--full-refresh", "--select", "dimstore")
    assert built.returncode == 0, built.stdout
    legacy_test = next(k for k in _results(dbt_dir) if "equal_to_legacy_dimstore" in k)
    assert _results(dbt_dir)[legacy_test]["status"] == "pass"
    with duckdb.connect(str(dbt_dir / "warehouse.duckdb")) as con:
        recorded = con.execute("select status from main.dbt_migrate_results where model_name = 'dimstore'").fetchall()
        assert recorded and recorded[-1] == ("success",)
        con.execute("update legacy.dimstore set StoreName = 'Leeds Central' where StoreAlternateKey = '1'")

    tested = _dbt(dbt_dir, "test", "--select", "tag:dbt_migrate_legacy")
    assert tested.returncode == 1
    by_model = {k.split(".")[2]: (r["status"], r["failures"]) for k, r in _results(dbt_dir).items() if k[:5] == "test."}
    assert by_model == {
        next(k for k in by_model if "dimstore" in k): ("fail", 2),  # the changed row, seen from both sides
        next(k for k in by_model if "factdailystoresales" in k): ("pass", 0),
    }
