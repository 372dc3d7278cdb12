"""Equivalence check, pure parts: structural comparison, offline Jinja rendering, and the data
check on an in-memory DuckDB. The corpus-wide checks and `migrate check` through the CLI are in
e2e/test_equivalence_corpus.py."""

from __future__ import annotations

import sqlglot

from dbt_migrate.contracts import Materialization
from dbt_migrate.equivalence import data as data_check
from dbt_migrate.equivalence import structural
from dbt_migrate.equivalence.edges import Column, Scenario, TableDef
from dbt_migrate.equivalence.offline_jinja import Relations, render_model
from dbt_migrate.jinja_standins import DbtStandins

SCHEMA = {"bronze.a": ["id", "x", "y", "k"], "bronze.b": ["id", "name", "k"]}


def _features(sql: str, dialect: str = "duckdb"):
    tree = sqlglot.parse_one(sql, read=dialect)
    if dialect != "duckdb":
        tree = structural.legacy_tree(tree)
    return structural.features(tree, SCHEMA)


def _statuses(legacy_sql: str, model_sql: str, legacy_dialect: str = "duckdb") -> dict[str, str]:
    checks = structural.compare(_features(legacy_sql, legacy_dialect), _features(model_sql), [])
    return {c.check: c.status for c in checks}


# -- structural: pure ------------------------------------------------------------------------------
def test_isnull_to_coalesce_and_reordered_predicates_are_not_gaps():
    legacy = (
        "SELECT a.id, ISNULL(b.name, 'n/a') AS name FROM bronze.a a LEFT JOIN bronze.b b ON a.k = b.k "
        "WHERE a.x > 0 AND b.id IS NOT NULL"
    )
    model = (
        "with src as (select * from bronze.a where 1 = 1), b as (select * from bronze.b), "
        "final as (select a.id, coalesce(b.name, 'n/a') as name from src as a left join b as b on b.k = a.k "
        "where b.id is not null and 0 < a.x) select * from final"
    )
    statuses = _statuses(legacy, model, "tsql")
    assert "gap" not in statuses.values(), statuses
    assert statuses["filters"] == "divergence"  # same conjuncts, reordered: informational
    assert statuses["joins"] == "match"


def test_left_join_made_inner_is_a_gap_naming_the_table():
    legacy = "select a.id, b.name from bronze.a a left join bronze.b b on a.k = b.k"
    model = "select a.id, b.name from bronze.a a join bronze.b b on a.k = b.k"
    checks = structural.compare(_features(legacy), _features(model), [])
    joins = next(c for c in checks if c.check == "joins")
    assert joins.status == "gap" and "bronze.b" in joins.detail and "LEFT" in joins.detail


def test_changed_literal_swapped_columns_and_grain_are_gaps():
    legacy = "select a.k, sum(a.x * 100) as total, max(a.y) as top from bronze.a a group by a.k"
    assert (
        _statuses(legacy, "select a.k, sum(a.x * 10) as total, max(a.y) as top from bronze.a a group by a.k")["lineage"]
        == "gap"
    )
    assert (
        _statuses(legacy, "select a.k, sum(a.x * 100) as top, max(a.y) as total from bronze.a a group by a.k")[
            "lineage"
        ]
        == "gap"
    )
    assert (
        _statuses(legacy, "select a.k, sum(a.x * 100) as total, max(a.y) as top from bronze.a a group by a.k, a.y")[
            "grain"
        ]
        == "gap"
    )


def test_dropped_column_against_the_target_insert_list_is_a_gap():
    checks = structural.compare(
        _features("select a.id, a.x from bronze.a a"), _features("select a.id from bronze.a a"), ["id", "x"]
    )
    columns = next(c for c in checks if c.check == "columns")
    assert columns.status == "gap" and "x" in columns.detail


def test_write_semantics_merge_needs_the_unique_key():
    mat = Materialization(classification="dim_scd1", materialized="incremental", unique_key=["Code"])
    ok = structural.write_semantics(
        mat, {"materialized": "incremental", "incremental_strategy": "merge", "unique_key": "Code"}, ["merge"]
    )
    bad = structural.write_semantics(mat, {"materialized": "incremental", "incremental_strategy": "append"}, ["merge"])
    table = structural.write_semantics(mat, {"materialized": "table"}, ["merge"])
    assert ok.status == "match"
    assert bad.status == "gap" and "unique_key" in bad.detail
    assert table.status == "gap" and "incremental" in table.detail


def test_model_jinja_renders_to_legacy_table_names():
    rel = Relations(
        current="silver.t", models={"dimx": "silver.dimx"}, sources={("raw", "customers"): "bronze.customer"}
    )
    out = render_model(
        "{{ config(materialized='table', unique_key='id') }}select * from {{ source('raw', 'customers') }} "
        "join {{ ref('dimx') }} on {{ dbt_migrate.watermark_filter('u') }} "
        "union all select * from {{ this }} where {{ dbt.current_timestamp() }} is not null",
        rel,
    )
    assert out.config == {"materialized": "table", "unique_key": "id"}
    assert '"bronze"."customer"' in out.sql and '"silver"."dimx"' in out.sql and '"silver"."t"' in out.sql
    assert "1 = 1" in out.sql and f"{DbtStandins().current_timestamp()} is not null" in out.sql


# -- data: in-memory DuckDB ------------------------------------------------------------------------------
def _table() -> dict[str, TableDef]:
    return {"bronze.a": TableDef("bronze.a", [Column("id", "integer", False), Column("x", "decimal(10,4)")], {"id"})}


def test_data_check_tolerates_decimal_noise_and_reports_rows_only_on_one_side():
    rows = Scenario("given", {"bronze.a": [{"id": 1, "x": 1.5}, {"id": 2, "x": None}]})
    check, _ = data_check.run(
        "select id, x from bronze.a", "select id, x + 0.00000001 as x from bronze.a", _table(), [rows]
    )
    assert check.status == "match"
    check, data = data_check.run(
        "select id, coalesce(x, 0) as x from bronze.a", "select id, coalesce(x, 1) as x from bronze.a", _table(), [rows]
    )
    assert check.status == "gap"
    entry = data["scenarios"][0]
    assert entry["only_in_legacy"] == 1 and entry["only_in_model"] == 1
    assert entry["sample_only_in_legacy"] == [{"id": 2.0, "x": 0.0}]


def test_data_check_model_that_fails_on_duckdb_is_a_gap():
    check, _ = data_check.run("select id from bronze.a", "select nope from bronze.a", _table(), [Scenario("empty", {})])
    assert check.status == "gap" and "fails on DuckDB" in check.detail


def test_data_check_sandboxes_share_a_connection_without_leaking_tables():
    """Checks reuse one DuckDB connection per process: each sandbox starts empty, and one whose
    tables cannot be created is inconclusive, not a crash, and leaves the next check unharmed."""
    rows = Scenario("given", {"bronze.a": [{"id": 1, "x": 2.0}]}, [{"id": 1, "x": 2.0}])
    first, _ = data_check.run("select id, x from bronze.a", "select id, x from bronze.a", _table(), [rows])
    assert first.status == "match"
    other = {"bronze.b": TableDef("bronze.b", [Column("id", "integer")])}
    check, _ = data_check.run(
        "select 1 as id", "select count(*) as id from bronze.a", other, [Scenario("given", {}, [{"id": 1}])]
    )
    assert check.status == "gap" and "fails on DuckDB" in check.detail  # bronze.a is gone
    bad = {"bronze.c": TableDef("bronze.c", [Column("id", "no_such_type(3)")])}
    check, data = data_check.run("select id from bronze.c", "select id from bronze.c", bad, [rows])
    assert check.status == "divergence" and "cannot be created" in check.detail
    assert data["status"] == "inconclusive"
    again, _ = data_check.run("select id, x from bronze.a", "select id, x from bronze.a", _table(), [rows])
    assert again.status == "match"


def test_cte_named_like_the_table_it_imports_reads_that_table():
    # `with dimstore as (select * from {{ ref('dimstore') }})` when the ref renders unqualified
    f = _features("with dimstore as (select * from dimstore) select d.id from dimstore as d")
    assert f.tables == {"dimstore"}
