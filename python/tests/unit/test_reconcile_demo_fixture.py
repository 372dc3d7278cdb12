"""The demo's reconcile rounds: the plan names files that exist, and the legacy CSVs hold the rows
checked by hand from the T-SQL semantics (fixtures/reconcile_demo/README.md, "Rows checked by hand")."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from helpers import DEMO_PROJECT


def _plan() -> dict:
    return yaml.safe_load((DEMO_PROJECT / "reconcile.yml").read_text())


def _rows(round_no: int, table: str) -> list[dict[str, str]]:
    with (DEMO_PROJECT / "reconcile" / str(round_no) / f"{table}.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _row(round_no: int, table: str, **key: str) -> dict[str, str]:
    found = [r for r in _rows(round_no, table) if all(r[k] == v for k, v in key.items())]
    assert len(found) == 1, (round_no, table, key, found)
    return found[0]


def test_plan_has_three_rounds_of_every_target_and_source_and_the_files_exist() -> None:
    plan = _plan()
    assert [r["name"] for r in plan["rounds"]] == ["day1", "day2", "day3"]
    targets = {"silver.DimCustomer", "silver.FactOrderLine", "silver.FactDailyRevenue"}
    assert set(plan["tables"]) == targets
    for rnd in plan["rounds"]:
        assert set(rnd["legacy"]) == targets
        assert set(rnd["sources"]) == {"bronze.Customer", "bronze.Orders", "bronze.OrderItem"}
        paths = list(rnd["legacy"].values()) + [e if isinstance(e, str) else e["path"] for e in rnd["sources"].values()]
        for p in paths:
            assert Path(DEMO_PROJECT / p).is_file(), p


def test_dimcustomer_rows_checked_by_hand() -> None:
    ada = _row(1, "silver.DimCustomer", CustomerCode="1")
    assert (ada["FullName"], ada["Email"], ada["City"], ada["UpdatedAt"]) == (
        "Ada Lovelace",
        "ada@example.com",
        "London",
        "2024-03-01 08:00:00",
    )
    assert _row(1, "silver.DimCustomer", CustomerCode="2")["City"] == "Unknown"
    alan = _row(3, "silver.DimCustomer", CustomerCode="2")
    assert (alan["FullName"], alan["City"]) == ("Alan Turing", "Manchester")
    barbara = _row(2, "silver.DimCustomer", CustomerCode="5")  # IsDeleted = 1: MERGE leaves it
    assert (barbara["City"], barbara["UpdatedAt"]) == ("Boston", "2024-03-01 08:20:00")
    assert "4" not in {r["CustomerCode"] for r in _rows(3, "silver.DimCustomer")}


def test_factorderline_rows_checked_by_hand() -> None:
    assert _row(1, "silver.FactOrderLine", OrderID="100", ItemNo="1")["LineAmount"] == "19.98"
    orders = {r["OrderID"] for r in _rows(3, "silver.FactOrderLine")}
    assert orders.isdisjoint({"102", "104", "106", "110"})  # no dimension row / CANCELLED / unknown customer
    assert {"105", "108", "109"} <= orders


def test_factdailyrevenue_rows_checked_by_hand() -> None:
    day1 = _row(1, "silver.FactDailyRevenue", RevenueDate="2024-03-01")
    assert (day1["OrderCount"], day1["ItemCount"], day1["Revenue"]) == ("3", "7", "79.70")
    late = _row(3, "silver.FactDailyRevenue", RevenueDate="2024-03-01")  # order 110 arrived on day3
    assert (late["OrderCount"], late["ItemCount"], late["Revenue"]) == ("4", "17", "89.60")
    day5 = _row(3, "silver.FactDailyRevenue", RevenueDate="2024-03-05")
    assert (day5["OrderCount"], day5["ItemCount"], day5["Revenue"]) == ("2", "4", "44.99")
