"""The embedded demo warehouse from its DDL alone (issue #18, acceptance 2 end to end): `migrate
discover` writes the catalogs, and `migrate run --all` migrates all three targets by rule with the
demo's ground-truth test specs (rows captured from the real procedures) passing as dbt unit tests.
No hand-written catalog is copied: only ``ddl/`` and ``test-specs/``."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import DEMO_PROJECT, run_cli


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("discovered_demo")
    shutil.copytree(DEMO_PROJECT / "ddl", root / "ddl")
    shutil.copytree(DEMO_PROJECT / "test-specs", root / "test-specs")
    discovered = run_cli("discover", "--project-root", str(root), "--json")
    assert discovered.returncode == 0, discovered.stderr
    init = run_cli("init", "--project-root", str(root))
    assert init.returncode == 0, init.stderr
    run = run_cli("run", "--all", "--json", "--project-root", str(root))
    return root, json.loads(discovered.stdout), run


def test_discovered_demo_catalogs_migrate_by_rule_and_pass_the_ground_truth_unit_tests(migrated):
    _, _, run = migrated
    assert run.returncode == 0, run.stderr[-3000:]
    results = {r["item_id"]: r for r in json.loads(run.stdout)["results"]}
    assert sorted(results) == ["silver.dimcustomer", "silver.factdailyrevenue", "silver.factorderline"]
    materialized = {}
    for item, r in results.items():
        assert r["status"] == "ok", (item, r["errors"], r["output"]["execution"]["dbt_errors"])
        generated = r["output"]["generated"]
        assert generated["model_sql"]["generator"] == "deterministic"
        assert generated["model_yaml"]["unit_tests_rendered"] > 0
        tests = r["output"]["execution"]["unit_tests"]
        assert tests["total"] == tests["passed"] == generated["model_yaml"]["unit_tests_rendered"]
        materialized[item] = generated["model_sql"]["materialized"]
    assert materialized == {
        "silver.dimcustomer": "incremental",  # dim_scd1 merged on CustomerCode, watermark UpdatedAt
        "silver.factdailyrevenue": "table",  # fact_aggregate
        "silver.factorderline": "incremental",  # fact_transaction past the OrderDate cutoff
    }


def test_discovered_demo_writes_the_sources_and_the_writers(migrated):
    root, discovered, _ = migrated
    assert discovered["problems"] == []
    customer = json.loads((root / "catalog" / "tables" / "silver.dimcustomer.json").read_text(encoding="utf-8"))
    assert customer["scoping"]["selected_writer"] == "silver.usp_load_DimCustomer"
    assert customer["profile"]["classification"]["resolved_kind"] == "dim_scd1"
    orders = json.loads((root / "catalog" / "tables" / "bronze.orders.json").read_text(encoding="utf-8"))
    assert orders["is_source"] is True and orders["scoping"]["status"] == "no_writer_found"
