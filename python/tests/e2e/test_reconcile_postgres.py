"""`migrate reconcile` on the embedded demo warehouse on PostgreSQL (#17 acceptance 1).

The demo project's reconcile.yml (three rounds, legacy tables derived independently) runs through
the real CLI against a real PostgreSQL (``eval "$(.ci/postgres.sh start)"``; skipped when
DBT_MIGRATE_PG_HOST is unset): the sources live in a schema unique to the test (created here with
the legacy DDL's types), the models in another, the legacy exports beside them in
``<schema>_reconcile``; all three are dropped afterwards. Loads travel as escaped literals in one
transaction per round (PostgreSQL cannot read the client's files).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

from helpers import DEMO_PROJECT, run_cli
from helpers.reconcile_runs import cells, failures

PG = {k: os.environ.get(f"DBT_MIGRATE_PG_{k}") for k in ("HOST", "PORT", "USER", "PASSWORD", "DBNAME")}


BRONZE_PG = {
    "Customer": "CustomerID integer not null, FirstName varchar(50) not null, LastName varchar(50) not null, "
    "Email varchar(200), City varchar(50), IsDeleted smallint not null, UpdatedAt timestamp(3) not null",
    "Orders": "OrderID integer not null, CustomerID integer not null, OrderDate timestamp(3) not null, "
    "Status varchar(20) not null",
    "OrderItem": "OrderID integer not null, ItemNo integer not null, ProductCode varchar(20) not null, "
    "Qty integer not null, Price numeric(10, 2) not null",
}


def _pg():
    import psycopg2

    con = psycopg2.connect(
        host=PG["HOST"], port=PG["PORT"], user=PG["USER"], password=PG["PASSWORD"], dbname=PG["DBNAME"]
    )
    con.autocommit = True
    return con


def _demo_with_bronze_schema(dest: Path, bronze: str) -> Path:
    """A copy of the demo project whose source schema is ``bronze`` (unique to the test); the plan's
    source ids follow, its file paths do not change."""
    shutil.copytree(DEMO_PROJECT, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for path in dest.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".sql"):
            path.write_text(path.read_text(encoding="utf-8").replace("bronze", bronze), encoding="utf-8")
    plan = dest / "reconcile.yml"
    text = re.sub(r"^(\s+)bronze\.", rf"\g<1>{bronze}.", plan.read_text(encoding="utf-8"), flags=re.M)
    plan.write_text(text, encoding="utf-8")
    return dest


@pytest.mark.skipif(not PG["HOST"], reason="DBT_MIGRATE_PG_HOST is unset: start .ci/postgres.sh")
def test_demo_warehouse_matches_every_table_round_on_postgresql(tmp_path):
    unique = "t17_" + uuid.uuid4().hex[:8]
    bronze = unique + "_bronze"
    root = _demo_with_bronze_schema(tmp_path / "demo", bronze)
    env = {"DBT_ENV_SECRET_PG_PASSWORD": PG["PASSWORD"] or "", "DBT_MIGRATE_PG_SCHEMA": unique}
    con = _pg()
    try:
        with con.cursor() as cur:
            cur.execute(f"create schema {bronze}")
            for table, columns in BRONZE_PG.items():
                cur.execute(f'create table {bronze}."{table}" ({columns})')
        init = run_cli("init", "--project-root", str(root), "--adapter", "postgres", env=env)
        assert init.returncode == 0, init.stdout + init.stderr
        run = run_cli("run", "--project-root", str(root), "--all", "--json", env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        done = run_cli("reconcile", "--project-root", str(root), "--json", "--no-html", env=env)
        assert done.stdout, done.stderr[-4000:]
        doc = json.loads(done.stdout)
        assert done.returncode == 0, "\n".join(failures(doc))
        assert doc["adapter"] == "postgres"
        assert doc["summary"]["cells"] == 9 and doc["summary"]["match"] == 9
        assert all(c["legacy_rows"] == c["model_rows"] > 0 for c in cells(doc).values())
    finally:
        with con.cursor() as cur:
            for schema in (bronze, unique, unique + "_reconcile"):
                cur.execute(f"drop schema if exists {schema} cascade")
        con.close()
