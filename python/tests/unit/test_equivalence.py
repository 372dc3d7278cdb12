"""Equivalence check: structural comparison (pure), data check (real DuckDB), `migrate check`
exit codes (real CLI), and the pipeline's `output.equivalence` + partial-on-gap rule."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import sqlglot

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.warehouse import Warehouse
from dbt_migrate.equivalence import check_written, find_model_files
from dbt_migrate.equivalence import data as data_check
from dbt_migrate.equivalence import structural
from dbt_migrate.equivalence.edges import Column, Scenario, TableDef
from dbt_migrate.jinja_standins import DbtStandins
from dbt_migrate.equivalence.offline_jinja import Relations, parse_model, render_model
from dbt_migrate.project import Project

from conftest import FIXTURES, REPO, run_cli

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
    legacy = ("SELECT a.id, ISNULL(b.name, 'n/a') AS name FROM bronze.a a LEFT JOIN bronze.b b ON a.k = b.k "
              "WHERE a.x > 0 AND b.id IS NOT NULL")
    model = ("with src as (select * from bronze.a where 1 = 1), b as (select * from bronze.b), "
             "final as (select a.id, coalesce(b.name, 'n/a') as name from src as a left join b as b on b.k = a.k "
             "where b.id is not null and 0 < a.x) select * from final")
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
    assert _statuses(legacy, "select a.k, sum(a.x * 10) as total, max(a.y) as top from bronze.a a group by a.k")[
        "lineage"] == "gap"
    assert _statuses(legacy, "select a.k, sum(a.x * 100) as top, max(a.y) as total from bronze.a a group by a.k")[
        "lineage"] == "gap"
    assert _statuses(legacy, "select a.k, sum(a.x * 100) as total, max(a.y) as top from bronze.a a group by a.k, a.y")[
        "grain"] == "gap"


def test_dropped_column_against_the_target_insert_list_is_a_gap():
    checks = structural.compare(_features("select a.id, a.x from bronze.a a"), _features("select a.id from bronze.a a"),
                                ["id", "x"])
    columns = next(c for c in checks if c.check == "columns")
    assert columns.status == "gap" and "x" in columns.detail


def test_write_semantics_merge_needs_the_unique_key():
    ctx = {"materialization": {"classification": "dim_scd1", "materialized": "incremental", "unique_key": ["Code"]}}
    ok = structural.write_semantics(ctx, {"materialized": "incremental", "incremental_strategy": "merge",
                                          "unique_key": "Code"}, ["merge"])
    bad = structural.write_semantics(ctx, {"materialized": "incremental", "incremental_strategy": "append"}, ["merge"])
    table = structural.write_semantics(ctx, {"materialized": "table"}, ["merge"])
    assert ok.status == "match"
    assert bad.status == "gap" and "unique_key" in bad.detail
    assert table.status == "gap" and "incremental" in table.detail


def test_model_jinja_renders_to_legacy_table_names():
    rel = Relations(current="silver.t", models={"dimx": "silver.dimx"},
                    sources={("raw", "customers"): "bronze.customer"})
    out = render_model("{{ config(materialized='table', unique_key='id') }}select * from {{ source('raw', 'customers') }} "
                       "join {{ ref('dimx') }} on {{ dbt_migrate.watermark_filter('u') }} "
                       "union all select * from {{ this }} where {{ dbt.current_timestamp() }} is not null", rel)
    assert out.config == {"materialized": "table", "unique_key": "id"}
    assert '"bronze"."customer"' in out.sql and '"silver"."dimx"' in out.sql and '"silver"."t"' in out.sql
    assert "1 = 1" in out.sql and f"{DbtStandins().current_timestamp()} is not null" in out.sql


# -- data: real DuckDB ------------------------------------------------------------------------------
def _table() -> dict[str, TableDef]:
    return {"bronze.a": TableDef("bronze.a", [Column("id", "integer", False), Column("x", "decimal(10,4)")], {"id"})}


def test_data_check_tolerates_decimal_noise_and_reports_rows_only_on_one_side():
    rows = Scenario("given", {"bronze.a": [{"id": 1, "x": 1.5}, {"id": 2, "x": None}]})
    check, _ = data_check.run("select id, x from bronze.a", "select id, x + 0.00000001 as x from bronze.a",
                              _table(), [rows])
    assert check.status == "match"
    check, data = data_check.run("select id, coalesce(x, 0) as x from bronze.a",
                                 "select id, coalesce(x, 1) as x from bronze.a", _table(), [rows])
    assert check.status == "gap"
    entry = data["scenarios"][0]
    assert entry["only_in_legacy"] == 1 and entry["only_in_model"] == 1
    assert entry["sample_only_in_legacy"] == [{"id": 2.0, "x": 0.0}]


def test_data_check_model_that_fails_on_duckdb_is_a_gap():
    check, _ = data_check.run("select id from bronze.a", "select nope from bronze.a", _table(),
                              [Scenario("empty", {})])
    assert check.status == "gap" and "fails on DuckDB" in check.detail


def test_data_check_sandboxes_share_a_connection_without_leaking_tables():
    """Checks reuse one DuckDB connection per process: each sandbox starts empty, and one whose
    tables cannot be created is inconclusive, not a crash, and leaves the next check unharmed."""
    rows = Scenario("given", {"bronze.a": [{"id": 1, "x": 2.0}]}, [{"id": 1, "x": 2.0}])
    first, _ = data_check.run("select id, x from bronze.a", "select id, x from bronze.a", _table(), [rows])
    assert first.status == "match"
    other = {"bronze.b": TableDef("bronze.b", [Column("id", "integer")])}
    check, _ = data_check.run("select 1 as id", "select count(*) as id from bronze.a", other,
                              [Scenario("given", {}, [{"id": 1}])])
    assert check.status == "gap" and "fails on DuckDB" in check.detail  # bronze.a is gone
    bad = {"bronze.c": TableDef("bronze.c", [Column("id", "no_such_type(3)")])}
    check, data = data_check.run("select id from bronze.c", "select id from bronze.c", bad, [rows])
    assert check.status == "divergence" and "cannot be created" in check.detail
    assert data["status"] == "inconclusive"
    again, _ = data_check.run("select id, x from bronze.a", "select id, x from bronze.a", _table(), [rows])
    assert again.status == "match"


# -- the corpus, generated once (real dbt through the CLI) --------------------------------------------
@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("eq") / "corpus"
    shutil.copytree(FIXTURES / "corpus", root)
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    res = run_cli("run", "--all", "--no-build", "--accept-gaps", "--project-root", str(root), "--json")
    assert res.returncode in (0, 1), res.stderr[-2000:]
    return root


def _expect_rows_match(wh: Warehouse, ctx: dict, dbt_dir: Path) -> bool:
    """Independent of the checker's verdict: the model gives exactly each test's expected rows."""
    from dbt_migrate.equivalence import _givens, _table_defs, relations_for
    from dbt_migrate.equivalence.data import Sandbox, _multiset

    path, _ = find_model_files(dbt_dir, ctx["model_name"])
    if path is None:
        return False
    sql = render_model(path.read_text(), relations_for(wh, ctx, dbt_dir)).sql
    givens = _givens(wh, ctx["table"])
    tables = _table_defs(wh, {k for g in givens for k in g.rows}, givens)
    box = Sandbox(tables)
    try:
        for g in givens:
            box.load(g.rows)
            names, types, rows = box.query(sql)
            cols = sorted({k.lower() for r in g.expect for k in r} & {n.lower() for n in names}) if g.expect else []
            by = {n.lower(): t for n, t in zip(names, types)}
            expect = [{k: v for k, v in r.items()} for r in g.expect or []]
            if _multiset(names, types, rows, cols) != _multiset(list(by), list(by.values()), expect, cols, dicts=True):
                return False
            if len(rows) != len(expect):
                return False
    except Exception:
        return False
    finally:
        box.close()
    return bool(givens)


def test_every_correct_corpus_model_is_match_or_divergence(corpus):
    project, mp = Project(corpus), MigrationProject(corpus)
    wh = Warehouse(mp)
    correct, verdicts = [], {}
    for t in mp.targets:
        ctx = build_context(wh, f"{t.schema_}.{t.name}")
        if ctx.get("needs_llm") or not _expect_rows_match(wh, ctx, project.dbt_dir):
            continue
        correct.append(ctx["table"])
        verdicts[ctx["table"]] = check_written(wh, ctx, project.dbt_dir).verdict
    assert len(correct) >= 10, correct
    assert not [t for t, v in verdicts.items() if v == "gap"], verdicts


def _mutation_suite():
    spec = importlib.util.spec_from_file_location("mutation_suite", REPO / "bench" / "mutation_suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mutants_of_a_correct_model_are_flagged(corpus):
    suite = _mutation_suite()
    project, mp = Project(corpus), MigrationProject(corpus)
    wh = Warehouse(mp)
    ctx = build_context(wh, "silver.FactCustomerOrderSummary")
    path, _ = find_model_files(project.dbt_dir, ctx["model_name"])
    original = path.read_text()
    applied = []
    try:
        for name, op in suite.OPERATORS.items():
            jt = parse_model(original)
            if not op(jt.tree):
                continue
            path.write_text(jt.to_text())
            applied.append((name, check_written(wh, ctx, project.dbt_dir).verdict))
    finally:
        path.write_text(original)
    assert len(applied) >= 5
    assert all(v == "gap" for _, v in applied), applied


def test_migrate_check_exit_codes_follow_the_verdict_on_a_hand_edit(corpus):
    res = run_cli("check", "--table", "silver.FactOrderFulfillment", "--project-root", str(corpus), "--json")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert json.loads(res.stdout)["verdict"] in ("match", "divergence")
    path = corpus / "dbt" / "models" / "staging" / "factorderfulfillment.sql"
    original = path.read_text()
    try:
        path.write_text(original.replace("<> 'cancelled'", "<> 'canceled'"))  # a hand edit
        res = run_cli("check", "--table", "silver.FactOrderFulfillment", "--project-root", str(corpus), "--json")
        assert res.returncode == 1, res.stdout[-3000:]
        report = json.loads(res.stdout)
        filters = next(c for c in report["checks"] if c["check"] == "filters")
        assert report["verdict"] == "gap" and filters["status"] == "gap" and "canceled" in filters["detail"]
        assert report["data"]["status"] == "gap"
        human = run_cli("check", "--table", "silver.FactOrderFulfillment", "--project-root", str(corpus))
        assert human.returncode == 1 and "verdict: gap" in human.stdout
    finally:
        path.write_text(original)


def test_generate_records_equivalence_and_a_gap_makes_the_item_partial(corpus):
    spec = corpus / "test-specs" / "silver.dimsku.json"
    doc = json.loads(spec.read_text())
    doc["unit_tests"][0]["expect"]["rows"][0]["CategoryName"] = "Not what the procedure wrote"
    spec.write_text(json.dumps(doc))
    try:
        args = ["generate", "--table", "silver.DimSku", "--no-build", "--force", "--project-root", str(corpus), "--json"]
        res = run_cli(*args)
        item = json.loads(res.stdout)["results"][0]
        assert res.returncode == 1 and item["status"] == "partial" and item["reason"] == "equivalence_gap"
        eq = item["output"]["equivalence"]
        assert eq["verdict"] == "gap" and any("equivalence gap" in w for w in item["warnings"])
        accepted = run_cli(*args, "--accept-gaps")
        item = json.loads(accepted.stdout)["results"][0]
        assert accepted.returncode == 0 and item["status"] == "ok"
        assert item["output"]["equivalence"]["verdict"] == "gap"
    finally:
        spec.write_text(json.dumps(json.loads((FIXTURES / "corpus" / "test-specs" / "silver.dimsku.json").read_text())))


def test_cte_named_like_the_table_it_imports_reads_that_table():
    # `with dimstore as (select * from {{ ref('dimstore') }})` when the ref renders unqualified
    f = _features("with dimstore as (select * from dimstore) select d.id from dimstore as d")
    assert f.tables == {"dimstore"}
