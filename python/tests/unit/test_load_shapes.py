"""Load shapes recognised by rule (no dbt): the snapshot or incremental config each ``fixtures/loads``
case converts to, and the statement-level decisions (skipped statements, constant dynamic SQL).
The rounds themselves run on dbt in ``e2e/test_loads.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot import exp

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.convert import Conversion, convert_context, render_item
from dbt_migrate.convert.scd import Scd2Load
from dbt_migrate.convert.surrogates import surrogate_sql
from dbt_migrate.warehouse import DbtInfo, Warehouse
from helpers import FIXTURES
from helpers.migration import ConvertCase, write_migration_project

LOADS = FIXTURES / "loads"


def _convert(case: ConvertCase, root: Path, actions: dict[int, str] | None = None, **proc: object):
    table, procedure, ddl, proc_ddl = case.catalogs()
    for i, action in (actions or {}).items():
        procedure["statements"][i]["action"] = action
    procedure.update(proc)
    write_migration_project(root, tables=[table], procedures=[procedure], tables_ddl=ddl, procedures_ddl=proc_ddl)
    wh = Warehouse(MigrationProject(root), DbtInfo(adapter_type="duckdb"))
    ctx = build_context(wh, case.target)
    return ctx, convert_context(ctx, wh)


def _case(name: str) -> ConvertCase:
    return ConvertCase.read(LOADS / name / "procedure.sql")


SNAPSHOTS = {
    "scd2_merge_expire_insert": {
        "strategy": "check",
        "unique_key": ["CustomerID"],
        "check_cols": ["Name", "City"],
        "snapshot_meta_column_names": {
            "dbt_valid_from": "ValidFrom",
            "dbt_valid_to": "ValidTo",
        },
        "dbt_valid_to_current": "CAST('9999-12-31' AS TIMESTAMP)",
    },
    "scd2_merge_output_insert": {
        "strategy": "check",
        "unique_key": ["CustomerID"],
        "check_cols": ["Name", "City"],
        "snapshot_meta_column_names": {
            "dbt_valid_from": "ValidFrom",
            "dbt_valid_to": "ValidTo",
        },
    },
    "scd2_update_close_insert": {
        "strategy": "timestamp",
        "unique_key": ["CustomerID"],
        "updated_at": "ModifiedDate",
        "snapshot_meta_column_names": {"dbt_valid_to": "ValidTo"},
        "dbt_valid_to_current": "CAST('9999-12-31' AS TIMESTAMP)",
        "hard_deletes": "invalidate",
    },
    "scd2_insert_not_exists_update": {
        "strategy": "check",
        "unique_key": ["CustomerID"],
        "check_cols": ["Name", "City"],
        "snapshot_meta_column_names": {
            "dbt_valid_from": "ValidFrom",
            "dbt_valid_to": "ValidTo",
        },
        "dbt_valid_to_current": "CAST('9999-12-31' AS DATE)",
    },
}


@pytest.mark.parametrize("shape", sorted(SNAPSHOTS))
def test_scd2_loader_becomes_a_snapshot_of_its_source_side_select(shape, tmp_path):
    ctx, conv = _convert(_case(shape), tmp_path)
    assert conv.ok, conv.construct
    assert conv.snapshot == SNAPSHOTS[shape]
    # the source side only: no read of the target (no cycle), no version column
    assert "ref(" not in (conv.sql or "") and "{{ this }}" not in (conv.sql or "")
    for column in ("ValidTo", "IsCurrent", "CurrentFlag"):
        assert f" as {column}" not in (conv.sql or "")
    payload = render_item(ctx, conv)["context"]["materialization"]["snapshot"]
    assert payload["strategy"] == SNAPSHOTS[shape]["strategy"]
    # the legacy identity key is an integer column of the select, computed from the version's identity
    # (dbt_scd_id keeps its own name): unique_key + updated_at, or + the load time under check
    version = "'ModifiedDate'" if SNAPSHOTS[shape]["strategy"] == "timestamp" else "dbt.current_timestamp()"
    surrogate = "{{ dbt_migrate.surrogate_integer(['CustomerID', " + version + "]) }} as CustomerKey\nfrom final"
    assert surrogate in (conv.sql or "")


def test_current_flag_is_a_view_over_the_snapshot_with_the_legacy_values(tmp_path):
    _, conv = _convert(_case("scd2_insert_not_exists_update"), tmp_path)
    assert conv.versions_sql == (
        "select\n"
        "    *,\n"
        "    case when ValidTo = cast('9999-12-31' as date) then 'Y' else 'N' end as CurrentFlag\n"
        "from {{ ref('customerinsert') }}\n"
    )


def test_open_version_with_a_null_valid_to_is_the_current_one(tmp_path):
    _, conv = _convert(_case("scd2_merge_output_insert"), tmp_path)
    assert (
        conv.versions_sql is not None
        and "case when ValidTo is null then 1 else 0 end as IsCurrent" in conv.versions_sql
    )


def test_update_insert_upsert_is_an_incremental_merge_of_the_insert_select(tmp_path):
    ctx, conv = _convert(_case("scd1_update_insert"), tmp_path)
    assert conv.ok, conv.construct
    assert ctx.materialization.materialized == "incremental" and ctx.materialization.unique_key == ["CustomerID"]
    assert "{{ this }}" not in (conv.sql or "") and "upper(s.City) as City" in (conv.sql or "")


def test_delete_slice_then_insert_is_incremental_delete_insert_on_the_slice(tmp_path):
    ctx, conv = _convert(_case("slice_delete_insert"), tmp_path)
    assert conv.ok, conv.construct
    m = ctx.materialization
    assert (m.materialized, m.incremental_strategy, m.unique_key) == ("incremental", "delete+insert", ["SalesDate"])


def _dynamic_case(tmp_path: Path, statements: str) -> ConvertCase:
    path = tmp_path / "dyn.sql"
    path.write_text(
        "-- target: silver.FactDaily\n-- classification: fact_aggregate\n"
        "CREATE TABLE bronze.Event (\n    EventID INT NOT NULL,\n    Kind NVARCHAR(20) NOT NULL\n);\n"
        "CREATE TABLE silver.FactDaily (\n    Kind NVARCHAR(20) NOT NULL,\n    Events INT NOT NULL\n);\n" + statements,
        encoding="utf-8",
    )
    return ConvertCase.read(path)


def test_skipped_exec_does_not_make_the_procedure_unconvertible(tmp_path):
    case = _dynamic_case(
        tmp_path,
        "EXEC silver.usp_refresh_stats;\n"
        "INSERT INTO silver.FactDaily (Kind, Events) SELECT e.Kind, COUNT(*) FROM bronze.Event AS e GROUP BY e.Kind;\n",
    )
    _, refused = _convert(case, tmp_path / "migrate")
    assert refused.error == "needs_llm" and "EXEC of another procedure" in str(refused.construct)
    _, conv = _convert(
        case, tmp_path / "skip", {0: "skip"}, needs_llm=True, mode="llm_required", routing_reasons=["static_exec"]
    )
    assert conv.ok, conv.construct


def test_constant_dynamic_sql_is_parsed_and_converted(tmp_path):
    case = _dynamic_case(
        tmp_path,
        "DECLARE @src NVARCHAR(50) = N'bronze.Event';\n"
        "DECLARE @sql NVARCHAR(MAX);\n"
        "SET @sql = N'INSERT INTO silver.FactDaily (Kind, Events) ' + N'SELECT e.Kind, COUNT(*) FROM ' + @src"
        " + N' AS e GROUP BY e.Kind';\n"
        "EXEC sp_executesql @sql;\n",
    )
    _, conv = _convert(case, tmp_path / "p", {0: "skip", 1: "skip"}, needs_llm=True, routing_reasons=["dynamic_sql"])
    assert conv.ok, conv.construct
    assert "{{ source('bronze', 'Event') }}" in (conv.sql or "") and "count(*) as Events" in (conv.sql or "")


def test_dynamic_sql_built_at_run_time_goes_to_the_llm(tmp_path):
    case = _dynamic_case(
        tmp_path,
        "DECLARE @src NVARCHAR(50) = (SELECT TOP (1) c.TableName FROM cfg.Source AS c);\n"
        "DECLARE @sql NVARCHAR(MAX) = N'INSERT INTO silver.FactDaily (Kind, Events) SELECT Kind, COUNT(*) FROM ' + @src"
        " + N' GROUP BY Kind';\n"
        "EXEC sp_executesql @sql;\n",
    )
    _, conv = _convert(case, tmp_path / "p")
    assert isinstance(conv, Conversion) and conv.error == "needs_llm"
    assert "dynamic SQL" in str(conv.construct)


def test_dynamic_sql_extended_by_a_select_assignment_goes_to_the_llm(tmp_path):
    """``SELECT @sql = @sql + ... FROM t`` appends what only the rows know, even in a skip statement."""
    case = _dynamic_case(
        tmp_path,
        "DECLARE @sql NVARCHAR(MAX) = N'INSERT INTO silver.FactDaily (Kind, Events) SELECT Kind, COUNT(*) "
        "FROM bronze.Event GROUP BY Kind';\n"
        "SELECT @sql = @sql + N' HAVING COUNT(*) >= ' + CAST(MIN(c.Threshold) AS NVARCHAR(10)) FROM cfg.Setting AS c;\n"
        "EXEC sp_executesql @sql;\n",
    )
    _, conv = _convert(case, tmp_path / "p", {0: "skip", 1: "skip"}, needs_llm=True, routing_reasons=["dynamic_sql"])
    assert conv.error == "needs_llm" and "dynamic SQL" in str(conv.construct), conv


def test_a_variable_set_at_run_time_is_not_converted_as_a_parameter(tmp_path):
    case = _dynamic_case(
        tmp_path,
        "DECLARE @kind NVARCHAR(20);\n"
        "SET @kind = (SELECT TOP (1) c.Kind FROM cfg.Setting AS c);\n"
        "INSERT INTO silver.FactDaily (Kind, Events) SELECT e.Kind, COUNT(*) FROM bronze.Event AS e"
        " WHERE e.Kind = @kind GROUP BY e.Kind;\n",
    )
    _, conv = _convert(case, tmp_path / "p")
    assert conv.error == "needs_llm" and "variable set at run time" in str(conv.construct)


def test_a_constant_declared_once_is_inlined_where_read(tmp_path):
    case = _dynamic_case(
        tmp_path,
        "DECLARE @kind NVARCHAR(20) = N'click';\n"
        "INSERT INTO silver.FactDaily (Kind, Events) SELECT e.Kind, COUNT(*) FROM bronze.Event AS e"
        " WHERE e.Kind = @kind GROUP BY e.Kind;\n",
    )
    _, conv = _convert(case, tmp_path / "p")
    assert conv.ok, conv.construct
    assert "e.Kind = N'click'" in (conv.sql or "") and "@kind" not in (conv.sql or "")


def test_upstream_routing_no_statement_explains_still_goes_to_the_llm(tmp_path):
    case = _dynamic_case(
        tmp_path,
        "INSERT INTO silver.FactDaily (Kind, Events) SELECT e.Kind, COUNT(*) FROM bronze.Event AS e GROUP BY e.Kind;\n",
    )
    _, conv = _convert(case, tmp_path / "p", needs_llm=True, mode="llm", routing_reasons=["dynamic_sql"])
    assert conv.error == "needs_llm" and "upstream routing: dynamic_sql" in str(conv.construct)


def test_surrogate_is_computed_from_the_version_identity_with_names_quoted_for_the_target():
    load = Scd2Load(
        shape="update_close_insert",
        query=exp.select("1"),
        unique_key=["WWI City ID"],
        strategy="timestamp",
        updated_at="Valid From",
        surrogate="City Key",
    )
    assert surrogate_sql(load, "postgres") == (
        "{{ dbt_migrate.surrogate_integer(['\"WWI City ID\"', '\"Valid From\"']) }}"
    )
    load.strategy, load.updated_at, load.check_cols = "check", None, ["City"]
    assert surrogate_sql(load, "duckdb") == (
        "{{ dbt_migrate.surrogate_integer(['\"WWI City ID\"', dbt.current_timestamp()]) }}"
    )
    load.surrogate = None  # no identity column: nothing to compute
    assert surrogate_sql(load, "duckdb") is None
