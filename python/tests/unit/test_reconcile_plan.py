"""The reconcile plan, its validation against a project, and the pure comparison planning
(reconcile/plan.py, validate.py, spec.py, verdict.py): no dbt, no warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.errors import InputError
from dbt_migrate.reconcile import spec, validate, verdict
from dbt_migrate.reconcile.plan import TableRules, parse_plan, read_plan
from dbt_migrate.reconcile.result import BuildSummary, Report, RoundResult, TableRoundResult, summarize, table_status
from helpers import DEMO_PROJECT

DEMO_PLAN = DEMO_PROJECT / "reconcile.yml"


def _plan(text: str):
    return parse_plan(yaml.safe_load(text), "reconcile.yml")


def test_the_demo_plan_parses_with_defaults_and_string_entries_as_paths():
    plan = read_plan(DEMO_PLAN)
    assert [r.name for r in plan.rounds] == ["day1", "day2", "day3"]
    customer = plan.rounds[0].sources["bronze.Customer"]
    assert (customer.path, customer.relation, customer.mode) == ("reconcile/1/bronze.Customer.csv", None, "replace")
    assert plan.rounds[0].sources["bronze.Orders"].mode == "append"
    assert plan.reports_for("silver.DimCustomer") == ["schema", "row", "data"]
    assert plan.excluded_for("silver.DimCustomer") == ["CustomerKey"]
    assert plan.excluded_for("silver.FactOrderLine") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tables: {a.b: {}}\nrounds: []\n", "rounds: List should have at least 1 item"),
        ("version: 2\ntables: {a.b: {}}\nrounds: [{name: r}]\n", "version: Input should be 1"),
        ("tables: {a.b: {reports: [rows]}}\nrounds: [{name: r}]\n", "tables.a.b.reports.0: Input should be"),
        ("tables: {a.b: {transform: {model: {X: ['cast:int; drop']}}}}\nrounds: [{name: r}]\n",
         "tables.a.b.transform.model: X: unknown transform 'cast:int; drop'"),
        ("tables: {a.b: {tolerance: {X: -1}}}\nrounds: [{name: r}]\n", "tolerance of X must be >= 0"),
        ("tables: {a.b: {thresholds: {rows_pct: 120}}}\nrounds: [{name: r}]\n", "thresholds.rows_pct"),
        ("tables: {a.b: {}}\nrounds: [{name: r, legacy: {a.b: {path: x.csv, relation: s.t}}}]\n",
         "give exactly one of 'path' or 'relation'"),
        ("tables: {a.b: {}}\nrounds: [{name: r, legacy: {a.b: x.xlsx}}]\n", "only .csv and .parquet files are read"),
        ("tables: {a.b: {colour: red}}\nrounds: [{name: r}]\n", "tables.a.b.colour: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_a_malformed_plan_is_an_input_error_naming_the_entry(text, message):
    with pytest.raises(InputError) as err:
        _plan(text)
    assert message in str(err.value)


def test_transform_operations_are_checked_and_normalised():
    rules = TableRules.model_validate({"transform": {"legacy": {"A": ["trim", "cast: decimal(12, 2)", "date:%Y-%m"]}}})
    assert rules.transform.legacy["A"] == ["trim", "cast:decimal(12, 2)", "date:%Y-%m"]
    with pytest.raises(ValueError, match="date:"):
        TableRules.model_validate({"transform": {"legacy": {"A": ["date:%Y' || 1"]}}})


def _relations(*models: str) -> dict:
    nodes = {
        m: {"database": "w", "schema": "main", "identifier": m, "resource_type": "model", "depends_on": []}
        for m in models
    }
    columns = ["CustomerID", "FirstName", "LastName", "Email", "City", "IsDeleted", "UpdatedAt"]
    source = {"source_name": "bronze", "name": "Customer", "database": "w", "schema": "bronze"}
    source.update({"identifier": "Customer", "columns": columns})
    others = [{**source, "name": n, "identifier": n, "columns": []} for n in ("Orders", "OrderItem")]
    return {"adapter": "duckdb", "nodes": nodes, "sources": [source, *others]}


def _demo_copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(DEMO_PROJECT, root)
    return root


def test_validation_reports_every_problem_at_once_naming_each_entry(tmp_path):
    root = _demo_copy(tmp_path)
    plan_path = root / "bad.yml"
    plan_path.write_text(
        """version: 1
tables:
  silver.DimCustomer: {exclude_columns: [LoadedAt], key: [Code], column_map: {Town: City}}
  silver.FactOrderLine: {reports: [data]}
  silver.Nope: {}
rounds:
  - name: d1
    sources:
      bronze.Customer: reconcile/1/bronze.Customer.csv
      bronze.Unknown: reconcile/1/bronze.Orders.csv
    legacy:
      silver.DimCustomer: reconcile/1/silver.DimCustomer.csv
      silver.FactOrderLine: reconcile/1/gone.csv
""",
        encoding="utf-8",
    )
    plan = read_plan(plan_path)
    with pytest.raises(InputError) as err:
        validate.check(plan, plan_path, MigrationProject(root), _relations("dimcustomer", "factorderline"), {})
    text = str(err.value)
    assert "nothing was loaded" in text
    assert "bad.yml: tables.silver.Nope: not a migrated target" in text
    assert "tables.silver.FactOrderLine: the data report needs a key" in text
    assert "rounds[1] (d1): sources.bronze.Unknown: not a source the dbt project declares" in text
    assert "legacy.silver.FactOrderLine: file reconcile/1/gone.csv not found" in text
    assert "tables.silver.DimCustomer.key: Code is not a column of it (columns: CustomerKey, CustomerCode," in text
    assert "tables.silver.DimCustomer.column_map: Town is not a column" in text
    assert "tables.silver.DimCustomer.exclude_columns: LoadedAt is neither a column" in text


def test_a_table_without_a_model_is_named_with_what_to_do(tmp_path):
    root = _demo_copy(tmp_path)
    plan = read_plan(root / "reconcile.yml")
    with pytest.raises(InputError, match=r"tables.silver.FactDailyRevenue: no model produces it .*'factdailyrevenue'"):
        validate.check(
            plan, root / "reconcile.yml", MigrationProject(root), _relations("dimcustomer", "factorderline"), {}
        )


def test_the_demo_plan_validates_and_prefers_a_versions_view(tmp_path):
    root = _demo_copy(tmp_path)
    plan = read_plan(root / "reconcile.yml")
    rels = _relations("dimcustomer", "dimcustomer_versions", "factorderline", "factdailyrevenue")
    checked = validate.check(plan, root / "reconcile.yml", MigrationProject(root), rels, {})
    assert checked.targets["silver.dimcustomer"].model == "dimcustomer_versions"
    assert checked.headers[str(root / "reconcile/1/silver.DimCustomer.csv")][:2] == ["CustomerKey", "CustomerCode"]


C = spec.ColumnInfo


def test_pairs_follow_the_column_map_case_and_exclusions_and_the_schema_report_names_the_rest():
    rules = TableRules.model_validate({"key": ["Code"], "column_map": {"Town": "city"}, "exclude_columns": ["Key"]})
    legacy = [C("Key", "BIGINT", "number"), C("Code", "VARCHAR", "text"), C("Town", "VARCHAR", "text"),
              C("Extra", "VARCHAR", "text")]  # fmt: skip
    model = [C("code", "VARCHAR", "text"), C("city", "VARCHAR", "text"), C("_dbt_run_id", "VARCHAR", "text"),
             C("Added", "INTEGER", "number")]  # fmt: skip
    tp = spec.plan_table(rules, ["Key"], legacy, model)
    assert [(p.legacy, p.model) for p in tp.key] == [("Code", "code")]
    assert [(p.legacy, p.model) for p in tp.pairs] == [("Town", "city")]
    statuses = {(c.legacy_column, c.model_column): c.status for c in tp.schema.schema_columns}
    assert statuses == {
        ("Key", None): "excluded",
        ("Code", "code"): "ok",
        ("Town", "city"): "ok",
        ("Extra", None): "missing_in_model",
        (None, "_dbt_run_id"): "excluded",
        (None, "Added"): "missing_in_legacy",
    }
    assert tp.schema.status == "mismatch"
    assert tp.schema.message == "Extra missing in the model; Added missing in the legacy table"


def test_legacy_values_take_the_model_type_unless_they_are_text_or_transformed():
    rules = TableRules.model_validate({"transform": {"model": {"D": ["date:%d %b %Y"]}}, "ignore_case": True,
                                       "ignore_whitespace": ["N"], "tolerance": {"A": 0.01}})  # fmt: skip
    legacy = [
        C("A", "DOUBLE", "number"),
        C("T", "VARCHAR", "text"),
        C("D", "VARCHAR", "text"),
        C("N", "VARCHAR", "text"),
    ]
    model = [C("A", "DECIMAL(12,2)", "number"), C("T", "TIMESTAMP", "date"), C("D", "TIMESTAMP", "date"),
             C("N", "VARCHAR", "text")]  # fmt: skip
    pairs = {p.name: p for p in spec.plan_table(rules, [], legacy, model).pairs}
    assert (pairs["A"].legacy_ops, pairs["A"].model_ops, pairs["A"].tolerance) == (["cast:DECIMAL(12,2)"], [], 0.01)
    assert (pairs["T"].legacy_ops, pairs["T"].model_ops) == ([], ["cast:VARCHAR"])
    assert (pairs["D"].legacy_ops, pairs["D"].model_ops) == ([], ["date:%d %b %Y"])
    assert (pairs["N"].legacy_ops, pairs["N"].model_ops) == (["trim", "lower"], ["trim", "lower"])


def test_comparisons_leave_tolerant_columns_to_the_value_reports_and_key_data_on_the_key():
    rules = TableRules.model_validate({"key": ["K"], "tolerance": {"A": 0.5}, "aggregate": {"measures": ["A"]}})
    cols = [C("K", "INTEGER", "number"), C("A", "DECIMAL(9,2)", "number"), C("S", "VARCHAR", "text")]
    tp = spec.plan_table(rules, [], cols, cols)
    calls = {c["report"]: c for c in spec.comparisons("t", ["schema", "row", "data", "aggregate"], tp, rules, "m", "l")}
    assert set(calls) == {"row", "data", "aggregate"}
    assert [c["name"] for c in calls["row"]["columns"]] == ["K", "S"]
    assert [c["name"] for c in calls["data"]["key"]] == ["K"]
    assert [(c["name"], c["tolerance"]) for c in calls["data"]["columns"]] == [("A", 0.5), ("S", None)]
    assert [(m["name"], m["numeric"]) for m in calls["aggregate"]["measures"]] == [("A", True)]
    assert calls["data"]["id"] == "t|data"


def test_scd2_mode_compares_version_order_and_open_flag_instead_of_the_validity_clock():
    rules = TableRules.model_validate(
        {"scd2": {"business_key": ["Id"], "valid_from": "From", "valid_to": "To", "current_flag": "Cur"}}
    )
    cols = [C("Id", "INTEGER", "number"), C("Name", "VARCHAR", "text"), C("From", "TIMESTAMP", "date"),
            C("To", "TIMESTAMP", "date"), C("Cur", "INTEGER", "number")]  # fmt: skip
    tp = spec.plan_table(rules, [], cols, cols)
    assert [p.name for p in tp.key] == ["Id"]
    assert [p.name for p in tp.pairs] == ["Name", "Cur", spec.VERSION, spec.OPEN]
    assert tp.scd2 == {"legacy": {"business_key": ["Id"], "valid_from": "From", "valid_to": "To"},
                       "model": {"business_key": ["Id"], "valid_from": "From", "valid_to": "To"}}  # fmt: skip
    data = next(c for c in spec.comparisons("t", ["data"], tp, rules, "m", "l"))
    assert [k["name"] for k in data["key"]] == ["Id", spec.VERSION]


def _raw(columns: list[str], *rows: list) -> dict:
    return {"columns": columns, "rows": [list(r) for r in rows]}


def test_a_row_difference_within_the_row_threshold_passes_by_threshold():
    raw = _raw(["legacy_rows", "model_rows", "only_in_legacy", "only_in_model", "dbt_migrate_side", "c0"],
               ["10", "9", "1", "0", "legacy", "x"])  # fmt: skip
    strict, _, _ = verdict.row_report(raw, ["Col"], TableRules())
    assert (strict.status, strict.passed_by_threshold, strict.examples_legacy) == ("mismatch", False, [{"Col": "x"}])
    lenient, _, _ = verdict.row_report(raw, ["Col"], TableRules.model_validate({"thresholds": {"rows_pct": 10}}))
    assert (lenient.status, lenient.passed_by_threshold) == ("match", True)


def test_a_column_threshold_tolerates_that_column_only():
    cols = ["legacy_rows", "model_rows", "n_missing_in_model", "n_missing_in_legacy", "n_changed", "n_compared"]
    cols += ["m0", "m1", "k0", "l_c0", "m_c0", "d_c0", "l_c1", "m_c1", "d_c1", "dbt_migrate_side"]
    raw = _raw(cols, ["4", "4", "0", "0", "2", "4", "1", "1", "7", "1.0", "1.5", "1", "a", "b", "1", "changed"])
    rules = TableRules.model_validate({"thresholds": {"columns": {"Amount": {"count": 1}}}})
    report, _, _ = verdict.data_report(raw, ["Id"], ["Amount", "Name"], rules)
    assert report.status == "mismatch"
    assert [(c.column, c.mismatches, c.tolerated) for c in report.columns] == [("Amount", 1, True), ("Name", 1, False)]
    assert report.columns[1].example == {"Id": "7", "legacy": "a", "model": "b"}
    assert report.message == "Amount differs in 1, Name differs in 1"
    both = TableRules.model_validate({"thresholds": {"columns": {"Amount": {"count": 1}, "Name": {"pct": 25}}}})
    assert verdict.data_report(raw, ["Id"], ["Amount", "Name"], both)[0].passed_by_threshold


def test_table_status_and_summary():
    ok = Report(type="row", status="match")
    bad = Report(type="data", status="mismatch")
    assert table_status([ok]) == "match" and table_status([ok, bad]) == "mismatch"
    assert table_status([ok, Report(type="row", status="error")]) == "error"
    cell = TableRoundResult(table="a.b", model="b", legacy_relation="l", model_relation="m", status="match")
    rounds = [RoundResult(index=1, name="r", build=BuildSummary(ok=True), tables=[cell])]
    assert summarize(rounds).ok and summarize(rounds).cells == 1
    rounds[0].build.ok = False
    assert not summarize(rounds).ok
