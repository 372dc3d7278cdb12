"""`migrate reconcile` on an SCD2 target whose legacy table carries clock values (#17 acceptance 2).

The loader of ``fixtures/loads/scd2_update_close_insert`` closes a version with the new source row's
ModifiedDate, or with GETDATE() when the key left the source, and writes ValidTo '9999-12-31' on
the current version; its migrated model is a dbt snapshot (plus the view adding IsCurrent) that
closes a vanished key with its own clock. Three rounds of inputs and the legacy table after each
(below, derived by hand from the T-SQL; the GETDATE() close is the time the legacy load ran;
timestamps as SQL Server exports DATETIME) are reconciled three ways: compared as they are, the
rounds after that close differ in that row's ValidTo; excluding ValidTo makes every round match;
so does the SCD2 mode, which compares the business columns, the order of the versions per key and
the current flag.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import FIXTURES, run_cli
from helpers.migration import ConvertCase, write_cases_project
from helpers.reconcile_runs import cells, failures

CASE = FIXTURES / "loads" / "scd2_update_close_insert" / "procedure.sql"
SOURCE = "CustomerID,Name,City,ModifiedDate\n"
SOURCES = [
    "1,Ann,Oslo,2024-01-01\n2,Bob,Rome,2024-01-01\n3,Cid,Lima,2024-01-01\n",
    "1,Ann,Bergen,2024-02-01\n2,Bob,Rome,2024-01-01\n4,Dan,Kyiv,2024-02-01\n",
    "1,Ann,Bergen,2024-02-01\n2,Bob,Milan,2024-03-01\n3,Cid,Lima,2024-01-01\n4,Dan,Kyiv,2024-02-01\n",
]
LEGACY = "CustomerKey,CustomerID,Name,City,ModifiedDate,ValidFrom,ValidTo,IsCurrent\n"
ROUND1 = """1,1,Ann,Oslo,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,9999-12-31 00:00:00.000,1
2,2,Bob,Rome,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,9999-12-31 00:00:00.000,1
3,3,Cid,Lima,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,9999-12-31 00:00:00.000,1
"""
ROUND2 = """1,1,Ann,Oslo,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,2024-02-01 00:00:00.000,0
2,2,Bob,Rome,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,9999-12-31 00:00:00.000,1
3,3,Cid,Lima,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,2026-11-30 17:12:03.457,0
4,1,Ann,Bergen,2024-02-01 00:00:00.000,2024-02-01 00:00:00.000,9999-12-31 00:00:00.000,1
5,4,Dan,Kyiv,2024-02-01 00:00:00.000,2024-02-01 00:00:00.000,9999-12-31 00:00:00.000,1
"""
ROUND3 = """1,1,Ann,Oslo,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,2024-02-01 00:00:00.000,0
2,2,Bob,Rome,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,2024-03-01 00:00:00.000,0
3,3,Cid,Lima,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,2026-11-30 17:12:03.457,0
4,1,Ann,Bergen,2024-02-01 00:00:00.000,2024-02-01 00:00:00.000,9999-12-31 00:00:00.000,1
5,4,Dan,Kyiv,2024-02-01 00:00:00.000,2024-02-01 00:00:00.000,9999-12-31 00:00:00.000,1
6,2,Bob,Milan,2024-03-01 00:00:00.000,2024-03-01 00:00:00.000,9999-12-31 00:00:00.000,1
7,3,Cid,Lima,2024-01-01 00:00:00.000,2024-01-01 00:00:00.000,9999-12-31 00:00:00.000,1
"""
ROUNDS = """rounds:
""" + "".join(
    f"""  - name: night{n}
    sources: {{bronze.CustomerUpdateSrc: rounds/{n}/source.csv}}
    legacy: {{dim.CustomerUpdate: rounds/{n}/legacy.csv}}
"""
    for n in (1, 2, 3)
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = write_cases_project(tmp_path_factory.mktemp("reconcile_scd2") / "project", [ConvertCase.read(CASE)])
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    run = run_cli("run", "--all", "--project-root", str(root), "--json")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    for n, (source, legacy) in enumerate(zip(SOURCES, (ROUND1, ROUND2, ROUND3), strict=True), start=1):
        folder = root / "rounds" / str(n)
        folder.mkdir(parents=True)
        (folder / "source.csv").write_text(SOURCE + source, encoding="utf-8")
        (folder / "legacy.csv").write_text(LEGACY + legacy, encoding="utf-8")
    return root


def _reconcile(root: Path, name: str, rules: str) -> tuple[int, dict]:
    plan = root / f"{name}.yml"
    plan.write_text("version: 1\ntables:\n  dim.CustomerUpdate:\n" + rules + ROUNDS, encoding="utf-8")
    done = run_cli("reconcile", "--project-root", str(root), "--plan", str(plan), "--json", "--no-html")
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def test_compared_as_they_are_only_the_rounds_with_a_clock_value_differ(project):
    code, doc = _reconcile(project, "as_is", "    exclude_columns: [CustomerKey]\n")
    assert code == 1
    assert [(k[1], c["status"]) for k, c in cells(doc).items()] == [(1, "match"), (2, "mismatch"), (3, "mismatch")]
    for n in (2, 3):
        cell = cells(doc)[("dim.CustomerUpdate", n)]
        assert (cell["only_in_legacy"], cell["only_in_model"]) == (1, 1)
        row = next(r for r in cell["reports"] if r["type"] == "row")
        assert [(e["CustomerID"], e["ValidTo"][:19]) for e in row["examples_legacy"]] == [("3", "2026-11-30 17:12:03")]
        assert [e["CustomerID"] for e in row["examples_model"]] == ["3"]


def test_excluding_the_clock_valued_columns_makes_the_scd2_table_match(project):
    code, doc = _reconcile(project, "excluded", "    exclude_columns: [CustomerKey, ValidTo]\n")
    assert code == 0, "\n".join(failures(doc))
    assert [(k[1], c["legacy_rows"], c["model_rows"]) for k, c in cells(doc).items()] == [
        (1, 3, 3),
        (2, 5, 5),
        (3, 7, 7),
    ]
    assert cells(doc)[("dim.CustomerUpdate", 1)]["model"] == "customerupdate_versions"


def test_scd2_mode_compares_business_columns_version_order_and_current_flag(project):
    rules = """    key: [CustomerID]
    exclude_columns: [CustomerKey]
    reports: [schema, row, data]
    scd2: {business_key: [CustomerID], valid_from: ValidFrom, valid_to: ValidTo, current_flag: IsCurrent}
"""
    code, doc = _reconcile(project, "scd2_mode", rules)
    assert code == 0, "\n".join(failures(doc))
    data = next(r for r in cells(doc)[("dim.CustomerUpdate", 3)]["reports"] if r["type"] == "data")
    assert {c["column"] for c in data["columns"]} >= {"Name", "City", "IsCurrent", "(open)"}
    assert data["message"] == "7 rows compared on the key, all equal"


def test_a_parquet_source_and_a_legacy_relation_already_in_the_warehouse(project):
    """Sources may be Parquet files and legacy tables relations in the warehouse (compared where
    they are, not copied)."""
    import duckdb

    folder = project / "rounds" / "1"
    db = project / "dbt" / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"copy (select * from read_csv_auto('{folder / 'source.csv'}')) to '{folder / 'source.parquet'}'")
        con.execute("create schema if not exists legacy_export")
        legacy = f"read_csv_auto('{folder / 'legacy.csv'}')"
        con.execute(f"create or replace table legacy_export.customer_update_1 as select * from {legacy}")
    plan = project / "relations.yml"
    plan.write_text(
        "version: 1\ntables:\n  dim.CustomerUpdate: {exclude_columns: [CustomerKey, ValidTo]}\nrounds:\n"
        "  - name: night1\n    sources: {bronze.CustomerUpdateSrc: rounds/1/source.parquet}\n"
        "    legacy: {dim.CustomerUpdate: {relation: legacy_export.customer_update_1}}\n",
        encoding="utf-8",
    )
    done = run_cli("reconcile", "--project-root", str(project), "--plan", str(plan), "--json", "--no-html")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cell = cells(json.loads(done.stdout))[("dim.CustomerUpdate", 1)]
    assert cell["legacy_relation"] == "legacy_export.customer_update_1"
    assert (cell["legacy_rows"], cell["model_rows"]) == (3, 3)
