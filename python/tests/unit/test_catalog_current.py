"""The tolerant reader: both generations of the format, their aliases, and a bad field failing
only the tables that need it (FORMATS.md, FORMATS-current.md). No dbt."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from dbt_migrate import layout
from dbt_migrate.catalog import MigrationProject, ProcedureCatalog, TableCatalog
from dbt_migrate.context import build_context
from dbt_migrate.convert import convert_context
from dbt_migrate.errors import InputError, NotReadyError
from dbt_migrate.warehouse import DbtInfo, Warehouse, staging_wrappers
from helpers import FIXTURES

CURRENT = FIXTURES / "current"


def _table(**fields) -> TableCatalog:
    return TableCatalog.model_validate({"schema": "silver", "name": "T", **fields})


def test_current_columns_read_the_source_type_from_source_sql_type():
    t = _table(
        columns=[
            {"name": "a", "sql_type": "NUMBER(19,4)", "source_sql_type": "money"},
            {"name": "b", "data_type": "nvarchar(10)"},
            {"name": "c", "type": "int"},
            {"name": "d", "sql_type": "datetime", "is_nullable": None},
        ]
    )
    assert [(c.sql_type, c.target_sql_type) for c in t.columns] == [
        ("money", "NUMBER(19,4)"),
        ("nvarchar(10)", None),
        ("int", None),
        ("datetime", None),
    ]
    assert t.columns[3].is_nullable is True


def test_declared_foreign_keys_of_both_generations_read_as_the_current_shape():
    t = _table(
        foreign_keys=[
            {"column": "a", "references_schema": "s", "references_table": "r", "references_column": "x"},
            {"columns": ["b"], "referenced_schema": "s", "referenced_table": "q", "referenced_columns": ["y"]},
            "FK_as_a_string",
        ]
    )
    assert [(f.columns, f.referenced_table, f.referenced_columns) for f in t.foreign_keys] == [
        (["a"], "r", ["x"]),
        (["b"], "q", ["y"]),
    ]


def test_primary_keys_that_are_strings_are_ignored_like_upstream_does():
    assert _table(primary_keys=["CategoryCode", {"columns": ["Id"]}]).primary_keys[0].columns == ["Id"]


def test_profile_aliases_of_the_current_generation():
    t = _table(
        profile={
            "classification": {"resolved_kind": "insert", "source": "catalog"},
            "primary_key": {"column": "Id", "primary_key_type": "unknown"},
            "watermark": {"columns": ["LoadedAt"], "watermark_type": "datetime"},
            "foreign_keys": [
                {"columns": ["StoreKey"], "fk_type": "standard", "references_table": "silver.DimStore"},
                {"column": "OrderNo", "fk_type": "degenerate"},
            ],
            "pii_actions": [{"column": "Email", "action": "mask", "entity": "email"}],
        }
    )
    p = t.profile
    assert p is not None
    assert p.classification.resolved_kind == "fact_transaction"  # legacy kind with a watermark
    assert p.primary_key is not None and p.primary_key.columns == ["Id"]
    assert p.watermark == ["LoadedAt"]
    assert [(f.column, f.references_source_relation) for f in p.foreign_keys] == [
        ("StoreKey", "silver.DimStore"),
        ("OrderNo", None),
    ]
    assert p.pii_actions[0].suggested_action == "mask"


def test_procedure_current_fields():
    proc = ProcedureCatalog.model_validate(
        {
            "schema": "silver",
            "name": "usp",
            "mode": "llm_required",
            "statements": [{"action": "migrate", "source": "llm", "sql": "select 1"}],
            "table_slices": {"[Silver].[A]": "insert into silver.a select 1"},
        }
    )
    assert proc.needs_llm and proc.statements[0].type == ""
    assert proc.slice_for("silver.a") == "insert into silver.a select 1" and proc.slice_for("silver.b") is None


@pytest.fixture()
def current(tmp_path):
    root = tmp_path / "current"
    shutil.copytree(CURRENT, root, ignore=shutil.ignore_patterns("dbt"))
    return root


def test_views_seeds_and_sources_of_the_current_fixture(current):
    mp = MigrationProject(current)
    assert sorted(t.key for t in mp.targets) == [
        "gold.vw_productsales",
        "silver.dimcustomer",
        "silver.dimproduct",
        "silver.factorderline",
        "silver.salesdaily",
        "silver.vw_activeproduct",
    ]
    view = mp.table("gold.vw_productsales")
    assert view.is_view and view.profile is not None and view.profile.classification.resolved_kind == "mart"
    assert mp.table("silver.vw_activeproduct").is_materialized_view
    seed = mp.table("silver.CategoryLookup")
    assert seed.seed_name == "categorylookup" and not seed.is_target
    assert mp.rejected_tables == {}


def test_a_field_nothing_needs_stops_nothing_and_a_needed_one_names_file_and_field(current):
    mp = MigrationProject(current)
    archive = mp.table("bronze.legacyarchive")  # columns is a sentence: the file still loads
    with pytest.raises(InputError, match=r"bronze\.legacyarchive\.json: field 'columns'"):
        archive.need("columns")
    wh = Warehouse(mp)
    assert all(build_context(wh, t.id) for t in mp.targets)


def test_a_target_reading_a_table_with_an_unreadable_field_fails_and_so_do_its_readers(current):
    path = current / "catalog" / "tables" / "bronze.orderline.json"
    doc = json.loads(path.read_text())
    doc["columns"] = {"not": "a list"}
    path.write_text(json.dumps(doc))
    mp = MigrationProject(current)
    wh = Warehouse(mp)
    for target in ("silver.factorderline", "silver.salesdaily", "gold.vw_productsales"):
        with pytest.raises(InputError, match=r"bronze\.orderline\.json: field 'columns'"):
            build_context(wh, target)
    assert build_context(wh, "silver.dimproduct").model_name == "dimproduct"


def test_a_profile_that_cannot_be_read_keeps_the_table_a_target_that_fails(current):
    path = current / "catalog" / "tables" / "silver.dimcustomer.json"
    doc = json.loads(path.read_text())
    doc["profile"]["pii_actions"] = [{"column": "Email", "action": "shred"}]
    path.write_text(json.dumps(doc))
    mp = MigrationProject(current)
    assert "silver.dimcustomer" in {t.key for t in mp.targets}
    with pytest.raises(InputError, match=r"silver\.dimcustomer\.json: field 'profile\.pii_actions\.0"):
        build_context(Warehouse(mp), "silver.dimcustomer")


def test_multi_table_writer_without_a_slice_for_the_target_is_refused_by_name(current):
    path = current / "catalog" / "procedures" / "silver.usp_load_sales.json"
    doc = json.loads(path.read_text())
    del doc["table_slices"]["silver.salesdaily"]
    path.write_text(json.dumps(doc))
    wh = Warehouse(MigrationProject(current))
    with pytest.raises(NotReadyError, match="slice_missing: .* no slice for silver.salesdaily"):
        build_context(wh, "silver.salesdaily")
    ctx = build_context(wh, "silver.factorderline")
    assert ctx.proc_body == "" and [s.type for s in ctx.statements] == ["TruncateTable", "Insert"]


def test_wrappers_and_seeds_are_read_with_ref(current):
    dbt = DbtInfo(
        declared_sources={"bronze.product": ("bronze", "Product")},
        models={"stg_bronze__product", "stg_bronze__unknownsource", "stg_dimthing"},
        seeds={"categorylookup"},
    )
    assert staging_wrappers(dbt) == {
        "bronze.product": "stg_bronze__product",
        "bronze.unknownsource": "stg_bronze__unknownsource",
    }
    wh = Warehouse(MigrationProject(current), dbt)
    conv = convert_context(build_context(wh, "silver.dimproduct"), wh)
    assert conv.sql is not None
    assert "{{ ref('stg_bronze__product') }}" in conv.sql and "{{ ref('categorylookup') }}" in conv.sql


def test_a_seed_the_dbt_project_lacks_fails_its_readers(current):
    wh = Warehouse(MigrationProject(current), DbtInfo(seeds={"someotherseed"}))
    with pytest.raises(InputError, match=r"add seeds/categorylookup\.csv"):
        build_context(wh, "silver.dimproduct")


def test_models_dir_follows_the_project_and_the_option(tmp_path, monkeypatch):
    monkeypatch.delenv(layout.MODELS_DIR_ENV, raising=False)
    assert layout.model_sql(tmp_path, "m").parent == tmp_path / "models" / "staging"
    (tmp_path / "models" / "marts").mkdir(parents=True)
    assert layout.model_yaml(tmp_path, "m") == tmp_path / "models" / "marts" / "_m.yml"
    monkeypatch.setenv(layout.MODELS_DIR_ENV, "models/core")
    assert layout.model_sql(tmp_path, "m") == tmp_path / "models" / "core" / "m.sql"
    monkeypatch.setenv(layout.MODELS_DIR_ENV, "../elsewhere")
    with pytest.raises(Exception, match="must be a relative folder under models/"):
        layout.model_sql(tmp_path, "m")


def test_right_refactored_sql_is_used_and_a_wrong_one_is_set_aside_naming_column_and_statement(current):
    wh = Warehouse(MigrationProject(current))
    right = build_context(wh, "silver.dimproduct")
    assert right.refactored_sql and right.refactor_defect is None
    wrong = build_context(wh, "silver.dimcustomer")
    assert wrong.refactored_sql is None
    assert wrong.refactor_defect is not None and "column Email" in wrong.refactor_defect
    assert "statement 1 (INSERT INTO silver.dimcustomer)" in wrong.refactor_defect


def test_refactored_sql_reading_a_column_its_source_lacks_is_set_aside(current):
    path = current / "catalog" / "procedures" / "silver.usp_load_dimcustomer.json"
    doc = json.loads(path.read_text())
    fixed = copy.deepcopy(doc)
    doc["refactor"]["refactored_sql"] = (
        "SELECT c.CustomerID, c.CustomerName, LOWER(c.Email) AS Email, ISNULL(c.CountryCode, 'ZZ') AS CountryCode "
        "FROM bronze.Customer AS c"
    )
    path.write_text(json.dumps(doc))
    ctx = build_context(Warehouse(MigrationProject(current)), "silver.dimcustomer")
    assert ctx.refactor_defect is not None and "Customer.CustomerName" in ctx.refactor_defect
    # Dropping a column the INSERT writes is a defect too.
    fixed["refactor"]["refactored_sql"] = "SELECT c.CustomerID, LOWER(c.Email) AS Email FROM bronze.Customer AS c"
    path.write_text(json.dumps(fixed))
    ctx = build_context(Warehouse(MigrationProject(current)), "silver.dimcustomer")
    assert ctx.refactor_defect is not None and "drops column CustomerName, CountryCode" in ctx.refactor_defect


def test_a_slice_that_disagrees_with_the_writers_statements_is_set_aside(current):
    wh = Warehouse(MigrationProject(current))
    ctx = build_context(wh, "silver.salesdaily")  # a right slice is used as it is
    assert ctx.refactor_defect is None and len(ctx.statements) == 2
    path = current / "catalog" / "procedures" / "silver.usp_load_sales.json"
    doc = json.loads(path.read_text())
    doc["table_slices"]["silver.salesdaily"] = doc["table_slices"]["silver.salesdaily"].replace(
        "SUM(o.Qty)", "SUM(o.LineNo)"
    )
    path.write_text(json.dumps(doc))
    ctx = build_context(Warehouse(MigrationProject(current)), "silver.salesdaily")
    assert ctx.refactor_defect is not None
    assert (
        "column TotalQty" in ctx.refactor_defect
        and "statement 3 (INSERT INTO silver.salesdaily)" in ctx.refactor_defect
    )
    assert len(ctx.statements) == 4 and any(w.startswith("table_slices entry not used") for w in ctx.warnings)
