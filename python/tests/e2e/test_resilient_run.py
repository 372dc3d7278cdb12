"""A warehouse run one table can never break (issue 15), on the warehouse20 fixture.

24 targets in three layers (Integration staging -> Dimension -> Fact -> Report): three need an LLM
(a WHILE loop, dynamic SQL, a cursor) and five others read them; Dimension.Customer_Category fails
to render (a type-1 dimension with no key); Dimension.Salesperson and Fact.Quota read each other.
A user's hand-written model with broken Jinja sits in the project. One project is shared by every
assertion: ``migrate run --all``, then the LLM run for the three, ``migrate restore``, and a plain
``migrate run --all`` again.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from helpers import FIXTURES, copy_example, run_cli

LLM = ["Dimension.Calendar", "Dimension.Transaction_Type", "Fact.Stock_Holding"]
# model -> the model it waits for (directly)
DEPENDENTS = {
    "fact.sale_by_day": "calendar",
    "report.yearly_sales": "sale_by_day",
    "fact.customer_transaction": "transaction_type",
    "report.transaction_totals": "customer_transaction",
    "report.stock_position": "stock_holding",
}
CYCLE = {"fact.quota", "dimension.salesperson"}
RENDER_FAILS = "dimension.customer_category"
OK_FIRST = {
    "dimension.city",
    "dimension.customer",
    "dimension.stock_item",
    "dimension.employee",
    "dimension.supplier",
    "dimension.payment_method",
    "fact.sale",
    "fact.order_line",
    "fact.purchase",
    "fact.movement",
    "report.sales_by_city",
    "report.order_summary",
    "report.purchase_by_category",
}
USER_MODEL = "models/reports/my_city_report.sql"  # not marts/: that would become the models folder (#14)
USER_TEXT = "select * from {{ ref('sales_by_city') }}\n{% if target.name == 'dev' %}\nwhere 1 = 1\n"
BROKEN_PAUSED = "models/staging/hand_written_oops.sql.skip"


def _run(root: Path, *args: str, env: dict | None = None) -> tuple[int, dict]:
    res = run_cli(*args, "--json", "--project-root", str(root), env=env)
    assert res.stdout.strip().startswith(("{", "[")), res.stderr[-3000:]
    return res.returncode, json.loads(res.stdout)


def _by_id(doc: dict) -> dict[str, dict]:
    return {r["item_id"]: r for r in doc["results"]}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    root = copy_example("warehouse20", tmp_path_factory.mktemp("w20") / "wh")
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    user = root / "dbt" / USER_MODEL
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(USER_TEXT)
    code, doc = _run(root, "run", "--all")
    return root, code, doc


@pytest.fixture(scope="module")
def then(first, tmp_path_factory):
    """The user fixes their model and leaves a paused model with broken Jinja in the group; the
    three LLM targets are run with answers; then ``migrate restore --build``."""
    root = first[0]
    (root / "dbt" / USER_MODEL).write_text("select * from {{ ref('sales_by_city') }}\n")
    (root / "dbt" / BROKEN_PAUSED).write_text(
        "{{ config(tags=['dbt_migrate']) }}\nselect * from {{ ref('city') }}\n{% for x in [1, 2] %}\n"
    )
    sql = json.loads((FIXTURES / "warehouse20" / "llm-answers.json").read_text())
    answers = tmp_path_factory.mktemp("answers") / "answers.json"
    answers.write_text(json.dumps([f"Here is the SELECT.\n\n```sql\n{sql[t]}\n```\n" for t in LLM]))
    env = {
        "OPENAI_API_KEY": "sk-test",
        "DBT_MIGRATE_LLM_RETRIES": "1",
        "DBT_MIGRATE_LLM_TIMEOUT": "5",
        "DBT_MIGRATE_LLM_MOCK_RESPONSES": str(answers),
    }
    tables = [a for t in LLM for a in ("--table", t)]
    llm = _run(root, "run", *tables, "--llm", "gpt-4o-mini", env=env)
    restored = _run(root, "restore", "dbt_migrate", "--yes", "--build")
    return root, llm, restored


def test_every_other_target_is_ok_with_its_unit_tests_in_one_dbt_build(first):
    _, code, doc = first
    assert code == 1
    results = _by_id(doc)
    assert len(results) == 24
    for item in OK_FIRST:
        r = results[item]
        assert r["status"] == "ok", (item, r["errors"], r["output"]["execution"]["dbt_errors"])
        units = r["output"]["execution"]["unit_tests"]
        assert units["total"] >= 1 and units["passed"] == units["total"], item
    assert doc["summary"]["counts"] == {"ok": 13, "partial": 0, "error": 4, "paused": 7}
    assert doc["summary"]["dbt_invocations_by_command"]["build"] == 1


def test_rows_are_built_in_duckdb(first):
    root = first[0]
    with duckdb.connect(str(root / "dbt" / "warehouse.duckdb"), read_only=True) as con:
        built = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        city = con.execute("select WWICityID, City, SalesTerritory from city").fetchall()
    assert OK_FIRST and {i.split(".")[1] for i in OK_FIRST} <= built
    assert not {i.split(".")[1] for i in DEPENDENTS} & built
    assert city == [(0, "Unknown", "N/A")]  # the unknown member; the staging source is empty here


def test_dependents_of_the_llm_targets_are_paused_waiting_for_them(first):
    root, _, doc = first
    results = _by_id(doc)
    for item, upstream in DEPENDENTS.items():
        r = results[item]
        assert r["status"] == "partial" and r["reason"] == "paused", item
        assert r["output"]["paused"]["waiting_for"] == [upstream], item
        assert r["output"]["paused"]["reason"].startswith(f"waiting for {upstream} ("), item
        model = item.split(".")[1]
        assert (root / "dbt" / "models" / "staging" / f"{model}.sql.skip").is_file()
        assert not (root / "dbt" / "models" / "staging" / f"{model}.sql").exists()
    calendar = results["fact.sale_by_day"]["output"]["paused"]["reason"]
    assert "needs_llm" in calendar and "WHILE loop" in calendar
    assert "waiting for sale_by_day (paused: waiting for calendar)" in results["report.yearly_sales"]["errors"][0]
    for t in LLM:
        assert results[t.lower()]["status"] == "error" and results[t.lower()]["reason"] == "needs_llm"
    state = (root / "dimensions" / "dbt_migrate" / "DBT_MIGRATE_MIGRATION_STATE.md").read_text()
    assert "Paused by `migrate run`: waiting for stock_holding (needs_llm" in state


def test_the_cycle_and_the_render_failure_are_named(first):
    _, _, doc = first
    results = _by_id(doc)
    quota, salesperson = results["fact.quota"], results["dimension.salesperson"]
    assert quota["output"]["paused"]["cycle"] == ["quota", "salesperson", "quota"]
    assert quota["errors"] == ["paused: cycle: quota -> salesperson -> quota"]
    assert salesperson["output"]["paused"]["waiting_for"] == ["quota"]
    assert "cycle: quota -> salesperson -> quota" in salesperson["output"]["paused"]["reason"]
    broken = results[RENDER_FAILS]
    assert broken["status"] == "error" and broken["reason"] == "render_failed"
    assert "argument `unique_key` got []" in broken["errors"][0]
    others = [r for i, r in results.items() if i != RENDER_FAILS]
    assert not any("unique_key" in e for r in others for e in r["errors"])


def test_a_users_broken_model_is_reported_by_file_and_blamed_on_no_item(first):
    root, _, doc = first
    [bad] = doc["summary"]["project_errors"]
    assert bad["file"] == USER_MODEL and "Unexpected end of template" in bad["error"]
    assert "left_as" not in bad
    assert (root / "dbt" / USER_MODEL).read_text() == USER_TEXT  # put back as it was
    for r in doc["results"]:
        assert not any("my_city_report" in e for e in r["errors"] + r["output"]["execution"]["dbt_errors"])


def test_llm_answers_then_restore_bring_every_target_but_the_cycle_and_the_render_failure_to_ok(then):
    root, (llm_code, llm_doc), (restore_code, restored) = then
    assert llm_code == 0, [(r["item_id"], r["errors"]) for r in llm_doc["results"]]
    assert {r["item_id"]: r["status"] for r in llm_doc["results"]} == {t.lower(): "ok" for t in LLM}
    for r in llm_doc["results"]:
        units = r["output"]["execution"]["unit_tests"]
        assert units["total"] == units["passed"] == 1
    assert restore_code == 0
    assert sorted(restored["resumed"]) == sorted(i.split(".")[1] for i in DEPENDENTS)
    assert sorted(restored["still_paused"]) == ["hand_written_oops", "quota", "salesperson"]
    build = restored["build"]  # tag:dbt_migrate: every generated model, unit tests included
    assert build["success"] and build["models"] == {"passed": 21, "failed": 0}
    assert build["tests"]["failed"] == 0 and build["tests"]["passed"] >= 21
    with duckdb.connect(str(root / "dbt" / "warehouse.duckdb"), read_only=True) as con:
        built = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {i.split(".")[1] for i in DEPENDENTS} | {t.split(".")[1].lower() for t in LLM} <= built


def test_restore_lists_a_paused_model_with_broken_jinja_as_needs_investigation(then):
    root, _, (_, restored) = then
    oops = restored["models"]["hand_written_oops"]
    assert oops["status"] == "investigate"
    assert "dbt cannot parse its Jinja: Unexpected end of template" in oops["reason"]
    assert (root / "dbt" / BROKEN_PAUSED).is_file()
