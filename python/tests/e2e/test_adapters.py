"""`migrate init --adapter A`: a profile template per adapter, credentials from the environment.

PostgreSQL is exercised for real (acceptance 2 of #19): `migrate init --adapter postgres` and
`migrate run --all` on the retail example against the CI PostgreSQL (``eval "$(.ci/postgres.sh
start)"``; skipped when DBT_MIGRATE_PG_HOST is unset). The retail copy's legacy schema is renamed to
one unique to this test (the bronze tables exist in a real warehouse; here the test creates and
fills them), models build into another unique schema, and both are dropped afterwards. Every
adapter's template is parsed by `dbt parse` where that adapter is installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from helpers import copy_example, run_cli

PG = {k: os.environ.get(f"DBT_MIGRATE_PG_{k}") for k in ("HOST", "PORT", "USER", "PASSWORD", "DBNAME")}
NEEDS_PG = pytest.mark.skipif(not PG["HOST"], reason="DBT_MIGRATE_PG_HOST is unset: start .ci/postgres.sh")

BRONZE_TABLES = {
    "Store": "StoreID int not null, StoreName varchar(50) not null, RegionID int, OpenDate date not null, "
    "ClosedDate date, ModifiedDate timestamp not null",
    "Region": "RegionID int not null, RegionName varchar(50) not null, CountryCode char(2)",
    "SalesOrderLine": "OrderID int not null, LineNo int not null, StoreID int not null, ProductCode varchar(20) "
    "not null, Quantity int not null, UnitPrice decimal(10,2) not null, DiscountPct decimal(5,2), "
    "OrderDate timestamp not null",
}
BRONZE_ROWS = [
    """insert into {s}."Region" values (1, 'North', 'gb')""",
    """insert into {s}."Store" values (1, '  Leeds ', 1, '2020-01-01', null, '2024-01-01'),
       (2, 'Hull', 9, '2020-01-01', '2023-06-30', '2024-01-02')""",
]


def _pg():
    import psycopg2

    con = psycopg2.connect(
        host=PG["HOST"], port=PG["PORT"], user=PG["USER"], password=PG["PASSWORD"], dbname=PG["DBNAME"]
    )
    con.autocommit = True
    return con


@pytest.fixture(scope="module")
def postgres_run(tmp_path_factory):
    """The retail example migrated on PostgreSQL: (root, result document, model schema, exit code)."""
    if not PG["HOST"]:
        pytest.skip("DBT_MIGRATE_PG_HOST is unset: start .ci/postgres.sh")
    unique = "t19_" + uuid.uuid4().hex[:8]
    bronze = unique + "_bronze"
    root = copy_example("retail", tmp_path_factory.mktemp("pg") / "retail")
    for path in root.rglob("*"):  # the legacy schema becomes one only this test uses
        if path.is_file():
            path.write_text(path.read_text(encoding="utf-8").replace("bronze", bronze), encoding="utf-8")
    con = _pg()
    with con.cursor() as cur:
        cur.execute(f"create schema {bronze}")
        for table, columns in BRONZE_TABLES.items():
            cur.execute(f'create table {bronze}."{table}" ({columns})')
        for statement in BRONZE_ROWS:
            cur.execute(statement.format(s=bronze))
    env = {"DBT_ENV_SECRET_PG_PASSWORD": PG["PASSWORD"] or "", "DBT_MIGRATE_PG_SCHEMA": unique}
    try:
        init = run_cli("init", "--project-root", str(root), "--adapter", "postgres", env=env)
        assert init.returncode == 0, init.stdout + init.stderr
        run = run_cli("run", "--project-root", str(root), "--all", "--json", env=env)
        yield root, json.loads(run.stdout), unique, run.returncode
    finally:
        with con.cursor() as cur:
            cur.execute(f"drop schema if exists {bronze} cascade")
            cur.execute(f"drop schema if exists {unique} cascade")
        con.close()


def _item(doc: dict, item_id: str) -> dict:
    return next(r for r in doc["results"] if r["item_id"] == item_id)


@NEEDS_PG
def test_postgres_profile_reads_every_credential_from_the_environment(postgres_run):
    root = postgres_run[0]
    profiles = yaml.safe_load((root / "dbt" / "profiles.yml").read_text())
    target = next(iter(profiles.values()))["outputs"]["dev"]
    assert target["type"] == "postgres"
    assert target["password"] == "{{ env_var('DBT_ENV_SECRET_PG_PASSWORD') }}"
    for key in ("host", "port", "user", "dbname", "schema"):
        assert target[key].startswith("{{ env_var('DBT_MIGRATE_PG_")
    assert set(target) == {"type", "threads", "host", "port", "user", "password", "dbname", "schema"}


@NEEDS_PG
def test_dimension_builds_on_postgres_passing_its_unit_tests_with_rows_read_back(postgres_run):
    _, doc, schema, _ = postgres_run
    item = _item(doc, "silver.dimstore")
    assert item["status"] == "ok", item
    assert item["output"]["execution"]["unit_tests"] == {"total": 3, "passed": 3}
    with _pg() as con, con.cursor() as cur:
        cur.execute(f"select storealternatekey, storename, regionname, countrycode, isopen from {schema}.dimstore")
        rows = sorted(cur.fetchall())
    assert rows == [("1", "Leeds", "North", "GB", 1), ("2", "Hull", "Unknown", None, 0)]


@NEEDS_PG
def test_fact_builds_on_postgres_passing_its_unit_tests(postgres_run):
    _, doc, _, code = postgres_run
    item = _item(doc, "silver.factdailystoresales")
    assert item["output"]["execution"]["unit_tests"] == {"total": 2, "passed": 2}, item
    assert item["status"] == "ok" and code == 0


ADAPTER_VENVS = Path(__file__).parents[3] / ".venv-adapters"


def _dbt_for(adapter: str) -> Path | None:
    """The dbt that has `adapter`: this environment's, or its own environment under .venv-adapters/
    (scripts/_setup_adapters.sh; .ci/run creates them), or None."""
    if importlib.util.find_spec(f"dbt.adapters.{adapter}") is not None:
        return Path(sys.executable).with_name("dbt")
    own = ADAPTER_VENVS / adapter / "bin" / "dbt"
    return own if own.is_file() else None


ADAPTER_ENV = {  # placeholder settings: `dbt parse` renders the profile but never connects
    "DBT_MIGRATE_PG_USER": "u",
    "DBT_ENV_SECRET_PG_PASSWORD": "p",
    "DBT_MIGRATE_PG_DBNAME": "d",
    "DBT_MIGRATE_SNOWFLAKE_ACCOUNT": "a",
    "DBT_MIGRATE_SNOWFLAKE_USER": "u",
    "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD": "p",
    "DBT_MIGRATE_SNOWFLAKE_ROLE": "r",
    "DBT_MIGRATE_SNOWFLAKE_WAREHOUSE": "w",
    "DBT_MIGRATE_SNOWFLAKE_DATABASE": "d",
    "DBT_MIGRATE_DATABRICKS_HOST": "h.cloud.databricks.com",
    "DBT_MIGRATE_DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/x",
    "DBT_ENV_SECRET_DATABRICKS_TOKEN": "t",
    "DBT_MIGRATE_FABRIC_SERVER": "s",
    "DBT_MIGRATE_FABRIC_DATABASE": "d",
    "DBT_MIGRATE_FABRIC_TENANT_ID": "t",
    "DBT_MIGRATE_FABRIC_CLIENT_ID": "c",
    "DBT_ENV_SECRET_FABRIC_CLIENT_SECRET": "s",
    "DBT_MIGRATE_SQLSERVER_SERVER": "s",
    "DBT_MIGRATE_SQLSERVER_DATABASE": "d",
    "DBT_MIGRATE_SQLSERVER_USER": "u",
    "DBT_ENV_SECRET_SQLSERVER_PASSWORD": "p",
}


@pytest.mark.parametrize(
    "adapter",
    [
        pytest.param(
            name,
            marks=pytest.mark.skipif(
                _dbt_for(name) is None,
                reason=f"dbt-{name} is installed neither here nor in .venv-adapters/{name}: "
                f"run scripts/_setup_adapters.sh {name} (.ci/run does) to parse this template",
            ),
        )
        for name in ("duckdb", "postgres", "snowflake", "databricks", "fabric", "sqlserver")
    ],
)
def test_each_adapter_template_parses_with_dbt_parse(adapter, tmp_path):
    root = tmp_path / "migration"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "retail", root)
    init = run_cli("init", "--project-root", str(root), "--adapter", adapter)
    assert init.returncode == 0, init.stdout + init.stderr
    assert f"type: {adapter}" in (root / "dbt" / "profiles.yml").read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_MIGRATE_PG_", "DBT_ENV_SECRET_"))}
    dbt = _dbt_for(adapter)
    assert dbt is not None
    parsed = subprocess.run(
        [str(dbt), "parse"], cwd=root / "dbt", env={**env, **ADAPTER_ENV}, capture_output=True, text=True, timeout=300
    )
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    manifest = json.loads((root / "dbt" / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == adapter
