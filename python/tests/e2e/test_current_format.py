"""The current generation of the upstream format (FORMATS-current.md), end to end through the CLI.

`fixtures/current/` is one small warehouse with one target per new kind or field: a view and a
materialized view (`catalog/views/`), a seed read with `ref()`, a multi-table writer whose two
targets come from their `table_slices`, the team's staging wrapper `stg_bronze__product` and
`models/marts/` folder, renamed foreign-key fields, `sql_type` as the target type beside
`source_sql_type`, a catalog nothing needs with an unreadable field, and one refactored SQL that
maps a column wrongly. Its test specs were computed by hand from the T-SQL. ONE `migrate run --all`
serves the first group of assertions; a copy whose DimProduct catalog is unreadable, run with
`--staging-wrappers`, serves the second (that target and what reads it fail, naming file and
field; the rest are ok, reading the sources through the wrappers the run created).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import FIXTURES, gaps_despite_passing_unit_tests, run_cli

CURRENT = FIXTURES / "current"
TARGETS = {
    "silver.dimproduct": "table",
    "silver.factorderline": "table",
    "silver.salesdaily": "table",
    "silver.dimcustomer": "table",
    "gold.vw_productsales": "view",
    "silver.vw_activeproduct": "view",
}


def _migrated(tmp_path_factory, name: str, edit=None, *options: str) -> tuple[Path, int, dict]:
    root = tmp_path_factory.mktemp(name) / "project"
    shutil.copytree(CURRENT, root)
    if edit is not None:
        edit(root)
    init = run_cli("init", "--project-root", str(root))
    assert init.returncode == 0, init.stderr
    res = run_cli("run", "--all", "--json", "--project-root", str(root), *options)
    assert res.stdout, res.stderr[-2000:]
    return root, res.returncode, {r["item_id"]: r for r in json.loads(res.stdout)["results"]}


@pytest.fixture(scope="module")
def current(tmp_path_factory):
    return _migrated(tmp_path_factory, "current")


def _spec_tests(item_id: str) -> int:
    spec = json.loads((CURRENT / "test-specs" / f"{item_id}.json").read_text(encoding="utf-8"))
    return sum(1 for t in spec["unit_tests"] if t.get("expect") is not None)


def _model(root: Path, name: str, suffix: str = ".sql") -> str:
    return (root / "dbt" / "models" / "marts" / (name + suffix)).read_text(encoding="utf-8")


def test_every_target_and_only_the_targets_run_and_exit_0(current):
    # The seed, the sources and the catalog with an unreadable field nothing needs are no items.
    _, code, results = current
    assert set(results) == set(TARGETS)
    assert code == 0


@pytest.mark.parametrize("item_id", sorted(TARGETS))
def test_target_is_ok_with_every_ground_truth_unit_test_passing(current, item_id):
    _, _, results = current
    r = results[item_id]
    ex = r["output"]["execution"]
    assert r["status"] == "ok", (r["errors"], ex["dbt_errors"])
    assert ex["unit_tests"] == {"total": _spec_tests(item_id), "passed": _spec_tests(item_id)}
    assert r["output"]["generated"]["model_sql"]["materialized"] == TARGETS[item_id]
    assert r["output"]["equivalence"]["verdict"] != "gap"


def test_no_gap_verdict_on_a_model_whose_unit_tests_pass(current):
    _, _, results = current
    assert gaps_despite_passing_unit_tests(results.values()) == {}


def test_models_go_to_the_teams_marts_folder(current):
    root, _, _ = current
    marts = root / "dbt" / "models" / "marts"
    assert sorted(p.stem for p in marts.glob("*.sql")) == sorted(t.split(".")[1] for t in TARGETS)
    assert not [p for p in (root / "dbt" / "models" / "staging").glob("*.sql") if p.stem != "stg_bronze__product"]


def test_views_are_built_as_views_and_the_materialized_view_says_why(current):
    root, _, results = current
    con = duckdb.connect(str(root / "dbt" / "warehouse.duckdb"), read_only=True)
    try:
        kinds = dict(con.execute("select table_name, table_type from information_schema.tables").fetchall())
    finally:
        con.close()
    assert kinds["vw_productsales"] == "VIEW" and kinds["vw_activeproduct"] == "VIEW"
    assert kinds["dimproduct"] == "BASE TABLE"
    assert any("materialized view" in w for w in results["silver.vw_activeproduct"]["warnings"])


def test_staging_wrapper_and_seed_are_read_with_ref_in_models_and_unit_tests(current):
    root, _, _ = current
    sql = _model(root, "dimproduct")
    assert "{{ ref('stg_bronze__product') }}" in sql and "{{ ref('categorylookup') }}" in sql
    assert "source(" not in sql
    assert "{{ ref('stg_bronze__product') }}" in _model(root, "vw_activeproduct")
    inputs = {g["input"] for t in yaml.safe_load(_model(root, "_dimproduct", ".yml"))["unit_tests"] for g in t["given"]}
    assert inputs == {"ref('stg_bronze__product')", "ref('categorylookup')"}
    customer = yaml.safe_load(_model(root, "_dimcustomer", ".yml"))["unit_tests"][0]
    assert [g["input"] for g in customer["given"]] == ["source('bronze', 'Customer')"]


def test_existing_source_declarations_are_reused_and_new_ones_typed_from_source_sql_type(current):
    root, _, _ = current
    ours = yaml.safe_load((root / "dbt" / "models" / "staging" / "_dbt_migrate__sources.yml").read_text())
    tables = {t["name"]: t for s in ours["sources"] for t in s["tables"]}
    assert set(tables) == {"Customer"}  # Product and OrderLine are the team's declarations
    types = {c["name"]: c["data_type"] for c in tables["Customer"]["columns"]}
    assert types["CreditLimit"] == "decimal(19, 4)"  # money, not the target type NUMBER(19,4)
    assert types["FullName"] == "text(60)"


def test_multi_table_writer_targets_are_each_generated_from_their_slice(current):
    root, _, _ = current
    fact, daily = _model(root, "factorderline"), _model(root, "salesdaily")
    assert "ref('stg_bronze__product')" in fact and "source('bronze', 'OrderLine')" in fact
    assert "product" not in daily.lower() and "count(distinct" in daily.lower()
    assert "slice" in yaml.safe_load(_model(root, "_salesdaily", ".yml"))["models"][0]["description"]


def test_renamed_foreign_key_fields_give_a_relationships_test(current):
    root, _, results = current
    doc = yaml.safe_load(_model(root, "_factorderline", ".yml"))
    tests = [t for c in doc["models"][0]["columns"] for t in c.get("data_tests", c.get("tests", []))]
    rel = [t["relationships"] for t in tests if isinstance(t, dict) and "relationships" in t]
    assert rel and rel[0]["arguments"] == {"to": "ref('dimproduct')", "field": "ProductCode"}
    rendered = results["silver.factorderline"]["output"]["generated"]["model_yaml"]["schema_tests_rendered"]
    assert "relationships" in rendered


def test_wrong_refactored_sql_is_set_aside_for_the_statements_with_a_warning(current):
    root, _, results = current
    warnings = results["silver.dimcustomer"]["warnings"]
    defect = [w for w in warnings if w.startswith("refactored_sql not used")]
    assert defect and "column Email" in defect[0] and "statement 1" in defect[0]
    assert "lower(" in _model(root, "dimcustomer").lower()


def test_right_refactored_sql_is_kept(current):
    root, _, results = current
    assert not [w for w in results["silver.dimproduct"]["warnings"] if "refactored_sql" in w]
    assert "active_products as (" in _model(root, "dimproduct")  # the refactor's own CTE


# -- one unreadable catalog that targets need ---------------------------------------------------------
def _break_dimproduct(root: Path) -> None:
    path = root / "catalog" / "tables" / "silver.dimproduct.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["profile"]["primary_key"] = 42
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    return _migrated(tmp_path_factory, "broken", _break_dimproduct, "--staging-wrappers")


def test_an_unreadable_catalog_fails_its_target_and_what_reads_it_naming_file_and_field(broken):
    _, code, results = broken
    assert code == 1
    failed = {k for k, r in results.items() if r["status"] == "error"}
    # factorderline's relationships test and vw_productsales's join read dimproduct.
    assert failed == {"silver.dimproduct", "silver.factorderline", "gold.vw_productsales"}
    for item in failed:
        message = " ".join(results[item]["errors"])
        assert "silver.dimproduct.json" in message and "profile.primary_key" in message, message
    for item in set(TARGETS) - failed:
        assert results[item]["status"] == "ok", results[item]["errors"]


def test_staging_wrappers_option_creates_the_wrappers_models_read_and_keeps_the_teams(broken):
    root, _, results = broken
    staging = root / "dbt" / "models" / "staging"
    assert sorted(p.name for p in staging.glob("stg_*.sql")) == [
        "stg_bronze__customer.sql",  # read by dimcustomer
        "stg_bronze__orderline.sql",  # read by salesdaily
        "stg_bronze__product.sql",  # the team's own, untouched
    ]
    assert (staging / "stg_bronze__product.sql").read_text() == (
        CURRENT / "dbt" / "models" / "staging" / "stg_bronze__product.sql"
    ).read_text()
    assert "{{ source('bronze', 'Customer') }}" in (staging / "stg_bronze__customer.sql").read_text()
    assert "{{ ref('stg_bronze__customer') }}" in _model(root, "dimcustomer")
    given = yaml.safe_load(_model(root, "_dimcustomer", ".yml"))["unit_tests"][0]["given"]
    assert [g["input"] for g in given] == ["ref('stg_bronze__customer')"]
    assert results["silver.dimcustomer"]["output"]["execution"]["unit_tests"] == {"total": 1, "passed": 1}
