"""Loads over time without dbt: which inputs' change columns the watermark filter uses, and the
multi-round data check, which runs the legacy load and the model night after night in DuckDB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.convert import convert_context
from dbt_migrate.convert.watermarks import change_column
from dbt_migrate.equivalence import check_model, relations_for
from dbt_migrate.equivalence.edges import Column, TableDef
from dbt_migrate.equivalence.rounds import Writes, legacy_writes, load_rounds, model_writes
from dbt_migrate.jinja_standins import DbtMigrateStandins
from dbt_migrate.warehouse import DbtInfo, Warehouse
from helpers import FIXTURES, copy_example
from helpers.migration import ConvertCase

JOINED = FIXTURES / "convert" / "merge_over_a_join_filters_on_every_inputs_change_column.sql"
NO_CHANGE_COLUMN = FIXTURES / "convert" / "merge_over_an_input_without_change_column_rereads_its_inputs.sql"
CONFIG = "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='StoreCode') }}\n"
DRIVING_ONLY = (
    "from {{ source('bronze', 'Store') }}\n    where\n        {{ dbt_migrate.watermark_filter('ModifiedDate') }}\n"
)


def _checked(case_path: Path, tmp_path: Path, edit=lambda sql: sql):
    case = ConvertCase.read(case_path)
    wh = Warehouse(MigrationProject(case.write_project(tmp_path / case.name)), DbtInfo(adapter_type="duckdb"))
    ctx = build_context(wh, case.target)
    conv = convert_context(ctx, wh)
    assert conv.ok, conv.construct
    report = check_model(wh, ctx, CONFIG + edit(conv.sql), relations_for(wh, ctx, None, {}))
    return conv, {c.check: c for c in report.checks}, report


def test_an_inputs_change_column_is_the_watermark_or_a_date_named_like_one():
    assert change_column("ModifiedDate", [("id", "INT"), ("modifieddate", "DATETIME")]) == "modifieddate"
    assert change_column("ModifiedDate", [("id", "INT"), ("UpdatedAt", "DATETIME2")]) == "UpdatedAt"
    assert change_column("ModifiedDate", [("UpdatedBy", "NVARCHAR(20)"), ("OpenDate", "DATE")]) is None


def test_the_stand_in_renders_an_incremental_run_against_this():
    standin = DbtMigrateStandins(this='"t"')
    assert standin.watermark_filter("m", changed_columns=["s.m", "r.u"]) == (
        '(s.m > (select max(m) from "t") or r.u > (select max(m) from "t") or (select max(m) from "t") is null)'
    )
    assert DbtMigrateStandins().watermark_filter("m", changed_columns=["s.m"]) == "1 = 1"


@pytest.mark.parametrize(
    ("kinds", "reads_target", "expected"),
    [
        (["merge"], False, Writes("upsert", ("k",))),
        (["update", "insert"], False, Writes("upsert", ("k",))),
        (["truncatetable", "insert"], False, Writes("replace")),
        (["insert"], True, Writes("append")),
        (["insert"], False, Writes("replace", assumed=True)),
    ],
)
def test_the_legacy_write_follows_the_procedures_statements(kinds, reads_target, expected):
    assert legacy_writes(kinds, reads_target, ["k"]) == expected


def test_the_model_write_follows_dbts_incremental_strategies():
    assert model_writes({"incremental_strategy": "merge", "unique_key": "k"}, "incremental", []) == Writes(
        "upsert", ("k",)
    )
    assert model_writes({}, "incremental", ["k"]) == Writes("upsert", ("k",))  # dbt-duckdb: delete+insert
    assert model_writes({"incremental_strategy": "append"}, "incremental", ["k"]) == Writes("append")
    assert model_writes({}, "table", []) == Writes("replace")
    assert model_writes({}, "snapshot", ["k"]) is None


def test_rounds_change_each_input_in_turn_then_add_and_delete_rows():
    tables = {
        "b.s": TableDef(
            "b.s", [Column("SID", "INTEGER"), Column("Name", "VARCHAR"), Column("At", "TIMESTAMP")], {"sid"}
        ),
        "b.r": TableDef("b.r", [Column("RID", "INTEGER"), Column("Label", "VARCHAR")], {"rid"}),
    }
    base = {
        "b.s": [{"SID": 1, "Name": "x", "At": "2024-01-05 00:00:00"}, {"SID": 2, "Name": "y", "At": "2024-01-06"}],
        "b.r": [{"RID": 7, "Label": "n"}],
    }
    rounds = load_rounds(tables, base)
    assert [r.name for r in rounds] == [
        "round 1: initial rows",
        "round 2: every b.s row changed",
        "round 3: every b.r row changed",
        "round 4: new and deleted rows",
    ]
    assert rounds[1].rows["b.s"] == [
        {"SID": 1, "Name": "x~", "At": "2024-01-07"},
        {"SID": 2, "Name": "y~", "At": "2024-01-07"},
    ]
    assert rounds[1].rows["b.r"] == base["b.r"]
    assert rounds[2].rows["b.r"] == [{"RID": 7, "Label": "n~"}]
    assert rounds[3].rows["b.s"] == [
        {"SID": 1, "Name": "x~", "At": "2024-01-07"},
        {"SID": 1001, "Name": "x~", "At": "2024-01-09"},
    ]
    assert rounds[3].rows["b.r"] == [{"RID": 1007, "Label": "n~"}]


def test_a_merge_filtered_on_every_inputs_change_column_matches_round_after_round(tmp_path):
    conv, checks, report = _checked(JOINED, tmp_path)
    assert "changed_columns=['s.ModifiedDate', 'r.UpdatedAt']" in conv.sql
    assert checks["rounds"].status == "match", checks["rounds"].detail
    assert [r["round"] for r in report.data["rounds"]["rounds"]][-1] == "round 4: new and deleted rows"


def test_a_merge_without_the_joined_inputs_change_column_is_a_gap_in_the_round_that_changes_it(tmp_path):
    _, checks, report = _checked(
        JOINED, tmp_path, lambda sql: sql.replace("'s.ModifiedDate', 'r.UpdatedAt'", "'s.ModifiedDate'")
    )
    assert checks["rounds"].status == "gap" and report.verdict == "gap"
    assert checks["rounds"].detail.startswith("round 2: every bronze.region row changed")
    assert checks["data"].status == "match"  # one load alone cannot tell


def test_an_input_without_change_column_makes_the_merge_reread_its_inputs(tmp_path):
    conv, checks, _ = _checked(NO_CHANGE_COLUMN, tmp_path)
    assert "watermark_filter" not in conv.sql and not conv.uses_watermark
    assert conv.warnings == [
        "no watermark filter: bronze.region has no change column, so a change there could not pass one; "
        "every incremental run re-reads all inputs and merges on the unique key"
    ]
    assert checks["rounds"].status == "match", checks["rounds"].detail


def test_the_old_driving_table_filter_is_a_gap_when_the_joined_input_has_no_change_column(tmp_path):
    store = "from {{ source('bronze', 'Store') }}\n"
    _, checks, _ = _checked(NO_CHANGE_COLUMN, tmp_path, lambda sql: sql.replace(store, DRIVING_ONLY))
    assert checks["rounds"].status == "gap"
    assert "bronze.region row changed" in checks["rounds"].detail


def test_a_target_without_ddl_is_compared_on_the_rows_own_types(tmp_path):
    """No ``CREATE TABLE`` for the target: its legacy rows keep their types (not all text)."""
    root = copy_example("retail", tmp_path / "retail")
    ddl = root / "ddl" / "tables.sql"
    ddl.write_text(re.sub(r"CREATE TABLE \[silver\]\.\[DimStore\].*?GO\n", "", ddl.read_text(), flags=re.S))
    wh = Warehouse(MigrationProject(root), DbtInfo(adapter_type="duckdb"))
    ctx = build_context(wh, "silver.dimstore")
    conv = convert_context(ctx, wh)
    config = "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='StoreAlternateKey') }}\n"
    report = check_model(wh, ctx, config + conv.sql, relations_for(wh, ctx, None, {}))
    rounds = next(c for c in report.checks if c.check == "rounds")
    assert rounds.status == "match", rounds.detail
