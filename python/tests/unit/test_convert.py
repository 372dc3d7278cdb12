"""Deterministic conversion (no dbt): body scan, derivation rules, T-SQL semantics, dialects.

The parse-back test converts every convertible corpus target for each supported output dialect,
renders the Jinja with stand-ins and parses the SQL back with sqlglot in that dialect.
"""

from __future__ import annotations

import importlib.util
import logging
from types import SimpleNamespace

import jinja2
import pytest
import sqlglot
from sqlglot import exp

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.convert import convert_context
from dbt_migrate.convert.derive import NotConvertible, derive_select
from dbt_migrate.convert.dialects import SUPPORTED_OUTPUT_DIALECTS
from dbt_migrate.convert.pivots import rewrite_pivots
from dbt_migrate.convert.scan import scan_body
from dbt_migrate.convert.semantics import apply_operator_semantics, cast_to_column_types, dbt_cross_db_macros
from dbt_migrate.warehouse import DbtInfo, Warehouse
from helpers import CORPUS, REPO

logging.getLogger("sqlglot").setLevel(logging.ERROR)
ADAPTERS = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "snowflake": "snowflake",
    "databricks": "databricks",
    "spark": "spark",
    "tsql": "fabric",
}


# -- body scan --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, construct",
    [
        (
            "CREATE PROCEDURE p AS BEGIN DECLARE @s NVARCHAR(MAX) = N'SELECT 1'; EXEC sp_executesql @s; END",
            "dynamic SQL (EXEC sp_executesql @s)",
        ),
        ("CREATE PROCEDURE p AS BEGIN EXEC (@sql); END", "dynamic SQL"),
        (
            "CREATE PROCEDURE p AS BEGIN EXEC silver.usp_other; INSERT INTO t SELECT 1; END",
            "EXEC of another procedure (EXEC silver.usp_other)",
        ),
        ("CREATE PROCEDURE p AS BEGIN DECLARE c CURSOR FOR SELECT 1; OPEN c; END", "CURSOR loop"),
        ("CREATE PROCEDURE p AS BEGIN WHILE @d < @e BEGIN SET @d = @d + 1; END END", "WHILE loop carrying state"),
        (
            "CREATE PROCEDURE p AS BEGIN BEGIN TRY INSERT INTO t SELECT 1; END TRY BEGIN CATCH "
            "INSERT INTO t VALUES (0); END CATCH END",
            "TRY/CATCH whose CATCH block writes rows",
        ),
    ],
)
def test_body_scan_names_the_non_convertible_construct(body, construct):
    findings = scan_body(body)
    assert findings, body
    assert construct in str(findings[0])


def test_body_scan_accepts_try_catch_that_only_rethrows_and_plain_loads():
    body = (
        "CREATE PROCEDURE p AS BEGIN SET NOCOUNT ON; TRUNCATE TABLE t; BEGIN TRY INSERT INTO t SELECT 1; "
        "END TRY BEGIN CATCH THROW; END CATCH END"
    )
    assert scan_body(body) == []


# -- derivation -------------------------------------------------------------------------------


def _sql(tree: exp.Expression) -> str:
    return tree.sql("duckdb")


def test_temp_table_then_insert_becomes_a_cte_chain():
    q = derive_select(
        [
            "SELECT s.ID, s.W INTO #staged FROM bronze.S AS s WHERE s.W > 0",
            "INSERT INTO silver.T (ID, W) SELECT t.ID, t.W FROM #staged AS t",
            "DROP TABLE #staged",
        ],
        "silver.T",
        "tsql",
    )
    assert [c.alias for c in q.args["with_"].expressions] == ["staged"]
    assert "FROM staged AS t" in _sql(q)


def test_table_variable_insert_becomes_a_cte():
    q = derive_select(
        [
            "INSERT INTO @h (ID, N) SELECT ID, COUNT(*) FROM bronze.S GROUP BY ID",
            "INSERT INTO silver.T (ID, N) SELECT h.ID, h.N FROM @h AS h",
        ],
        "silver.T",
        "tsql",
    )
    assert [c.alias for c in q.args["with_"].expressions] == ["h"]


def test_update_from_join_becomes_left_join_with_matched_case():
    q = derive_select(
        [
            "INSERT INTO silver.T (ID, Cat, Name) SELECT s.ID, s.Cat, 'Unassigned' FROM bronze.S AS s",
            "UPDATE e SET e.Name = c.Name FROM silver.T AS e INNER JOIN bronze.C AS c ON c.ID = e.Cat",
        ],
        "silver.T",
        "tsql",
    )
    sql = _sql(q)
    assert "LEFT JOIN bronze.C AS c ON c.ID = e.Cat" in sql
    assert "CASE WHEN c.ID = e.Cat THEN c.Name ELSE e.Name END AS Name" in sql


def test_insert_values_is_union_all_with_the_select():
    q = derive_select(
        [
            "INSERT INTO silver.T (ID, Name) SELECT s.ID, s.Name FROM bronze.S AS s",
            "INSERT INTO silver.T (ID, Name) VALUES (-1, 'Unknown')",
        ],
        "silver.T",
        "tsql",
    )
    assert isinstance(q, exp.Union) and not q.args.get("distinct")


def test_unknown_statement_is_not_convertible():
    with pytest.raises(NotConvertible):
        derive_select(["EXEC silver.usp_x"], "silver.T", "tsql")


# -- semantics ----------------------------------------------------------------------------------

SCHEMA = {"bronze": {"s": {"firstname": "NVARCHAR(50)", "qty": "INT", "price": "DECIMAL(10, 2)"}}}


def test_string_plus_becomes_concatenation_and_integer_division_truncates():
    tree = sqlglot.parse_one(
        "SELECT s.FirstName + ' x' AS a, s.Qty / 2 AS b, s.Price / 2 AS c, s.Qty + 1 AS d FROM bronze.S AS s",
        read="tsql",
    )
    apply_operator_semantics(tree, SCHEMA)
    assert tree.sql("duckdb") == (
        "SELECT s.FirstName || ' x' AS a, s.Qty // 2 AS b, s.Price / 2 AS c, s.Qty + 1 AS d FROM bronze.S AS s"
    )


def test_tsql_date_functions_become_dbt_cross_database_macros():
    tree = sqlglot.parse_one(
        "SELECT DATEDIFF(day, a, b) AS d, DATEADD(month, 1, a) AS m, GETDATE() AS n FROM t", read="tsql"
    )
    tree, macros = dbt_cross_db_macros(tree, "postgres")
    assert sorted(macros.values()) == sorted(
        [
            '{{ dbt.datediff("a", "b", "day") }}',
            '{{ dbt.dateadd("month", "1", "a") }}',
            "{{ dbt.current_timestamp() }}",
        ]
    )


def test_pivot_becomes_conditional_aggregation_and_unpivot_union_all_without_nulls():
    pivot = sqlglot.parse_one(
        "SELECT p.Y, p.[web] FROM (SELECT Y, Channel, Amount FROM x) AS src "
        "PIVOT (SUM(Amount) FOR Channel IN ([web])) AS p",
        read="tsql",
    )
    sql = rewrite_pivots(pivot).sql("duckdb")
    assert "SUM(CASE WHEN src.Channel = 'web' THEN src.Amount END) AS web" in sql and "GROUP BY src.Y" in sql
    unpivot = sqlglot.parse_one(
        "SELECT u.K, u.Q, u.V FROM (SELECT K, Q1, Q2 FROM x) AS src UNPIVOT (V FOR Q IN (Q1, Q2)) AS u", read="tsql"
    )
    sql = rewrite_pivots(unpivot).sql("duckdb")
    assert "UNION ALL" in sql and "NOT src.Q2 IS NULL" in sql and "'Q1' AS Q" in sql


# -- every corpus model parses back in every supported output dialect ---------------------------


def _lib(name: str):
    spec = importlib.util.spec_from_file_location(f"sqlfluff_lib_{name}", REPO / "sqlfluff_libs" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _render_jinja(text: str) -> str:
    dbt_lib, pkg_lib = _lib("dbt"), _lib("dbt_migrate")
    env = jinja2.Environment()
    return env.from_string(text).render(
        source=lambda s, t: f"{s}.{t}",
        ref=lambda m: m,
        this="this_model",
        invocation_id="run-1",
        dbt=SimpleNamespace(
            **{k: getattr(dbt_lib, k) for k in ("current_timestamp", "datediff", "dateadd", "safe_cast", "concat")}
        ),
        dbt_migrate=SimpleNamespace(watermark_filter=pkg_lib.watermark_filter),
    )


@pytest.fixture(scope="module")
def corpus_contexts():
    mp = MigrationProject(CORPUS)
    wh = Warehouse(mp, DbtInfo())
    out = {}
    for t in mp.targets:
        ctx = build_context(wh, f"{t.schema_}.{t.name}")
        out[ctx.table] = ctx
    return mp, out


@pytest.mark.parametrize("dialect", SUPPORTED_OUTPUT_DIALECTS)
def test_every_corpus_model_parses_back_in_the_output_dialect(corpus_contexts, dialect):
    mp, contexts = corpus_contexts
    wh = Warehouse(mp, DbtInfo(adapter_type=ADAPTERS[dialect]))
    converted = 0
    for table, ctx in contexts.items():
        conv = convert_context(ctx, wh)
        if not conv.ok:
            assert conv.error == "needs_llm"
            continue
        sql = _render_jinja(conv.sql)
        tree = sqlglot.parse_one(sql, read=dialect)
        assert isinstance(tree, exp.Query), table
        converted += 1
    assert converted >= 31


def test_computed_values_are_rounded_to_their_decimal_column_as_the_insert_does():
    query = sqlglot.parse_one(
        "SELECT s.Id AS Id, SUM(s.Amt * 1.1) AS Total, s.Price AS Price, 0 AS Zero, s.A / 3 AS Ratio, "
        "s.Q * 2 AS Doubled, CAST(s.B AS DECIMAL(9,2)) AS Given FROM bronze.S AS s GROUP BY s.Id, s.Price",
        read="tsql",
    )
    types = {
        "Id": "INT",
        "Total": "DECIMAL(18,4)",
        "Price": "DECIMAL(10,2)",
        "Zero": "NUMERIC(5,1)",
        "Ratio": "MONEY",
        "Doubled": "INT",
        "Given": "DECIMAL(18,4)",
    }
    sql = cast_to_column_types(query, types, "tsql").sql("duckdb")
    assert "CAST(SUM(s.Amt * 1.1) AS DECIMAL(18, 4)) AS Total" in sql
    assert "CAST(s.A / 3 AS DECIMAL(19, 4)) AS Ratio" in sql  # MONEY is DECIMAL(19, 4)
    # a plain column, a literal, an integer column and an explicit cast keep their own value
    assert "s.Price AS Price" in sql and "0 AS Zero" in sql and "s.Q * 2 AS Doubled" in sql
    assert "CAST(s.B AS DECIMAL(9, 2)) AS Given" in sql
