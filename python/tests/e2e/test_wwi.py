"""Real-world procedures: WideWorldImportersDW's ``Integration.MigrateStaged<X>Data`` loaders
(``fixtures/wwi``, catalogs written by ``make_project.py``) convert by rule and build on DuckDB.

Two projects, one ``migrate run --all`` each: the seven SCD2 dimension loaders (UPDATE close-off
+ INSERT from staging) become snapshots; the six fact loaders (staging key lookups by UPDATE, then
MERGE, DELETE-slice + INSERT, TRUNCATE + INSERT or INSERT) run while the dimensions are still the
legacy tables.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from helpers import CLI, FIXTURES, side_by_side

WWI = FIXTURES / "wwi"
DBT = str(Path(sys.executable).with_name("dbt"))
DIMENSIONS = [
    "dimension.city",
    "dimension.customer",
    "dimension.employee",
    "dimension.payment method",
    "dimension.stock item",
    "dimension.supplier",
    "dimension.transaction type",
]
FACTS = ["fact.movement", "fact.order", "fact.purchase", "fact.sale", "fact.stock holding", "fact.transaction"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    roots = {}
    for part in ("dimensions", "facts"):
        roots[part] = tmp_path_factory.mktemp("wwi") / part
        shutil.copytree(WWI / part, roots[part])
        shutil.copy(WWI / "tables.sql", roots[part] / "ddl" / "tables.sql")  # the tables both read
    inits = side_by_side({p: ([*CLI, "init", "--project-root", str(r)], r) for p, r in roots.items()})
    assert all(i.returncode == 0 for i in inits.values()), inits
    migrated = side_by_side(
        {p: ([*CLI, "run", "--all", "--json", "--project-root", str(r)], r) for p, r in roots.items()}
    )
    # the next night: incremental merges, delete+insert on the slice, snapshots compare
    second = side_by_side({p: ([DBT, "build", "--quiet"], r / "dbt") for p, r in roots.items()})
    return {
        p: (roots[p], {r["item_id"]: r for r in json.loads(migrated[p].stdout)["results"]}, second[p]) for p in roots
    }


@pytest.mark.parametrize("item_id", DIMENSIONS + FACTS)
def test_wwi_loader_converts_by_rule_and_builds(runs, item_id):
    _, results, _ = runs["dimensions" if item_id.startswith("dimension.") else "facts"]
    r = results[item_id]
    assert r["status"] == "ok", (r["errors"], r["warnings"], r["output"]["execution"]["dbt_errors"])
    assert r["output"]["generated"]["model_sql"]["generator"] == "deterministic"
    assert r["output"]["execution"]["dbt_build_passed"] is True


def test_scd2_dimension_snapshot_keeps_the_legacy_version_columns(runs):
    root, _, _ = runs["dimensions"]
    doc = yaml.safe_load((root / "dbt" / "snapshots" / "_city.yml").read_text(encoding="utf-8"))
    config = doc["snapshots"][0]["config"]
    assert doc["snapshots"][0]["relation"] == "ref('stg_city')"
    assert config["strategy"] == "timestamp" and config["updated_at"] == '"Valid From"'
    assert config["unique_key"] == ['"WWI City ID"']
    assert config["snapshot_meta_column_names"] == {"dbt_valid_to": '"Valid To"', "dbt_scd_id": '"City Key"'}
    assert config["dbt_valid_to_current"] == "CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)"


def test_slice_reload_fact_is_incremental_delete_insert_on_the_slice(runs):
    root, _, _ = runs["facts"]
    sql = (root / "dbt" / "models" / "staging" / "sale.sql").read_text(encoding="utf-8")
    assert sql.startswith(
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='\"WWI Invoice ID\"'"
    )


@pytest.mark.parametrize("part", ["dimensions", "facts"])
def test_a_second_build_runs_the_incremental_and_snapshot_paths(runs, part):
    _, _, second = runs[part]
    assert second.returncode == 0, second.stdout[-3000:]
