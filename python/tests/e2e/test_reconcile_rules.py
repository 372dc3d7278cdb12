"""`migrate reconcile`'s rules and report types, end to end (#17 acceptance 2).

One migrated demo warehouse; each test writes a one-round plan over round 1 of the demo's
reconcile fixture with legacy files changed on purpose, and runs the real CLI:

- the rules (a column mapping, transformations on either side, ignore_case, a numeric tolerance, a
  row threshold) make legacy files that differ from the model's rows in exactly those ways match,
  and the same files without the rules do not (each difference named);
- each report type finds the difference it is for: schema (a column the model lacks), row (a
  duplicated row, no key), data (a changed value, by key and column), aggregate (a changed sum);
- ``--round 2`` replays round 1 without comparing it and compares round 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli
from helpers.reconcile_runs import cells, failures, migrated_demo

ROUND1 = "reconcile/1"
SOURCES = """    sources:
      bronze.Customer: reconcile/1/bronze.Customer.csv
      bronze.Orders: {path: reconcile/1/bronze.Orders.csv, mode: append}
      bronze.OrderItem: {path: reconcile/1/bronze.OrderItem.csv, mode: append}
"""
# Round 1's legacy DimCustomer, as another export would write it: City called Town, e-mail
# addresses padded and upper-cased, one name in capitals, timestamps as day-month-year text.
CUSTOMER_RESHAPED = """CustomerKey,CustomerCode,FullName,Email,Town,UpdatedAt
4,1,ADA LOVELACE,"  ADA@Example.com ",London,01 Mar 2024 08:00
2,2,Alan Turing,alan@example.com,Unknown,01 Mar 2024 08:05
1,3,Grace Hopper,,Arlington,01 Mar 2024 08:10
3,5,Barbara Liskov,LISKOV@example.com,Boston,01 Mar 2024 08:20
"""
# One line more than the model has (an order the legacy load kept).
ORDER_LINE_EXTRA = """OrderID,ItemNo,CustomerCode,OrderDate,ProductCode,Quantity,LineAmount
100,1,1,2024-03-01 10:00:00,P-RED,2,19.98
100,2,1,2024-03-01 10:00:00,P-BLU,1,24.50
101,1,2,2024-03-01 11:30:00,P-RED,3,29.97
103,1,3,2024-03-02 09:15:00,P-BLU,4,98.00
103,2,3,2024-03-02 09:15:00,P-YEL,1,0.99
104,1,5,2024-03-02 12:00:00,P-RED,1,9.99
"""
# Revenue off by a cent on the first day.
REVENUE_ROUNDED = """RevenueDate,OrderCount,ItemCount,Revenue
2024-03-01,3,7,79.71
2024-03-02,1,5,98.99
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return migrated_demo(tmp_path_factory.mktemp("reconcile_rules") / "demo")


def _reconcile(root: Path, name: str, plan: str, files: dict[str, str], *args: str) -> tuple[int, dict]:
    """Write the legacy files and the plan, run the CLI with --json: (exit code, result)."""
    folder = root / name
    folder.mkdir(exist_ok=True)
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    path = root / f"{name}.yml"
    path.write_text(plan.replace("{dir}", name), encoding="utf-8")
    done = run_cli("reconcile", "--project-root", str(root), "--plan", str(path), "--json", "--no-html", *args)
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def _report(cell: dict, kind: str) -> dict:
    return next(r for r in cell["reports"] if r["type"] == kind)


RESHAPED_FILES = {
    "silver.DimCustomer.csv": CUSTOMER_RESHAPED,
    "silver.FactOrderLine.csv": ORDER_LINE_EXTRA,
    "silver.FactDailyRevenue.csv": REVENUE_ROUNDED,
}
ROUND_WITH_RESHAPED_LEGACY = (
    """rounds:
  - name: day1
"""
    + SOURCES
    + """    legacy:
      silver.DimCustomer: {dir}/silver.DimCustomer.csv
      silver.FactOrderLine: {dir}/silver.FactOrderLine.csv
      silver.FactDailyRevenue: {dir}/silver.FactDailyRevenue.csv
"""
)
RULES = """version: 1
defaults:
  reports: [schema, row, data]
tables:
  silver.DimCustomer:
    key: [CustomerCode]
    exclude_columns: [CustomerKey]
    column_map: {Town: City}
    transform:
      legacy: {Email: [trim, lower]}
      model: {UpdatedAt: ["date:%d %b %Y %H:%M"]}
    ignore_case: [FullName]
  silver.FactOrderLine:
    key: [OrderID, ItemNo]
    thresholds: {rows: 1}
  silver.FactDailyRevenue:
    key: [RevenueDate]
    reports: [schema, row, data, aggregate]
    tolerance: {Revenue: 0.01}
    aggregate: {group_by: [RevenueDate], measures: [Revenue, OrderCount]}
"""
NO_RULES = """version: 1
defaults:
  reports: [schema, row, data]
tables:
  silver.DimCustomer:
    key: [CustomerCode]
    exclude_columns: [CustomerKey]
  silver.FactOrderLine:
    key: [OrderID, ItemNo]
  silver.FactDailyRevenue:
    key: [RevenueDate]
    reports: [schema, row, data, aggregate]
    aggregate: {group_by: [RevenueDate], measures: [Revenue, OrderCount]}
"""


def test_mapping_transforms_tolerance_and_threshold_make_a_reshaped_export_match(demo):
    code, doc = _reconcile(demo, "with_rules", RULES + ROUND_WITH_RESHAPED_LEGACY, RESHAPED_FILES)
    assert code == 0, "\n".join(failures(doc))
    customer = cells(doc)[("silver.DimCustomer", 1)]
    schema = {c["legacy_column"]: c for c in _report(customer, "schema")["schema_columns"] if c["legacy_column"]}
    assert (schema["Town"]["model_column"], schema["Town"]["status"]) == ("City", "ok")
    assert schema["CustomerKey"]["status"] == "excluded"
    compared = {c["column"] for c in _report(customer, "data")["columns"]}
    assert {"City", "Email", "FullName", "UpdatedAt"} <= {c.replace("Town", "City") for c in compared}
    lines = cells(doc)[("silver.FactOrderLine", 1)]
    row = _report(lines, "row")
    assert (row["status"], row["passed_by_threshold"], row["only_in_legacy"], row["only_in_model"]) == (
        "match",
        True,
        1,
        0,
    )
    assert row["examples_legacy"][0]["OrderID"] == "104"
    revenue = cells(doc)[("silver.FactDailyRevenue", 1)]
    assert all(r["status"] == "match" and not r["passed_by_threshold"] for r in revenue["reports"])
    aggregate = _report(revenue, "aggregate")
    assert [c["column"] for c in aggregate["columns"]] == [
        "count(*)", "sum(Revenue)", "min(Revenue)", "max(Revenue)", "sum(OrderCount)", "min(OrderCount)",
        "max(OrderCount)",
    ]  # fmt: skip


def test_the_same_export_without_the_rules_differs_where_each_rule_applied(demo):
    code, doc = _reconcile(demo, "without_rules", NO_RULES + ROUND_WITH_RESHAPED_LEGACY, RESHAPED_FILES)
    assert code == 1
    customer = cells(doc)[("silver.DimCustomer", 1)]
    assert _report(customer, "schema")["message"] == "Town missing in the model; City missing in the legacy table"
    differing = {c["column"] for c in _report(customer, "data")["columns"] if c["mismatches"]}
    assert differing == {"FullName", "Email", "UpdatedAt"}
    email = next(c for c in _report(customer, "data")["columns"] if c["column"] == "Email")
    assert email["example"] == {"CustomerCode": "1", "legacy": "  ADA@Example.com ", "model": "ada@example.com"}
    lines = cells(doc)[("silver.FactOrderLine", 1)]
    assert (lines["status"], lines["only_in_legacy"], lines["only_in_model"]) == ("mismatch", 1, 0)
    assert _report(lines, "data")["message"] == "1 keys missing in model"
    revenue = cells(doc)[("silver.FactDailyRevenue", 1)]
    assert _report(revenue, "data")["message"] == "Revenue differs in 1"
    assert (
        _report(revenue, "aggregate")["message"]
        == "sum(Revenue) differs in 1 groups, min(Revenue) differs in 1 groups, max(Revenue) differs in 1 groups"
    )


def test_each_report_type_finds_the_difference_it_is_for(demo):
    customer = (demo / ROUND1 / "silver.DimCustomer.csv").read_text(encoding="utf-8").splitlines()
    with_region = [customer[0] + ",Region"] + [line + ",EU" for line in customer[1:]]
    lines = (demo / ROUND1 / "silver.FactOrderLine.csv").read_text(encoding="utf-8").splitlines()
    revenue = (demo / ROUND1 / "silver.FactDailyRevenue.csv").read_text(encoding="utf-8")
    files = {
        "silver.DimCustomer.csv": "\n".join(with_region).replace("ada@example.com", "ada@example.org") + "\n",
        "silver.FactOrderLine.csv": "\n".join(lines + [lines[1]]) + "\n",  # one line twice
        "silver.FactDailyRevenue.csv": revenue.replace(",98.99", ",98.00"),
    }
    plan = (
        """version: 1
tables:
  silver.DimCustomer:
    key: [CustomerCode]
    exclude_columns: [CustomerKey]
    reports: [schema, data]
  silver.FactOrderLine:
    reports: [row]
  silver.FactDailyRevenue:
    reports: [aggregate]
    aggregate: {measures: [Revenue]}
"""
        + ROUND_WITH_RESHAPED_LEGACY
    )
    code, doc = _reconcile(demo, "report_types", plan, files)
    assert code == 1
    customer = cells(doc)[("silver.DimCustomer", 1)]
    assert _report(customer, "schema")["status"] == "mismatch"
    assert _report(customer, "schema")["message"] == "Region missing in the model"
    data = _report(customer, "data")
    assert (data["status"], data["message"]) == ("mismatch", "Email differs in 1")
    order_lines = cells(doc)[("silver.FactOrderLine", 1)]
    row = _report(order_lines, "row")
    assert (row["status"], row["only_in_legacy"], row["only_in_model"]) == ("mismatch", 1, 0)
    assert row["examples_legacy"][0]["OrderID"] == "100"
    aggregate = _report(cells(doc)[("silver.FactDailyRevenue", 1)], "aggregate")
    assert aggregate["status"] == "mismatch"
    sums = next(c for c in aggregate["columns"] if c["column"] == "sum(Revenue)")
    assert sums["mismatches"] == 1 and sums["example"] == {"legacy": "177.70", "model": "178.69"}


def test_round_option_replays_earlier_rounds_and_compares_from_the_given_one(demo):
    plan = (demo / "reconcile.yml").read_text(encoding="utf-8")
    two_rounds = plan[: plan.index("  - name: day3")]
    code, doc = _reconcile(demo, "from_round_2", two_rounds, {}, "--round", "2")
    assert code == 0, "\n".join(failures(doc))
    assert [r["index"] for r in doc["rounds"]] == [2]
    assert doc["summary"]["cells"] == 3 and doc["summary"]["match"] == 3
