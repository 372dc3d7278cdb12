"""Loads over time: a migrated incremental model, run night after night, keeps the legacy table's rows.

One migrated copy of the retail example (``silver.DimStore``, a MERGE over a join, and the table
model ``silver.FactDailyStoreSales``) serves every test here. ``fixtures/rounds/`` says what each
round does to the bronze tables and what the legacy table holds after that night's procedure
(derived by hand); the model then runs with plain ``dbt run`` (incremental, no full refresh) and
its rows are read back from DuckDB, with the audit columns each run wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from helpers import FIXTURES, copy_example, run_cli

DBT = str(Path(sys.executable).with_name("dbt"))
ROUNDS = json.loads((FIXTURES / "rounds" / "dimstore_region_change.json").read_text(encoding="utf-8"))
SALES = (
    "insert into bronze.SalesOrderLine (OrderID, LineNo, StoreID, ProductCode, Quantity, UnitPrice, DiscountPct,"
    " OrderDate) values (100, 1, 1, 'A', 2, 5.00, null, '2024-01-05 09:00:00')"
)


def _dbt_run(dbt_dir: Path) -> dict:
    done = subprocess.run(
        [DBT, "--no-use-colors", "run", "--select", "dimstore", "factdailystoresales"],
        cwd=dbt_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((dbt_dir / "target" / "run_results.json").read_text(encoding="utf-8"))


def _execute(db: Path, statements: list[str]) -> None:
    with duckdb.connect(str(db)) as con:
        for sql in statements:
            con.execute(sql)


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    """Migrate, then run every round: (root, per-round records of rows and run results)."""
    root = copy_example("retail", tmp_path_factory.mktemp("loads") / "retail")
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    gen = run_cli(
        "run", "--project-root", str(root), "--table", "silver.dimstore", "--table", "silver.factdailystoresales",
        "--json",
    )  # fmt: skip
    assert gen.returncode == 0, gen.stdout + gen.stderr
    dbt_dir, db = root / "dbt", root / "dbt" / "warehouse.duckdb"
    columns = ", ".join(ROUNDS["columns"])
    records = []
    for n, round_ in enumerate(ROUNDS["rounds"]):
        _execute(db, round_["statements"] + ([SALES] if n == 0 else []))
        results = _dbt_run(dbt_dir)
        records.append(
            {
                "results": results,
                "rows": _rows(db, f"select {columns} from dimstore order by StoreAlternateKey"),
                "run_ids": _rows(db, "select StoreAlternateKey, _dbt_run_id from dimstore order by 1"),
                "loaded_at": _rows(db, "select _loaded_at from factdailystoresales"),
            }
        )
    return root, json.loads(gen.stdout), records


def _normal(row) -> list:
    return [v.isoformat(sep=" ") if isinstance(v, dt.datetime) else (int(v) if isinstance(v, bool) else v) for v in row]


@pytest.mark.parametrize("n", range(len(ROUNDS["rounds"])), ids=[r["name"] for r in ROUNDS["rounds"]])
def test_incremental_dimstore_keeps_the_legacy_rows_round_after_round(loads, n):
    _, _, records = loads
    assert [_normal(r) for r in records[n]["rows"]] == ROUNDS["rounds"][n]["expect_after"]


def test_a_merge_over_a_region_without_change_column_rereads_its_inputs_and_says_why(loads):
    root, generated, _ = loads
    item = next(i for i in generated["results"] if i["item_id"] == "silver.dimstore")
    assert any("no watermark filter: bronze.region has no change column" in w for w in item["warnings"])
    sql = (root / "dbt" / "models" / "staging" / "dimstore.sql").read_text(encoding="utf-8")
    assert "watermark_filter" not in sql and "incremental_strategy='merge'" in sql


def test_dbt_run_id_is_the_invocation_id_of_the_run_that_wrote_the_row(loads):
    _, _, records = loads
    invocations = [r["results"]["metadata"]["invocation_id"] for r in records]
    assert len(set(invocations)) == len(invocations)
    # Round 2 re-read every store (the region changed under all of them): each row is that run's.
    assert {run_id for _, run_id in records[1]["run_ids"]} == {invocations[1]}
    # Round 3: store 3 was deleted at source, so its row is still the one round 2 wrote.
    assert dict(records[2]["run_ids"]) == {
        "1": invocations[2],
        "2": invocations[2],
        "3": invocations[1],
        "4": invocations[2],
    }


def test_loaded_at_of_a_table_model_is_the_time_of_the_run_that_built_it(loads):
    _, _, records = loads
    for record in records:
        node = next(r for r in record["results"]["results"] if r["unique_id"].endswith(".factdailystoresales"))
        timing = {t["name"]: t for t in node["timing"]}["execute"]
        start = dt.datetime.fromisoformat(timing["started_at"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(timing["completed_at"].replace("Z", "+00:00"))
        (loaded_at,) = {row[0] for row in record["loaded_at"]}
        if loaded_at.tzinfo is None:
            loaded_at = loaded_at.replace(tzinfo=dt.timezone.utc)
        assert start - dt.timedelta(seconds=1) <= loaded_at <= end + dt.timedelta(seconds=1)


def test_migrate_check_reports_a_gap_when_the_join_input_is_dropped_from_the_watermark(loads):
    root, _, _ = loads
    model = root / "dbt" / "models" / "staging" / "dimstore.sql"
    ok = run_cli("check", "--project-root", str(root), "--table", "silver.dimstore", "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    rounds = next(c for c in json.loads(ok.stdout)["checks"] if c["check"] == "rounds")
    assert rounds["status"] == "match"

    # The mutant: the watermark filter on the driving table alone, as before this issue.
    text = model.read_text(encoding="utf-8")
    store = "from {{ source('bronze', 'Store') }}\n"
    assert text.count(store) == 1
    model.write_text(
        text.replace(store, store + "    where\n        {{ dbt_migrate.watermark_filter('ModifiedDate') }}\n"),
        encoding="utf-8",
    )
    gap = run_cli("check", "--project-root", str(root), "--table", "silver.dimstore", "--json")
    assert gap.returncode == 1, gap.stdout + gap.stderr
    report = json.loads(gap.stdout)
    assert report["verdict"] == "gap"
    rounds = next(c for c in report["checks"] if c["check"] == "rounds")
    assert rounds["status"] == "gap" and "bronze.region row changed" in rounds["detail"]
