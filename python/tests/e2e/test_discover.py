"""`migrate discover` end to end, the real CLI in a subprocess (issue #18).

Acceptance 1 on WideWorldImportersDW's SSDT project (``../shared/realworld/wwi-dw``, copied first):
discover writes a catalog for every Dimension, Fact and Integration table and every
``Integration.MigrateStaged*Data`` procedure, the report counts them, and in one project
discover -> init -> `migrate run --all` builds every target rules convert (13 of 14): the seven
SCD2 dimensions as snapshots, and the six facts, whose lookups of a dimension's INT key read the
migrated snapshot's integer surrogate (``dbt_migrate.surrogate_integer``). ``Dimension.Date`` needs
the LLM: its only writer, ``PopulateDateDimensionForYear``, fills the year day by day in a WHILE
loop carrying state.

Acceptance 3 (edits kept, ``--force`` replaces) and 4 (malformed files reported with file and line,
the rest discovered, exit 1) on small inputs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import REPO, run_cli

WWI = REPO.parent / "shared" / "realworld" / "wwi-dw"
DIMENSIONS = ["City", "Customer", "Employee", "Payment Method", "Stock Item", "Supplier", "Transaction Type"]
FACTS = ["Movement", "Order", "Purchase", "Sale", "Stock Holding", "Transaction"]
NEEDS_LLM = {"dimension.date": "WHILE loop"}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wwi(tmp_path_factory):
    if not WWI.is_dir():
        pytest.skip(f"{WWI} is not there")
    base = tmp_path_factory.mktemp("wwi_discover")
    source = shutil.copytree(WWI, base / "wwi-dw")
    project = base / "project"
    project.mkdir()
    html = base / "inventory.html"
    found = run_cli(
        "discover", "--project-root", str(project), "--from", str(source), "--report", "--json", "--html", str(html)
    )
    assert found.returncode == 0, found.stderr
    init = run_cli("init", "--project-root", str(project))
    assert init.returncode == 0, init.stderr
    run = run_cli("run", "--all", "--json", "--project-root", str(project))
    doc = json.loads(run.stdout)
    results = {r["item_id"]: r for r in doc["results"]}
    return {"project": project, "report": json.loads(found.stdout), "results": results, "run": doc, "html": html}


def test_wwi_catalogs_for_every_table_and_loader_and_the_report_counts_them(wwi):
    project = wwi["project"]
    tables = {p.name for p in (project / "catalog" / "tables").glob("*.json")}
    for folder in ("Dimension", "Fact", "Integration"):
        for sql in (WWI / folder / "Tables").glob("*.sql"):
            assert f"{folder.lower()}.{sql.stem.lower()}.json" in tables
    procedures = {p.name for p in (project / "catalog" / "procedures").glob("*.json")}
    loaders = sorted((WWI / "Integration" / "Stored Procedures").glob("MigrateStaged*Data.sql"))
    assert len(loaders) == 13
    assert {f"integration.{p.stem.lower()}.json" for p in loaders} <= procedures
    inv = wwi["report"]["inventory"]
    assert inv["counts"]["tables"] == 29 and inv["counts"]["procedures"] == 18 and inv["counts"]["problems"] == 0
    assert inv["catalogs_written"] == {"procedures": 18, "tables": 29}
    assert inv["objects_by_schema"]["Dimension"] == {"table": 8}
    assert inv["procedures_by_classification"]["dim_scd2"] == 7
    rules = {r["table"] for r in inv["conversion"]["rules"]}
    assert rules == {f"Dimension.{n}" for n in DIMENSIONS} | {f"Fact.{n}" for n in FACTS}
    (llm,) = inv["conversion"]["llm"]
    assert llm["table"] == "Dimension.Date" and "WHILE loop" in llm["why"]
    assert [len(layer) for layer in inv["dependency_layers"]] == [8, 6]  # the facts read the dimensions
    page = wwi["html"].read_text(encoding="utf-8")
    assert "Needs the LLM (1)" in page and "Dimension.Date" in page and "Converted by rule (13)" in page
    assert wwi["report"]["notes"] and all("ignored" in n for n in wwi["report"]["notes"])  # sequences, columnstores


def test_wwi_scd2_loaders_are_read_back_as_dim_scd2_snapshots_with_their_keys(wwi):
    for name in DIMENSIONS:
        doc = _json(wwi["project"] / "catalog" / "tables" / f"dimension.{name.lower()}.json")
        assert doc["profile"]["classification"]["resolved_kind"] == "dim_scd2"
        assert doc["profile"]["classification"]["source"] == "discover"
        assert (
            doc["scoping"]["selected_writer"].lower() == f"integration.migratestaged{name.replace(' ', '').lower()}data"
        )
        assert doc["is_source"] is False and doc["primary_keys"][0]["columns"] == [f"{name} Key"]


@pytest.mark.parametrize("name", DIMENSIONS)
def test_wwi_dimension_converts_by_rule_and_builds(wwi, name):
    r = wwi["results"][f"dimension.{name.lower()}"]
    assert r["status"] == "ok", (r["errors"], r["output"]["execution"]["dbt_errors"])
    assert r["output"]["generated"]["model_sql"]["generator"] == "deterministic"
    assert r["output"]["generated"]["model_sql"]["materialized"] == "snapshot"
    assert r["output"]["execution"]["dbt_build_passed"] is True


@pytest.mark.parametrize("name", FACTS)
def test_wwi_fact_converts_by_rule_and_builds_over_the_migrated_dimensions(wwi, name):
    r = wwi["results"][f"fact.{name.lower()}"]
    assert r["status"] == "ok", (r["errors"], r["output"]["execution"]["dbt_errors"])
    assert r["output"]["generated"]["model_sql"]["generator"] == "deterministic"
    assert r["output"]["execution"]["dbt_build_passed"] is True


def test_wwi_one_project_builds_every_rule_converted_target_and_the_date_dimension_needs_the_llm(wwi):
    date = wwi["results"]["dimension.date"]
    assert date["status"] == "error" and "WHILE loop" in date["errors"][0]
    ok = sorted(k for k, r in wwi["results"].items() if r["status"] == "ok")
    assert len(wwi["results"]) == 14 and len(ok) == 13
    assert ok == sorted([f"dimension.{n.lower()}" for n in DIMENSIONS] + [f"fact.{n.lower()}" for n in FACTS])
    # the facts read the migrated dimensions: ref() of the view giving the snapshot the legacy names
    # ("Valid To" is dbt_valid_to in the snapshot), not source() of the legacy table
    sale = (wwi["project"] / "dbt" / "models" / "staging" / "sale.sql").read_text(encoding="utf-8")
    assert "{{ ref('city_versions') }}" in sale and "source('dimension'" not in sale


DDL = """\
CREATE TABLE [bronze].[Customer] ([CustomerID] INT NOT NULL, [Email] NVARCHAR(200) NULL, [UpdatedAt] DATETIME NOT NULL);
GO
CREATE TABLE [silver].[DimCustomer] (
    [CustomerKey] INT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    [CustomerID] INT NOT NULL,
    [Email] NVARCHAR(200) NULL,
    [UpdatedAt] DATETIME NOT NULL
);
GO
CREATE PROCEDURE [silver].[usp_load_DimCustomer] AS
BEGIN
    MERGE silver.DimCustomer AS tgt
    USING (SELECT CustomerID, Email, UpdatedAt FROM bronze.Customer) AS src
    ON tgt.CustomerID = src.CustomerID
    WHEN MATCHED THEN UPDATE SET tgt.Email = src.Email, tgt.UpdatedAt = src.UpdatedAt
    WHEN NOT MATCHED THEN INSERT (CustomerID, Email, UpdatedAt) VALUES (src.CustomerID, src.Email, src.UpdatedAt);
END;
GO
"""


def test_rerun_keeps_a_persons_profile_edit_dry_run_shows_it_and_force_replaces_it(tmp_path):
    (tmp_path / "ddl").mkdir()
    (tmp_path / "ddl" / "all.sql").write_text(DDL, encoding="utf-8")
    first = run_cli("discover", "--project-root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    path = tmp_path / "catalog" / "tables" / "silver.dimcustomer.json"
    doc = _json(path)
    discovered_kind = doc["profile"]["classification"]["resolved_kind"]
    assert discovered_kind == "dim_scd1"
    doc["profile"]["classification"] = {"resolved_kind": "dim_scd2", "source": "manual", "rationale": "keep history"}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")

    rerun = run_cli("discover", "--project-root", str(tmp_path))
    assert rerun.returncode == 0, rerun.stderr
    assert _json(path)["profile"]["classification"]["resolved_kind"] == "dim_scd2"

    before = path.read_text(encoding="utf-8")
    dry = run_cli("discover", "--project-root", str(tmp_path), "--force", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert path.read_text(encoding="utf-8") == before
    assert "catalog/tables/silver.dimcustomer.json" in dry.stdout and "changed profile.classification" in dry.stdout
    assert "dry run: nothing written" in dry.stdout

    forced = run_cli("discover", "--project-root", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _json(path)["profile"]["classification"]["resolved_kind"] == discovered_kind


def test_malformed_files_are_reported_with_file_and_line_and_the_rest_is_discovered(tmp_path):
    src = tmp_path / "src"
    (src / "Tables").mkdir(parents=True)
    (src / "Tables" / "Good.sql").write_text("CREATE TABLE dbo.Good (a INT NOT NULL);\n", encoding="utf-8")
    (src / "Tables" / "Half.sql").write_text("\nCREATE TABLE dbo.Half (\n    a INT,\n", encoding="utf-8")
    (src / "Procs").mkdir()
    (src / "Procs" / "NoEnd.sql").write_text(
        "CREATE PROCEDURE dbo.NoEnd AS\nBEGIN\n    DELETE FROM dbo.Good;\n", encoding="utf-8"
    )
    (src / "Procs" / "Garbage.sql").write_text("-- what is this\nFROBNICATE dbo.Good;\n", encoding="utf-8")
    (src / "Procs" / "Fine.sql").write_text(
        "CREATE PROCEDURE dbo.Fine AS\nBEGIN\n    TRUNCATE TABLE dbo.Good;\nEND\n", encoding="utf-8"
    )
    project = tmp_path / "project"
    project.mkdir()
    result = run_cli("discover", "--project-root", str(project), "--from", str(src))
    assert result.returncode == 1, result.stderr
    assert "Tables/Half.sql:2: dbo.half: unterminated batch" in result.stderr
    assert "Procs/NoEnd.sql:2: dbo.noend: unterminated batch" in result.stderr
    assert "Procs/Garbage.sql:2: unknown syntax" in result.stderr
    assert (project / "catalog" / "tables" / "dbo.good.json").is_file()
    assert (project / "catalog" / "procedures" / "dbo.fine.json").is_file()
    assert not (project / "catalog" / "tables" / "dbo.half.json").exists()
    bad = run_cli("discover", "--project-root", str(project), "--from", str(tmp_path / "missing"))
    assert bad.returncode == 2
