"""LLM answers carry no Jinja of their own (no dbt, no subprocess, no provider).

An answer is plain SQL over the legacy table names. Each bypass that once executed through the old
Jinja allow-list is rejected with a named reason or neutralised; harmless SQL becomes a model whose
only Jinja is what dbt-migrate writes itself, through the same tail as the rules' conversion.
"""

from __future__ import annotations

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import nodes

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.contracts import Context
from dbt_migrate.convert import Conversion, convert_context
from dbt_migrate.llm.client import STYLE_RULES, Accounting, LlmClient, LlmConfig, build_messages
from dbt_migrate.llm.correction import allowed_inputs, attempt, feedback_for, model_from_answer, rejection_feedback
from dbt_migrate.llm.guard import DENIED_FUNCTIONS, AnswerRejected, checked_query
from dbt_migrate.results import ItemResult, Output
from dbt_migrate.warehouse import DbtInfo, Warehouse
from helpers import DEMO_PROJECT, DEMO_REVENUE_ANSWER

DEMO = DEMO_PROJECT
TABLE = "silver.FactDailyRevenue"

GOOD = DEMO_REVENUE_ANSWER

# The bypasses that executed through the old guard (issue 13), now as whole answers.
RUN_QUERY = "{{ dbt.run_query('create table canary as select 1') }}"
BYPASSES = {
    "python_globals": GOOD.replace(
        "sum(i.Qty) as ItemCount",
        '\'{{ var.__globals__["__builtins__"]["__import__"]("os").system("touch /tmp/x") }}\' as ItemCount',
    ),
    "dbt_run_query": GOOD.replace("where o.Status", f"where '{RUN_QUERY}' = '' and o.Status"),
    "shadowed_namespace": "{% set dbt_migrate = dbt %}\n"
    + GOOD.replace("as Revenue\n", "as Revenue, {{ dbt_migrate.run_query('select 1') }} as x\n"),
    "untaken_branch": GOOD.replace(
        "from orders as o", "from orders as o {% if invocation_id == 'x' %}{{ run_query('drop table t') }}{% endif %}"
    ),
    "identifier": GOOD.replace("as Revenue\n", 'as "{{ run_query(1) }}"\n'),
    "closing_delimiter": GOOD.replace("'CANCELLED'", "'x }} y'"),
}
# Jinja inside a SQL comment is neutralised: comments are dropped, the rest is a fine SELECT.
NEUTRALISED = {
    "trailing_line_comment": GOOD + "\n-- {{ run_query('create table canary as select 1') }}",
    "block_comment": GOOD.replace("select\n", "select /* {% do run_query('drop table x') %} */\n", 1),
    "jinja_comment": GOOD + "\n{# {{ run_query('drop table x') }} #}",
    "comment_in_cte": GOOD.replace("select * from bronze.Orders", "select * from bronze.Orders -- {{ env_var('K') }}"),
}


@pytest.fixture(scope="module")
def wh() -> Warehouse:
    return Warehouse(MigrationProject(DEMO), DbtInfo())


@pytest.fixture
def ctx(wh) -> Context:
    return build_context(wh, TABLE)


OUR_JINJA = {"source", "ref", "invocation_id", "dbt", "dbt_migrate"}


def jinja_names(text: str) -> set[str]:
    """Every name the model's Jinja loads (what dbt would resolve when rendering it)."""
    tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(text)
    return {n.name for n in tree.find_all(nodes.Name)}


def assert_only_our_jinja(text: str) -> None:
    """The model's Jinja is expressions over dbt-migrate's own names: no statement of any kind."""
    tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(text)
    statements = [type(n).__name__ for n in tree.find_all(nodes.Stmt) if not isinstance(n, nodes.Output)]
    assert statements == [], statements
    assert {n.name for n in tree.find_all(nodes.Name)} <= OUR_JINJA


def reason_of(sql: str, ctx: Context, wh: Warehouse) -> str:
    with pytest.raises(AnswerRejected) as info:
        model_from_answer(sql, ctx, wh)
    return info.value.reason


# -- harmless SQL ------------------------------------------------------------------------------------


def test_plain_sql_becomes_a_model_with_source_calls_written_by_dbt_migrate(ctx, wh):
    conv = model_from_answer(GOOD, ctx, wh)
    assert conv.ok and conv.generator == "llm" and conv.answer == GOOD
    assert "{{ source('bronze', 'Orders') }}" in conv.sql
    assert "{{ source('bronze', 'OrderItem') }}" in conv.sql
    assert "bronze.Orders" not in conv.sql  # every legacy name went through source()
    assert "'{{ invocation_id }}' as _dbt_run_id" in conv.sql
    assert_only_our_jinja(conv.sql)
    assert {(r.source_name, r.table_name) for r in conv.relations} == {("bronze", "Orders"), ("bronze", "OrderItem")}


def test_a_known_target_is_read_through_ref(ctx, wh):
    conv = model_from_answer("select OrderDate as RevenueDate from silver.FactOrderLine", ctx, wh)
    assert "{{ ref('factorderline') }}" in conv.sql
    assert [r.kind for r in conv.relations] == ["ref"]


def test_the_answer_goes_through_the_same_tail_as_the_rules(ctx, wh):
    """T-SQL functions become the same dbt cross-database macros the rules emit."""
    conv = model_from_answer(GOOD.replace("as Revenue\n", "as Revenue, GETDATE() as Stamp\n"), ctx, wh)
    assert "{{ dbt.current_timestamp() }} as Stamp" in conv.sql


def test_an_answer_equal_to_the_rules_select_gives_the_rules_model(wh):
    """One tail: for an incremental table too (source()/ref(), the watermark filter, audit column)."""
    ctx = build_context(wh, "silver.FactOrderLine")
    sql = (
        "SELECT o.OrderID, i.ItemNo, d.CustomerCode, o.OrderDate, i.ProductCode, i.Qty AS Quantity,"
        " i.Qty * i.Price AS LineAmount FROM bronze.Orders AS o"
        " INNER JOIN bronze.OrderItem AS i ON i.OrderID = o.OrderID"
        " INNER JOIN silver.DimCustomer AS d ON d.CustomerCode = CAST(o.CustomerID AS NVARCHAR(20))"
        " WHERE o.Status <> 'CANCELLED'"
    )
    conv = model_from_answer(sql, ctx, wh)
    assert conv.sql == convert_context(ctx, wh).sql
    assert "{{ dbt_migrate.watermark_filter('OrderDate') }}" in conv.sql and conv.uses_watermark
    assert "{{ ref('dimcustomer') }}" in conv.sql


def test_audit_columns_of_the_answer_give_way_to_dbt_migrates_own(ctx, wh):
    conv = model_from_answer(GOOD.replace("as Revenue\n", "as Revenue, 'x' as _dbt_run_id\n"), ctx, wh)
    assert conv.sql.count("as _dbt_run_id") == 1 and "'{{ invocation_id }}' as _dbt_run_id" in conv.sql


def test_cte_names_are_not_tables(ctx, wh):
    sql = "with secrets as (select OrderID from bronze.Orders) select OrderID as RevenueDate from secrets"
    assert model_from_answer(sql, ctx, wh).ok


# -- the bypasses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(BYPASSES))
def test_jinja_in_an_answer_is_rejected_with_a_named_reason(ctx, wh, case):
    assert reason_of(BYPASSES[case], ctx, wh).startswith("jinja: the answer contains")


@pytest.mark.parametrize("case", sorted(NEUTRALISED))
def test_jinja_in_a_comment_is_neutralised(ctx, wh, case):
    conv = model_from_answer(NEUTRALISED[case], ctx, wh)
    assert "run_query" not in conv.sql and "env_var" not in conv.sql and "--" not in conv.sql and "/*" not in conv.sql
    assert_only_our_jinja(conv.sql)


FRAGMENTS = st.sampled_from(
    ["{{", "}}", "{%", "%}", "{#", "#}", "{% raw %}", "{% endraw %}"]
    + ["run_query('x')", "var.__globals__", "env_var('K')"]
    + ["'", "''", '"', "--", "/*", "*/", "\n", " ", "{", "}", "%", "#", "-", "dbt", "x"]
)
PLACES = {
    "string": lambda p: GOOD.replace("'CANCELLED'", "'" + p.replace("'", "''") + "'"),
    "identifier": lambda p: GOOD.replace("as Revenue\n", "[" + p.replace("]", "]]") + "] as Revenue\n"),
    "line_comment": lambda p: GOOD + "\n-- " + p.replace("\n", " "),
    "block_comment": lambda p: GOOD.replace("select\n", "select /* " + p.replace("*/", "* /") + " */\n", 1),
    "bare": lambda p: GOOD.replace("from orders as o", "from orders as o " + p),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.lists(FRAGMENTS, max_size=10).map("".join), place=st.sampled_from(sorted(PLACES)))
def test_no_payload_anywhere_in_an_answer_reaches_the_model_as_jinja(ctx, wh, payload, place):
    """Rejected with a named reason, or a model whose only Jinja is dbt-migrate's own."""
    try:
        conv = model_from_answer(PLACES[place](payload), ctx, wh)
    except AnswerRejected as exc:
        assert exc.code in {"jinja", "parse", "not_select", "table", "function", "write", "convert"}, exc.reason
        return
    assert conv.ok
    assert_only_our_jinja(conv.sql)


@pytest.mark.parametrize(
    "sql, code",
    [
        ("drop table silver.FactDailyRevenue", "write"),
        ("select 1 as a; select 2 as b", "not_select"),
        ("install httpfs", "not_select"),
        ("select * into silver.Evil from bronze.Orders", "write"),
        ("copy (select 1) to 'canary.csv'", "write"),
        ("pragma version", "write"),
        ("with x as (delete from bronze.Orders) select * from x", "write"),
        ("select OrderID from bronze.Orders where", "parse"),
        ("select 'unterminated", "parse"),
        ("select 1 as __dbtm_0__", "placeholder"),
    ],
)
def test_anything_but_one_select_is_rejected(ctx, wh, sql, code):
    assert reason_of(sql, ctx, wh).startswith(f"{code}:")


@pytest.mark.parametrize(
    "sql",
    [
        "select * from main.secrets",
        "select * from 'canary.csv'",
        'select * from "/etc/passwd"',
        "select o.OrderID from bronze.Orders as o join bronze.Customer as c on 1 = 1",
        "with a as (select * from dbo.Other) select * from a",
    ],
)
def test_tables_outside_the_allowed_inputs_are_rejected(ctx, wh, sql):
    reason = reason_of(sql, ctx, wh)
    assert reason.startswith("table:") and "is not an input of this table" in reason


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('x.csv')",
        "select * from query('select 1')",
        "select * from openquery(srv, 'select 1')",
        "select o.OrderID from bronze.Orders as o cross apply string_split(o.Status, ',') as s",
    ],
)
def test_table_functions_are_rejected(ctx, wh, sql):
    assert reason_of(sql, ctx, wh).startswith("table_function:")


@pytest.mark.parametrize("name", sorted(DENIED_FUNCTIONS))
def test_each_denied_function_is_rejected(ctx, wh, name):
    sql = f"select {name}('x') as RevenueDate from bronze.Orders"
    reason = reason_of(sql, ctx, wh)
    assert reason.startswith(("function:", "parse:", "not_select:")), reason
    assert name in reason or not reason.startswith("function:")


@pytest.mark.parametrize("name", ["read_anything", "duckdb_secrets", "pg_anything", "xp_cmdshell", "postgres_scan"])
def test_denied_families_are_rejected(ctx, wh, name):
    assert reason_of(f"select {name}('x') as a from bronze.Orders", ctx, wh).startswith("function:")


def test_the_checks_alone_name_their_reason():
    with pytest.raises(AnswerRejected) as info:
        checked_query("select getenv('HOME') as a", {"bronze.orders"}, "tsql")
    assert info.value.code == "function" and "getenv" in info.value.reason


# -- the prompt and the feedback ---------------------------------------------------------------------


def test_the_prompt_asks_for_plain_sql_over_the_legacy_names(ctx, wh):
    named, keys = allowed_inputs(ctx, wh)
    assert named == ["bronze.Orders", "bronze.OrderItem"]
    assert {"bronze.orders", "silver.factorderline"} <= keys
    messages = build_messages(ctx, named)
    assert "plain SQL" in STYLE_RULES and "No Jinja" in STYLE_RULES
    assert '"allowed_tables": [\n    "bronze.Orders",\n    "bronze.OrderItem"\n  ]' in messages[1]["content"]
    assert "source(" not in messages[1]["content"] and "ref(" not in messages[1]["content"]
    assert "_dbt_run_id" not in messages[1]["content"]


def _result(ctx: Context) -> ItemResult:
    result = ItemResult(item_id=ctx.table, output=Output(table_ref=ctx.table))
    result.output.execution.dbt_errors = ["Binder Error: column NoSuch not found"]
    result.output.execution.unit_tests.total, result.output.execution.unit_tests.passed = 2, 1
    result.output.equivalence = {"verdict": "gap", "checks": [{"name": "rows", "status": "gap"}]}
    return result


def test_feedback_sends_the_previous_answer_errors_counts_and_gaps_never_test_rows(ctx, wh):
    conv = model_from_answer(GOOD, ctx, wh)
    fb = feedback_for(conv, _result(ctx))
    assert fb["previous_sql"] == GOOD
    assert fb["dbt_errors"] == ["Binder Error: column NoSuch not found"]
    assert fb["unit_tests"] == {"total": 2, "passed": 1}
    assert fb["equivalence"]["gaps"] == [{"name": "rows", "status": "gap"}]
    messages = build_messages(ctx, ["bronze.Orders"], fb)
    assert messages[2] == {"role": "assistant", "content": f"```sql\n{GOOD}\n```"}
    text = "".join(m["content"] for m in messages)
    for test in ctx.unit_tests:
        assert test.name not in text  # ground-truth unit tests are never sent


def test_feedback_for_a_rules_model_sends_it_as_reference_only(ctx, wh):
    fb = feedback_for(Conversion(sql="select 1 as a\n"), _result(ctx))
    assert "previous_sql" not in fb and fb["generated_model"] == "select 1 as a\n"


def test_a_rejected_answer_is_recorded_and_fed_back(ctx, wh):
    """The real litellm call path with its own mock_response: a rejection, then a good answer."""
    bad = f"```sql\n{BYPASSES['dbt_run_query']}\n```"
    client = LlmClient(LlmConfig(model="gpt-4o-mini", mock_responses=[bad, f"```sql\n{GOOD}\n```"]))
    acc = Accounting(model="gpt-4o-mini")
    first = attempt(client, ctx, wh, acc)
    assert not first.ok and first.error == "llm_rejected" and first.construct.startswith("jinja:")
    assert acc.rejected == [first.construct]
    fb = rejection_feedback(first)
    assert fb == {"previous_sql": BYPASSES["dbt_run_query"], "rejected": first.construct}
    second = attempt(client, ctx, wh, acc, fb)
    assert second.ok and acc.calls == 2 and len(acc.rejected) == 1
