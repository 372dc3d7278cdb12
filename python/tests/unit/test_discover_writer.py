"""`migrate discover`'s writing side: the catalogs it writes are read by the project's own reader
with nothing dropped; re-runs merge (others' edits win, discover's own fields refresh), --force
replaces, --dry-run writes nothing; a planted name never becomes a path (issue #18)."""

from __future__ import annotations

import json
from pathlib import Path

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.discover.inputs import read_inputs
from dbt_migrate.discover.model import Analysis, TableInference
from dbt_migrate.discover.writer import write_catalogs

TABLES = """\
CREATE TABLE [bronze].[Customer] (
    [CustomerID] INT NOT NULL,
    [Email] NVARCHAR(200) NULL,
    [Home] [sys].[geography] NULL,
    [UpdatedAt] DATETIME NOT NULL,
    CONSTRAINT [PK_Customer] PRIMARY KEY ([CustomerID])
);
GO
CREATE TABLE [silver].[Dim Customer] (
    [Customer Key] INT IDENTITY(1,1) NOT NULL,
    [CustomerID] INT NOT NULL,
    [Email] NVARCHAR(200) NULL,
    [UpdatedAt] DATETIME NOT NULL,
    CONSTRAINT [PK_Dim] PRIMARY KEY ([Customer Key]),
    CONSTRAINT [UQ_Dim] UNIQUE ([CustomerID])
);
GO
ALTER TABLE [silver].[Dim Customer] ADD CONSTRAINT [FK_Dim_Customer]
    FOREIGN KEY ([CustomerID]) REFERENCES [bronze].[Customer] ([CustomerID]);
GO
CREATE PROCEDURE [silver].[usp_load_DimCustomer] AS
BEGIN
    INSERT INTO [silver].[Dim Customer] (CustomerID, Email, UpdatedAt)
    SELECT CustomerID, Email, UpdatedAt FROM bronze.Customer;
END;
GO
"""

WRITER = "silver.usp_load_DimCustomer"


def _analysis(kind: str = "dim_scd1") -> Analysis:
    fact = {"source": "discover", "rationale": "test"}
    profile = {
        "status": "ok",
        "classification": {"resolved_kind": kind, **fact},
        "primary_key": {"columns": ["CustomerID"], "primary_key_type": "natural", **fact},
        "watermark": {"column": "UpdatedAt", **fact},
        "foreign_keys": [
            {"column": "CustomerID", "fk_type": "standard", "references_table": "bronze.Customer", **fact}
        ],
        "pii_actions": [{"column": "Email", "suggested_action": "mask", **fact}],
    }
    scoping = {
        "status": "resolved",
        "selected_writer": WRITER,
        "candidates": [{"procedure_name": WRITER, "rationale": "t"}],
    }
    statements = [{"action": "migrate", "source": "ast", "type": "Insert", "sql": "INSERT INTO x SELECT 1"}]
    procedure = {"statements": statements, "mode": "deterministic", "needs_llm": False, "routing_reasons": []}
    return Analysis(
        procedures={"silver.usp_load_dimcustomer": procedure},
        tables={"silver.dim customer": TableInference(scoping=scoping, profile=profile)},
    )


def _discover(tmp_path: Path, **kw):
    (tmp_path / "ddl").mkdir(exist_ok=True)
    (tmp_path / "ddl" / "all.sql").write_text(TABLES, encoding="utf-8")
    return write_catalogs(tmp_path, read_inputs(tmp_path / "ddl"), kw.pop("analysis", _analysis()), **kw)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_written_catalogs_are_read_by_the_project_reader_with_every_field(tmp_path):
    report = _discover(tmp_path)
    assert report.problems == [] and report.count("created") == 4
    mp = MigrationProject(tmp_path)
    assert mp.manifest.dialect == "tsql" and mp.rejected_tables == {}
    dim = mp.table("silver.Dim Customer")
    assert [c.name for c in dim.columns] == ["Customer Key", "CustomerID", "Email", "UpdatedAt"]
    assert dim.columns[0].is_identity and not dim.columns[0].is_nullable
    assert [(p.constraint_name, p.columns) for p in dim.primary_keys] == [("PK_Dim", ["Customer Key"])]
    (fk,) = dim.foreign_keys
    assert (fk.columns, fk.referenced_schema, fk.referenced_table, fk.referenced_columns) == (
        ["CustomerID"], "bronze", "Customer", ["CustomerID"],
    )  # fmt: skip
    assert [a.column for a in dim.auto_increment_columns] == ["Customer Key"]
    assert dim.scoping.status == "resolved" and dim.scoping.selected_writer == WRITER
    assert dim.is_target and not dim.is_source
    profile = dim.profile
    assert profile.classification.resolved_kind == "dim_scd1"
    assert profile.primary_key.columns == ["CustomerID"] and profile.watermark == ["UpdatedAt"]
    assert profile.foreign_keys[0].references_source_relation == "bronze.Customer"
    assert profile.pii_actions[0].suggested_action == "mask"
    raw = _load(tmp_path / "catalog" / "tables" / "silver.dim customer.json")
    assert raw["unique_indexes"] == [{"index_name": "UQ_Dim", "columns": ["CustomerID"]}]
    assert raw["discover"]["source"] == "discover" and raw["discover"]["read_from"] == "all.sql:9"
    assert raw["discover"]["fields"]["columns"]["rationale"].startswith("columns, types and nullability")
    customer = mp.table("bronze.Customer")
    assert customer.is_source and not customer.is_target and customer.scoping.status == "no_writer_found"
    home = next(c for c in customer.columns if c.name == "Home")
    assert (home.sql_type, home.target_sql_type) == ("sys.geography", "nvarchar(max)")
    proc = mp.procedure(WRITER)
    assert proc.mode == "deterministic" and [s.type for s in proc.migrate_statements] == ["Insert"]


def test_a_rerun_keeps_a_persons_edit_and_refreshes_discovers_own_fields(tmp_path):
    _discover(tmp_path)
    path = tmp_path / "catalog" / "tables" / "silver.dim customer.json"
    doc = _load(path)
    doc["profile"]["classification"] = {"resolved_kind": "dim_scd2", "source": "manual", "rationale": "we keep history"}
    doc["owner"] = "data team"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = _discover(tmp_path, analysis=_analysis("fact_transaction"))
    merged = _load(path)
    assert merged["profile"]["classification"]["resolved_kind"] == "dim_scd2"  # the person's edit
    assert merged["owner"] == "data team"
    assert merged["profile"]["watermark"]["column"] == "UpdatedAt"  # discover's own, still there
    change = next(f for f in report.files if f.path == "catalog/tables/silver.dim customer.json")
    assert ("profile.classification", "kept") in {(c.field, c.kind) for c in change.changes}
    # discover's own field follows the input: the DDL changes, the columns are refreshed
    (tmp_path / "ddl" / "all.sql").write_text(
        TABLES.replace("[Email] NVARCHAR(200) NULL,\n    [UpdatedAt]", "[UpdatedAt]")
    )
    write_catalogs(tmp_path, read_inputs(tmp_path / "ddl"), _analysis())
    assert [c["name"] for c in _load(path)["columns"]] == ["Customer Key", "CustomerID", "UpdatedAt"]
    assert _load(path)["profile"]["classification"]["resolved_kind"] == "dim_scd2"


def test_force_replaces_the_edit_and_dry_run_writes_nothing(tmp_path):
    _discover(tmp_path)
    path = tmp_path / "catalog" / "tables" / "silver.dim customer.json"
    doc = _load(path)
    doc["profile"]["classification"]["resolved_kind"] = "dim_scd2"  # edited in place, source left as is
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    dry = _discover(tmp_path, force=True, dry_run=True)
    assert path.read_text(encoding="utf-8") == before
    change = next(f for f in dry.files if f.path.endswith("silver.dim customer.json"))
    assert change.status == "updated" and ("profile.classification", "changed") in {
        (c.field, c.kind) for c in change.changes
    }
    _discover(tmp_path, force=True)
    assert _load(path)["profile"]["classification"]["resolved_kind"] == "dim_scd1"


def test_an_unchanged_rerun_rewrites_nothing(tmp_path):
    _discover(tmp_path)
    again = _discover(tmp_path)
    assert again.count("unchanged") == len(again.files) == 4


def test_a_planted_name_never_becomes_a_path(tmp_path):
    project = tmp_path / "project"
    (project / "ddl").mkdir(parents=True)
    (project / "ddl" / "evil.sql").write_text(
        "CREATE TABLE [..].[../../../outside] (a INT);\nGO\n"
        "CREATE TABLE [dbo].[{{ run_query('drop') }}] (a INT);\nGO\n"
        "CREATE TABLE [dbo].[fine] (a INT);\nGO\n",
        encoding="utf-8",
    )
    report = write_catalogs(project, read_inputs(project / "ddl"), Analysis())
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert written == ["project/catalog/tables/dbo.fine.json", "project/manifest.json"]
    assert len(report.problems) == 2 and all("unsafe_name" in p.message for p in report.problems)
    assert {p.line for p in report.problems} == {1, 3}
