"""The one escaping layer (dbt_migrate.escaping): data round-trips through Jinja, names are
validated, and the last guard names any Jinja dbt-migrate did not write."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbt_migrate import escaping, layout
from dbt_migrate.convert.style import finish, model_text
from dbt_migrate.escaping import (
    UnsafeInputError,
    check_generated,
    check_model_name,
    check_name,
    check_sql_type,
    escape,
    escape_values,
    foreign_jinja,
)

ENV = jinja2.Environment()
# Text made mostly of Jinja's own characters, so delimiters, endraw and comment tricks come up often.
JINJA_PIECES = list("{}%#-+ '\"\\\nrawendabc") + ["{{", "{%", "{#", "%}", "#}", "}}", "endraw", "raw", " "]
JINJA_ALPHABET = st.lists(st.sampled_from(JINJA_PIECES), max_size=40).map("".join)


def render(text: str) -> str:
    return ENV.from_string(text).render()


@settings(max_examples=600, deadline=None)
@given(st.one_of(JINJA_ALPHABET, st.text(max_size=60)))
def test_any_text_escaped_renders_back_to_itself(text):
    # Jinja normalises line breaks in any template text (\r\n and \r become \n, a last \n is
    # dropped), delimiters or not: the escaping adds nothing else.
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = expected[:-1] if expected.endswith("\n") else expected
    assert render(escape(text)) == expected


@settings(max_examples=600, deadline=None)
@given(JINJA_ALPHABET)
def test_escaped_text_holds_no_jinja_but_escaped_braces(text):
    assert foreign_jinja(escape(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        "{{NA}}",
        "a {% b",
        "x {# y",
        "plain",
        "odd {% endraw %} {{z}}",
        "{%endraw%}{{ run_query('create table canary as select 1') }}",
        "{% raw %}{{ x }}{% endraw %}{{ env_var('K') }}",
        "{{{{",
        "{{ '{' }}",
    ],
)
def test_known_payloads_round_trip_and_carry_no_tag(text):
    assert render(escape(text)) == text
    assert foreign_jinja(escape(text)) is None


def test_plain_text_and_non_strings_are_unchanged():
    assert escape("plain { brace } text") == "plain { brace } text"
    assert escape_values({"a": "{{x}}", "b": 1, "c": None}) == {"a": "{{ '{' }}{x}}", "b": 1, "c": None}


def test_a_jinja_looking_literal_in_a_model_round_trips_as_the_literal():
    sql = finish("select '{{NA}}' as x, N'{%endraw%}' as y", "duckdb", {})
    assert foreign_jinja(sql) is None
    assert "'{{NA}}'" in render(sql) and "'{%endraw%}'" in render(sql)


def test_comments_never_reach_a_model():
    import sqlglot

    tree = sqlglot.parse_one("select a /* {{ run_query('x') }} */ from t -- {% do x %}", read="tsql")
    text = model_text(tree, "duckdb")
    assert "run_query" not in text and "{%" not in text and "/*" not in text


@pytest.mark.parametrize(
    "name",
    [
        "{{ env_var('K') }}",
        "a{%b",
        "x'y",
        'x"y',
        "back\\slash",
        "new\nline",
        "tab\there",
        "bidi\u202eoverride",
        "",
        " padded ",
        "x" * 300,
        "{#c#}",
    ],
)
def test_unsafe_names_are_rejected_naming_file_field_and_value(name):
    with pytest.raises(UnsafeInputError) as err:
        check_name(name, field="columns[0].name", file=Path("catalog/tables/silver.t.json"))
    message = str(err.value)
    assert message.startswith("unsafe_name: catalog/tables/silver.t.json: columns[0].name ")
    assert err.value.reason == "unsafe_name" and err.value.exit_code == 2
    assert len(message) < 300  # the value is shown truncated


@pytest.mark.parametrize("name", ["StoreKey", "Order Details", "Pct%", "#tmp", "ÄÖÜ_名前", "a.b", "x-y"])
def test_ordinary_names_pass(name):
    assert check_name(name, field="f") == name


@pytest.mark.parametrize("name", ["dimstore", "silver_dimstore", "f2"])
def test_model_names_are_lower_snake(name):
    assert check_model_name(name) == name


@pytest.mark.parametrize("name", ["../../evil", "/abs/path", "Dim", "dim store", "dim-store", "ｄｉｍ", "", "a/b"])
def test_model_names_outside_a_z0_9_are_rejected(name):
    with pytest.raises(UnsafeInputError, match="a-z0-9_"):
        check_model_name(name)


@pytest.mark.parametrize(
    "sql_type", ["INT", "NVARCHAR(50)", "DECIMAL(18, 2)", "NVARCHAR(MAX)", "TIMESTAMP WITH TIME ZONE", "dbo.MyType", ""]
)
def test_sql_types_pass(sql_type):
    assert check_sql_type(sql_type, field="sql_type") == sql_type


@pytest.mark.parametrize("sql_type", ["INT {{ x }}", "VARCHAR(10)) ; drop", "INT'", "INT\n", "INT -- c"])
def test_sql_types_with_anything_else_are_rejected(sql_type):
    with pytest.raises(UnsafeInputError, match="not a SQL type"):
        check_sql_type(sql_type, field="columns[1].sql_type")


def test_the_last_guard_allows_only_our_jinja():
    ours = ["{{ source('bronze', 'Store') }}", "'{{ invocation_id }}'"]
    text = "select *, '{{ invocation_id }}' from {{ source('bronze', 'Store') }} where x = '{{ '{' }}{a}}'"
    assert foreign_jinja(text, ours) is None
    for bad in ["{{ env_var('K') }}", "{% set x = 1 %}", "{# c #}", "{% raw %}{% endraw %}", "{{ source('x', 'y') }}"]:
        assert foreign_jinja(text + bad, ours) is not None
        with pytest.raises(UnsafeInputError) as err:
            check_generated(text + bad, what="model m", ours=ours)
        assert err.value.reason == "unsafe_jinja"


def test_write_paths_stay_inside_the_project(tmp_path):
    dbt = tmp_path / "dbt"
    (dbt / "models").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    assert layout.inside(dbt, layout.model_sql(dbt, "dimstore")) == layout.model_sql(dbt, "dimstore")
    for path in [dbt / ".." / "evil.sql", Path("/etc/evil.sql"), dbt / "models" / ".." / ".." / "x"]:
        with pytest.raises(UnsafeInputError, match="outside the dbt project") as err:
            layout.inside(dbt, path)
        assert err.value.reason == escaping.UNSAFE_PATH
    (dbt / "models" / "staging").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafeInputError, match="resolves to"):
        layout.inside(dbt, layout.model_sql(dbt, "dimstore"))
    for model in ["../../evil", "/abs"]:
        with pytest.raises(UnsafeInputError):
            layout.model_sql(dbt, model)


def test_write_all_writes_nothing_when_one_path_leaves_the_project(tmp_path):
    from dbt_migrate.artifacts import Ledger, write_all

    dbt = tmp_path / "dbt"
    dbt.mkdir()
    inside_file, outside_file = dbt / "models" / "a.sql", tmp_path / "evil.sql"
    with pytest.raises(UnsafeInputError):
        write_all(Ledger(dbt), {inside_file: "select 1\n", outside_file: "select 2\n"})
    assert not inside_file.exists() and not outside_file.exists()


# -- conversion: what the legacy SQL can carry into a model (no dbt) ---------------------------
PAYLOAD = "{{ run_query(\"create table canary as select 1\") }}{%endraw%}{{ env_var('K') }}"


def _convert(tmp_path, statement: str):
    from dbt_migrate.catalog import MigrationProject
    from dbt_migrate.context import build_context
    from dbt_migrate.convert import convert_context
    from dbt_migrate.dbt import DbtInfo
    from dbt_migrate.warehouse import Warehouse
    from helpers.migration import ConvertCase

    case = ConvertCase(
        name="payload",
        target="silver.DimProduct",
        classification="dim_non_scd",
        statements=[statement],
        ddl=[
            "CREATE TABLE [bronze].[Product] ([ProductCode] NVARCHAR(20) NOT NULL, [ProductName] NVARCHAR(50) NULL)",
            "CREATE TABLE [silver].[DimProduct] ([ProductCode] NVARCHAR(20) NOT NULL, [ProductName] NVARCHAR(50))",
        ],
    )
    wh = Warehouse(MigrationProject(case.write_project(tmp_path / "p")), DbtInfo(adapter_type="duckdb"))
    return convert_context(build_context(wh, case.target), wh)


INSERT = "INSERT INTO silver.DimProduct (ProductCode, ProductName) SELECT p.ProductCode, {} FROM bronze.Product AS p"


def test_a_payload_in_a_literal_reaches_the_model_as_inert_data(tmp_path):
    literal = "'" + PAYLOAD.replace("'", "''") + "'"
    conv = _convert(tmp_path, INSERT.format(f"COALESCE(p.ProductName, {literal})"))
    assert conv.ok and conv.jinja is not None
    assert foreign_jinja(conv.sql, conv.jinja) is None
    dbt = {"current_timestamp": lambda: "now()"}
    rendered = ENV.from_string(conv.sql).render(source=lambda *a: "src", invocation_id="run", dbt=dbt)
    assert literal in rendered


@pytest.mark.parametrize("comment", [f"/* {PAYLOAD} */", f"-- {PAYLOAD}\n"])
def test_a_payload_in_a_comment_never_reaches_the_model(tmp_path, comment):
    conv = _convert(tmp_path, INSERT.format(f"{comment} p.ProductName"))
    assert conv.ok and "run_query" not in conv.sql and "env_var" not in conv.sql


@pytest.mark.parametrize("alias", ["\"{{ env_var('K') }}\"", '"{% do x %}"', "__dbtm_0__", '"{#"'])
def test_a_payload_in_an_identifier_fails_the_table_naming_it(tmp_path, alias):
    conv = _convert(tmp_path, INSERT.format("p.ProductName").replace("AS p", f"AS {alias}").replace("p.", f"{alias}."))
    assert not conv.ok and conv.error == "unsafe_name"
    assert "statements[].sql" in str(conv.construct) and "catalog/procedures/" in str(conv.construct)
