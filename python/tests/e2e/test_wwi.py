"""Real-world procedures: WideWorldImportersDW's ``Integration.MigrateStaged<X>Data`` loaders
(``fixtures/wwi/project``, catalogs written by ``make_project.py``) convert by rule and build on
DuckDB, in one project.

One ``migrate run --all``: the seven SCD2 dimension loaders (UPDATE close-off + INSERT from staging)
become snapshots whose legacy INT key (``[City Key]``, from a sequence) is the integer
``dbt_migrate.surrogate_integer()`` column; the six fact loaders (staging key lookups by UPDATE,
then MERGE, DELETE-slice + INSERT, TRUNCATE + INSERT or INSERT) look those keys up in the migrated
snapshots with ``COALESCE((select top 1 [City Key] ... by the validity window), 0)``. The staging
tables of the city dimension and the sale fact hold rows when the project is built, and each
sale's ``City Key`` is read back against the snapshot version whose window holds the sale.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import run_cli

DBT = str(Path(sys.executable).with_name("dbt"))
WWI = Path(__file__).resolve().parents[1] / "fixtures" / "wwi"
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

# The staged rows of one night, there before `migrate run` builds the project (the other sources
# it creates empty): two cities, and sales inside and outside their versions' validity windows.
STAGED = [
    "create schema if not exists integration",
    'create table integration."City_Staging" ("City Staging Key" integer, "WWI City ID" integer, "City" varchar, '
    '"State Province" varchar, "Country" varchar, "Continent" varchar, "Sales Territory" varchar, "Region" varchar, '
    '"Subregion" varchar, "Location" varchar, "Latest Recorded Population" bigint, "Valid From" timestamp, '
    '"Valid To" timestamp)',
    'insert into integration."City_Staging" values '
    "(1, 7, 'Ashby', 'Kent', 'UK', 'Europe', 'South', 'Europe', 'North', null, 1000, '2013-01-01', null), "
    "(2, 8, 'Bexley', 'Kent', 'UK', 'Europe', 'South', 'Europe', 'North', null, 2000, '2013-03-01', null)",
    'create table integration."Sale_Staging" ("Sale Staging Key" bigint, "City Key" integer, "Customer Key" integer, '
    '"Bill To Customer Key" integer, "Stock Item Key" integer, "Invoice Date Key" date, "Delivery Date Key" date, '
    '"Salesperson Key" integer, "WWI Invoice ID" integer, "Description" varchar, "Package" varchar, '
    '"Quantity" integer, "Unit Price" decimal(18,2), "Tax Rate" decimal(18,3), "Total Excluding Tax" decimal(18,2), '
    '"Tax Amount" decimal(18,2), "Profit" decimal(18,2), "Total Including Tax" decimal(18,2), '
    '"Total Dry Items" integer, "Total Chiller Items" integer, "WWI City ID" integer, "WWI Customer ID" integer, '
    '"WWI Bill To Customer ID" integer, "WWI Stock Item ID" integer, "WWI Salesperson ID" integer, '
    '"Last Modified When" timestamp)',
    'insert into integration."Sale_Staging" ("Sale Staging Key", "WWI Invoice ID", "WWI City ID", '
    '"Last Modified When", "Quantity") values '
    "(1, 101, 7, '2013-06-01', 1), "  # inside city 7's version
    "(2, 102, 7, '2012-06-01', 1), "  # before it: no version of city 7 was valid
    "(3, 103, 8, '2013-06-01', 1), "
    "(4, 104, 99, '2013-06-01', 1)",  # no such city
]


def _key(*values: str) -> int:
    """What ``dbt_migrate.surrogate_integer`` computes: the md5 of the '|'-joined text, 15 hex digits."""
    return int(hashlib.md5("|".join(values).encode()).hexdigest()[:15], 16)


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def wwi(tmp_path_factory):
    root = tmp_path_factory.mktemp("wwi") / "project"
    shutil.copytree(WWI / "project", root)
    shutil.copy(WWI / "tables.sql", root / "ddl" / "tables.sql")
    init = run_cli("init", "--project-root", str(root))
    assert init.returncode == 0, init.stderr
    db = root / "dbt" / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    for sql in STAGED:
        con.execute(sql)
    con.close()
    migrated = run_cli("run", "--all", "--json", "--project-root", str(root))
    results = {r["item_id"]: r for r in json.loads(migrated.stdout)["results"]}
    return {"root": root, "results": results, "db": db}


@pytest.mark.parametrize("item_id", DIMENSIONS + FACTS)
def test_wwi_loader_converts_by_rule_and_builds_in_one_project(wwi, item_id):
    r = wwi["results"][item_id]
    assert r["status"] == "ok", (r["errors"], r["warnings"], r["output"]["execution"]["dbt_errors"])
    assert r["output"]["generated"]["model_sql"]["generator"] == "deterministic"
    assert r["output"]["execution"]["dbt_build_passed"] is True


def test_scd2_dimension_snapshot_keeps_the_legacy_version_columns_and_an_integer_key(wwi):
    root = wwi["root"]
    doc = yaml.safe_load((root / "dbt" / "snapshots" / "_city.yml").read_text(encoding="utf-8"))
    config = doc["snapshots"][0]["config"]
    assert doc["snapshots"][0]["relation"] == "ref('stg_city')"
    assert config["strategy"] == "timestamp" and config["updated_at"] == '"Valid From"'
    assert config["unique_key"] == ['"WWI City ID"']
    # "Valid To" needs quoting: dbt's snapshot-target check could not match it on the next run, so
    # the snapshot keeps dbt_valid_to (with the legacy sentinel) and city_versions renames it
    assert "snapshot_meta_column_names" not in config
    assert config["dbt_valid_to_current"] == "CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)"
    versions = (root / "dbt" / "models" / "staging" / "city_versions.sql").read_text(encoding="utf-8")
    assert 'dbt_valid_to as "Valid To"' in versions and "{{ ref('city') }}" in versions
    fact = (root / "dbt" / "models" / "staging" / "sale.sql").read_text(encoding="utf-8")
    assert "ref('city_versions')" in fact and "ref('city')" not in fact
    stg = (root / "dbt" / "models" / "staging" / "stg_city.sql").read_text(encoding="utf-8")
    assert '{{ dbt_migrate.surrogate_integer([\'"WWI City ID"\', \'"Valid From"\']) }} as "City Key"' in stg
    types = _query(wwi["db"], "select column_name, data_type from information_schema.columns where table_name = 'city'")
    assert dict(types)["City Key"] == "BIGINT" and dict(types)["dbt_scd_id"] == "VARCHAR"


def test_slice_reload_fact_is_incremental_delete_insert_on_the_slice(wwi):
    sql = (wwi["root"] / "dbt" / "models" / "staging" / "sale.sql").read_text(encoding="utf-8")
    assert sql.startswith(
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='\"WWI Invoice ID\"'"
    )


def test_each_city_version_has_an_integer_key_from_its_identity(wwi):
    rows = _query(
        wwi["db"], 'select "WWI City ID", "Valid From", "Valid To", "City Key" from main.city_versions order by 1'
    )
    end = "9999-12-31 23:59:59.999999"
    assert [(c[0], str(c[1]), str(c[2]), c[3]) for c in rows] == [
        (7, "2013-01-01 00:00:00", end, _key("7", "2013-01-01 00:00:00")),
        (8, "2013-03-01 00:00:00", end, _key("8", "2013-03-01 00:00:00")),
    ]


def test_fact_rows_carry_the_key_of_the_dimension_version_valid_when_the_sale_changed(wwi):
    # the fact's key, and the key of the snapshot version whose window holds the staged sale
    rows = _query(
        wwi["db"],
        'select s."WWI Invoice ID", s."City Key", c."City Key" from main.sale s '
        'join integration."Sale_Staging" st on st."WWI Invoice ID" = s."WWI Invoice ID" '
        'left join main.city_versions c on c."WWI City ID" = st."WWI City ID" '
        'and st."Last Modified When" > c."Valid From" and st."Last Modified When" <= c."Valid To" order by 1',
    )
    assert rows == [
        (101, _key("7", "2013-01-01 00:00:00"), _key("7", "2013-01-01 00:00:00")),
        (102, 0, None),  # modified before city 7's first version: the legacy unknown member
        (103, _key("8", "2013-03-01 00:00:00"), _key("8", "2013-03-01 00:00:00")),
        (104, 0, None),  # no such city
    ]


# The next nights: city 7 renamed (a new version from 2013-09-01), a new city 9, city 8 unchanged;
# then a sale of city 7 staged after the change. Each night is a plain `dbt build` of the project.
NIGHT_2 = [
    'delete from integration."City_Staging"',
    'insert into integration."City_Staging" values '
    "(3, 7, 'Ashby Town', 'Kent', 'UK', 'Europe', 'South', 'Europe', 'North', null, 1100, '2013-09-01', null), "
    "(4, 8, 'Bexley', 'Kent', 'UK', 'Europe', 'South', 'Europe', 'North', null, 2000, '2013-03-01', null), "
    "(5, 9, 'Crayford', 'Kent', 'UK', 'Europe', 'South', 'Europe', 'North', null, 3000, '2013-09-01', null)",
]
NIGHT_3 = [
    'delete from integration."Sale_Staging"',
    'insert into integration."Sale_Staging" ("Sale Staging Key", "WWI Invoice ID", "WWI City ID", '
    '"Last Modified When", "Quantity") values (5, 105, 7, \'2013-10-01\', 1)',
]


def _build(root: Path, statements: list[str]) -> None:
    con = duckdb.connect(str(root / "dbt" / "warehouse.duckdb"))
    for sql in statements:
        con.execute(sql)
    con.close()
    done = subprocess.run(
        [DBT, "--no-use-colors", "build"], cwd=root / "dbt", capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr


@pytest.fixture(scope="module")
def nights(wwi):
    """The second and third `dbt build` of the migrated project (the snapshots' second and third runs)."""
    _build(wwi["root"], NIGHT_2)
    _build(wwi["root"], NIGHT_3)
    return wwi


def test_later_builds_version_a_changed_city_and_facts_take_the_new_version(nights):
    end = "9999-12-31 23:59:59.999999"
    rows = _query(
        nights["db"],
        'select "WWI City ID", "City", "Valid From", "Valid To", "City Key" from main.city_versions order by 1, 3',
    )
    assert [(c[0], c[1], str(c[2]), str(c[3]), c[4]) for c in rows] == [
        (7, "Ashby", "2013-01-01 00:00:00", "2013-09-01 00:00:00", _key("7", "2013-01-01 00:00:00")),  # closed
        (7, "Ashby Town", "2013-09-01 00:00:00", end, _key("7", "2013-09-01 00:00:00")),  # open: the sentinel
        (8, "Bexley", "2013-03-01 00:00:00", end, _key("8", "2013-03-01 00:00:00")),
        (9, "Crayford", "2013-09-01 00:00:00", end, _key("9", "2013-09-01 00:00:00")),
    ]
    sales = _query(nights["db"], 'select "WWI Invoice ID", "City Key" from main.sale order by 1')
    assert (101, _key("7", "2013-01-01 00:00:00")) in sales  # night 1's sale keeps the old version's key
    assert (105, _key("7", "2013-09-01 00:00:00")) in sales  # staged after the change: the new version
