"""`migrate discover`'s procedure analysis, rule by rule, on small T-SQL shaped after real loaders
(bracketed names with spaces, statements without ';', BEGIN/END, TRY/CATCH, bookkeeping): the
statements and their actions, routing and mode, scoping, and the profile (issue #18)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbt_migrate.discover.analysis import analyse
from dbt_migrate.discover.inputs import read_inputs
from dbt_migrate.discover.model import Analysis, Discovered, SqlObject
from dbt_migrate.discover.statements import split_body

DIM = """\
CREATE TABLE [Staging].[City Feed] ([City ID] INT NOT NULL, [City Name] NVARCHAR(50) NOT NULL,
    [Valid From] DATETIME2(7) NOT NULL, [Valid To] DATETIME2(7) NOT NULL);
GO
CREATE TABLE [Dimension].[City] (
    [City Key] INT CONSTRAINT [DF_City_Key] DEFAULT (NEXT VALUE FOR [Sequences].[CityKey]) NOT NULL,
    [City ID] INT NOT NULL, [City Name] NVARCHAR(50) NOT NULL,
    [Valid From] DATETIME2(7) NOT NULL, [Valid To] DATETIME2(7) NOT NULL, [Lineage Key] INT NOT NULL,
    CONSTRAINT [PK_Dimension_City] PRIMARY KEY CLUSTERED ([City Key] ASC)
);
GO
CREATE TABLE [Integration].[Lineage] ([Lineage Key] INT NOT NULL, [Table Name] SYSNAME NOT NULL,
    [Data Load Completed] DATETIME2(7) NULL, [Was Successful] BIT NOT NULL);
GO
CREATE TABLE [Integration].[ETL Cutoff] ([Table Name] SYSNAME NOT NULL, [Cutoff Time] DATETIME2(7) NOT NULL);
GO
"""

SCD2_LOADER = """\
CREATE PROCEDURE [Integration].[Load City]
WITH EXECUTE AS OWNER
AS
BEGIN
    SET NOCOUNT ON
    SET XACT_ABORT ON
    DECLARE @EndOfTime datetime2(7) = '99991231 23:59:59.9999999'
    BEGIN TRAN
    DECLARE @LineageKey int = (SELECT TOP(1) [Lineage Key] FROM Integration.Lineage
                               WHERE [Table Name] = N'City' AND [Data Load Completed] IS NULL
                               ORDER BY [Lineage Key] DESC)
    -- close the versions that changed
    ;WITH RowsToCloseOff AS (
        SELECT c.[City ID], MIN(c.[Valid From]) AS [Valid From]
        FROM [Staging].[City Feed] AS c GROUP BY c.[City ID]
    )
    UPDATE c SET c.[Valid To] = rtco.[Valid From]
    FROM Dimension.City AS c
    INNER JOIN RowsToCloseOff AS rtco ON c.[City ID] = rtco.[City ID]
    WHERE c.[Valid To] = @EndOfTime
    INSERT Dimension.City ([City ID], [City Name], [Valid From], [Valid To], [Lineage Key])
    SELECT [City ID], [City Name], [Valid From], [Valid To], @LineageKey FROM [Staging].[City Feed]
    UPDATE Integration.Lineage SET [Data Load Completed] = SYSDATETIME(), [Was Successful] = 1
    WHERE [Lineage Key] = @LineageKey
    UPDATE Integration.[ETL Cutoff]
        SET [Cutoff Time] = (SELECT [Data Load Completed] FROM Integration.Lineage WHERE [Lineage Key] = @LineageKey)
    FROM Integration.[ETL Cutoff] WHERE [Table Name] = N'City'
    COMMIT
    RETURN 0
END
GO
"""


def discover(tmp_path: Path, sql: str) -> Analysis:
    (tmp_path / "warehouse.sql").write_text(sql, encoding="utf-8")
    return analyse(read_inputs(tmp_path))


def statements(analysis: Analysis, proc: str) -> list[dict[str, Any]]:
    return analysis.procedures[proc]["statements"]


def profile(analysis: Analysis, table: str) -> dict[str, Any]:
    return analysis.tables[table].profile


def columns(block: dict[str, Any] | None) -> list[str] | None:
    return None if block is None else block["columns"]


# -- statements --------------------------------------------------------------------------------
def test_statements_split_without_semicolons_and_keep_their_control_flow():
    body = split_body(
        """CREATE PROCEDURE dbo.p @since datetime AS
BEGIN
  BEGIN TRY
    INSERT INTO dbo.t (a, b) SELECT a, CASE WHEN b > 1 THEN 'x' ELSE 'y' END FROM dbo.s
    UNION ALL SELECT a, 'z' FROM dbo.s2
    UPDATE dbo.t SET b = 'q' WHERE a = 1
    IF @@ROWCOUNT = 0
      BEGIN
        MERGE dbo.t AS t USING dbo.s AS s ON t.a = s.a
        WHEN MATCHED THEN UPDATE SET t.b = s.b WHEN NOT MATCHED THEN INSERT (a, b) VALUES (s.a, s.b);
      END
    ELSE
      DELETE FROM dbo.t WHERE a < 0
    WHILE 1 = 0 SELECT 1
  END TRY
  BEGIN CATCH
    ROLLBACK TRAN; INSERT dbo.ErrorLog (msg) VALUES (ERROR_MESSAGE())
  END CATCH
  WITH c AS (SELECT a FROM dbo.s WITH (NOLOCK)) INSERT INTO dbo.u SELECT a FROM c
END"""
    )
    got = [(s.head, s.blocks) for s in body.statements]
    assert got == [
        ("INSERT", ("try",)),
        ("UPDATE", ("try",)),
        ("MERGE", ("try", "if")),
        ("DELETE", ("try", "else")),
        ("SELECT", ("try", "while")),
        ("ROLLBACK", ("catch",)),
        ("INSERT", ("catch",)),
        ("WITH", ()),
    ]
    assert "UNION ALL SELECT a, 'z' FROM dbo.s2" in body.statements[0].sql
    assert body.statements[0].line == 4
    assert body.constructs == ["try", "if", "else", "while", "catch"]


def test_comments_are_dropped_and_strings_kept_as_written():
    body = split_body("INSERT dbo.t (a) -- a comment\n SELECT N'it''s -- not a comment' /* gone */ FROM dbo.s")
    assert [s.sql for s in body.statements] == ["INSERT dbo.t (a) SELECT N'it''s -- not a comment' FROM dbo.s"]


# -- actions, scoping, SCD2 --------------------------------------------------------------------
def test_scd2_loader_is_dim_scd2_on_its_business_key_and_bookkeeping_is_skip(tmp_path):
    a = discover(tmp_path, DIM + SCD2_LOADER)
    actions = [(s["type"], s["action"]) for s in statements(a, "integration.load city")]
    assert actions == [
        ("Set", "skip"),
        ("Set", "skip"),
        ("Declare", "migrate"),
        ("Transaction", "skip"),
        ("Declare", "migrate"),
        ("Update", "migrate"),
        ("Insert", "migrate"),
        ("Update", "skip"),  # Integration.Lineage
        ("Update", "skip"),  # Integration.[ETL Cutoff]
        ("Commit", "skip"),
        ("Command", "skip"),  # RETURN 0
    ]
    for s in statements(a, "integration.load city"):
        assert s["source"] == "discover" and s["rationale"]
    skipped = statements(a, "integration.load city")[7]
    line = next(i for i, text in enumerate((DIM + SCD2_LOADER).splitlines(), 1) if "UPDATE Integration.Lineage" in text)
    assert "bookkeeping" in skipped["rationale"] and skipped["line"] == line
    city = profile(a, "dimension.city")
    assert city["classification"]["resolved_kind"] == "dim_scd2"
    assert columns(city["natural_key"]) == ["City ID"]
    assert city["primary_key"]["columns"] == ["City Key"] and city["primary_key"]["primary_key_type"] == "surrogate"
    assert city["watermark"] is None
    scoping = a.tables["dimension.city"].scoping
    assert scoping["status"] == "resolved" and scoping["selected_writer"] == "Integration.Load City"
    for bookkeeping in ("integration.lineage", "integration.etl cutoff"):
        assert a.tables[bookkeeping].scoping["status"] == "no_writer_found"
        assert "bookkeeping" in a.tables[bookkeeping].scoping["selected_writer_rationale"]
    doc = a.procedures["integration.load city"]
    assert doc["mode"] == "deterministic" and doc["routing_reasons"] == [] and doc["needs_llm"] is False
    tables = {
        (t["schema"], t["name"]): (t["is_selected"], t["is_updated"]) for t in doc["references"]["tables"]["in_scope"]
    }
    assert tables == {
        ("Integration", "Lineage"): (True, False),  # read by the DECLARE the load inlines
        ("Staging", "City Feed"): (True, False),
        ("Dimension", "City"): (False, True),
    }


UPSERTS = """\
CREATE TABLE src.Customer (CustomerID INT NOT NULL, Email NVARCHAR(200), Phone NVARCHAR(20),
    [Date Of Birth] DATE, ModifiedDate DATETIME NOT NULL);
GO
CREATE TABLE dw.DimCustomer (CustomerKey INT IDENTITY(1,1) NOT NULL PRIMARY KEY, CustomerID INT NOT NULL,
    Email NVARCHAR(200), Phone NVARCHAR(20), [Date Of Birth] DATE, ModifiedDate DATETIME NOT NULL);
GO
CREATE TABLE dw.Product (ProductCode NVARCHAR(20) NOT NULL, Name NVARCHAR(50), UpdatedAt DATETIME NOT NULL);
GO
CREATE TABLE dw.FactOrder (OrderID INT NOT NULL, CustomerID INT NOT NULL, Amount DECIMAL(12,2), Status INT);
GO
CREATE PROCEDURE dw.usp_DimCustomer AS
MERGE dw.DimCustomer AS t
USING (SELECT CustomerID, Email, Phone, [Date Of Birth], ModifiedDate FROM src.Customer) AS s
ON t.CustomerID = s.CustomerID
WHEN MATCHED THEN UPDATE SET t.Email = s.Email, t.Phone = s.Phone, t.ModifiedDate = s.ModifiedDate
WHEN NOT MATCHED THEN INSERT (CustomerID, Email, Phone, [Date Of Birth], ModifiedDate)
VALUES (s.CustomerID, s.Email, s.Phone, s.[Date Of Birth], s.ModifiedDate);
GO
CREATE PROCEDURE dw.usp_Product AS
BEGIN
    UPDATE p SET p.Name = s.Name, p.UpdatedAt = s.UpdatedAt
    FROM dw.Product AS p JOIN stage.Product AS s ON p.ProductCode = s.ProductCode
    INSERT INTO dw.Product (ProductCode, Name, UpdatedAt)
    SELECT s.ProductCode, s.Name, s.UpdatedAt FROM stage.Product AS s
    WHERE NOT EXISTS (SELECT 1 FROM dw.Product AS p WHERE p.ProductCode = s.ProductCode)
END
GO
CREATE PROCEDURE dw.usp_FactOrder AS
BEGIN
    UPDATE f SET f.Status = s.Status FROM dw.FactOrder AS f JOIN stage.Orders AS s ON f.OrderID = s.OrderID
    INSERT INTO dw.FactOrder (OrderID, CustomerID, Amount, Status)
    SELECT s.OrderID, s.CustomerID, s.Amount, s.Status FROM stage.Orders AS s
    LEFT JOIN dw.FactOrder AS f ON f.OrderID = s.OrderID WHERE f.OrderID IS NULL
END
GO
"""


def test_keyed_upserts_are_scd1_or_accumulating_by_name_with_match_keys_and_change_column(tmp_path):
    a = discover(tmp_path, UPSERTS)
    customer = profile(a, "dw.dimcustomer")
    assert customer["classification"]["resolved_kind"] == "dim_scd1"
    assert columns(customer["natural_key"]) == ["CustomerID"]
    assert customer["primary_key"]["primary_key_type"] == "surrogate"
    assert customer["watermark"]["column"] == "ModifiedDate" and customer["watermark"]["strategy"] == "timestamp"
    assert {p["column"]: p["suggested_action"] for p in customer["pii_actions"]} == {
        "Email": "mask",
        "Phone": "mask",
        "Date Of Birth": "mask",
    }
    product = profile(a, "dw.product")  # UPDATE + INSERT ... WHERE NOT EXISTS, not named as a dimension
    assert product["classification"]["resolved_kind"] == "dim_scd1"
    assert "ambiguous" in product["classification"] and "two shapes match" in product["classification"]["rationale"]
    assert columns(product["natural_key"]) == ["ProductCode"]
    assert product["watermark"]["column"] == "UpdatedAt"
    order = profile(a, "dw.factorder")  # a fact updated in place: LEFT JOIN ... IS NULL anti-join
    assert order["classification"]["resolved_kind"] == "fact_accumulating_snapshot"
    assert columns(order["natural_key"]) == ["OrderID"]
    assert order["primary_key"]["columns"] == ["OrderID"] and order["pii_actions"] == []


FACTS = """\
CREATE TABLE stage.Sales (SaleID INT NOT NULL, LineNo INT NOT NULL, StoreID INT NOT NULL, SoldAt DATETIME NOT NULL,
    Qty INT NOT NULL);
GO
CREATE TABLE dw.DimStore (StoreID INT NOT NULL, StoreName NVARCHAR(50), CONSTRAINT PK_Store PRIMARY KEY (StoreID));
GO
CREATE TABLE dw.FactSales (SaleID INT NOT NULL, LineNo INT NOT NULL, StoreID INT NOT NULL, SoldAt DATETIME NOT NULL,
    Qty INT NOT NULL);
GO
CREATE TABLE dw.SalesByDay (SalesDay DATE NOT NULL, StoreID INT NOT NULL, Qty INT NOT NULL);
GO
CREATE TABLE dw.StoreList (StoreID INT NOT NULL, StoreName NVARCHAR(50));
GO
CREATE TABLE dw.StockSnapshot (SnapshotDate DATE NOT NULL, StoreID INT NOT NULL, Qty INT NOT NULL,
    CONSTRAINT PK_Snap PRIMARY KEY (SnapshotDate, StoreID));
GO
CREATE PROCEDURE dw.usp_FactSales AS
BEGIN
    INSERT INTO dw.FactSales (SaleID, LineNo, StoreID, SoldAt, Qty)
    SELECT s.SaleID, s.LineNo, d.StoreID, s.SoldAt, s.Qty FROM stage.Sales AS s
    JOIN dw.DimStore AS d ON d.StoreID = s.StoreID
    WHERE s.SoldAt > (SELECT MAX(SoldAt) FROM dw.FactSales)
END
GO
CREATE PROCEDURE dw.usp_SalesByDay AS
BEGIN
    TRUNCATE TABLE dw.SalesByDay
    INSERT INTO dw.SalesByDay (SalesDay, StoreID, Qty)
    SELECT CAST(SoldAt AS DATE), StoreID, SUM(Qty) FROM stage.Sales GROUP BY CAST(SoldAt AS DATE), StoreID
END
GO
CREATE PROCEDURE dw.usp_Reloads AS
BEGIN
    TRUNCATE TABLE dw.StoreList
    INSERT INTO dw.StoreList (StoreID, StoreName) SELECT StoreID, StoreName FROM dw.DimStore
    DELETE FROM dw.StockSnapshot
    INSERT INTO dw.StockSnapshot (SnapshotDate, StoreID, Qty)
    SELECT CAST(GETDATE() AS DATE), StoreID, Qty FROM stage.Sales
END
GO
CREATE PROCEDURE dw.usp_DimStore AS
INSERT INTO dw.DimStore (StoreID, StoreName) SELECT DISTINCT StoreID, N'?' FROM stage.Sales
GO
"""


def test_appends_aggregates_and_reloads(tmp_path):
    a = discover(tmp_path, FACTS)
    sales = profile(a, "dw.factsales")
    assert sales["classification"]["resolved_kind"] == "fact_transaction"
    assert sales["watermark"]["column"] == "SoldAt" and "MAX" in sales["watermark"]["rationale"]
    assert sales["primary_key"]["columns"] == ["SaleID", "LineNo"]  # StoreID is the key of a joined table
    assert [fk["column"] for fk in sales["foreign_keys"]] == ["StoreID"]
    by_day = profile(a, "dw.salesbyday")
    assert by_day["classification"]["resolved_kind"] == "fact_aggregate"
    assert by_day["primary_key"]["columns"] == ["SalesDay", "StoreID"]
    # one procedure, two targets: each gets its slice, without the other's statements
    reloads = a.procedures["dw.usp_reloads"]
    assert set(reloads["table_slices"]) == {"dw.storelist", "dw.stocksnapshot"}
    assert "StockSnapshot" not in reloads["table_slices"]["dw.storelist"]
    assert profile(a, "dw.storelist")["classification"]["resolved_kind"] == "dim_non_scd"
    assert "ambiguous" in profile(a, "dw.storelist")["classification"]
    snapshot = profile(a, "dw.stocksnapshot")  # neither name says fact, its key holds a date
    assert snapshot["classification"]["resolved_kind"] == "fact_periodic_snapshot"
    assert snapshot["primary_key"]["columns"] == ["SnapshotDate", "StoreID"]


def test_several_writers_are_ambiguous_with_their_candidates(tmp_path):
    sql = FACTS + (
        "CREATE PROCEDURE dw.usp_FixSales AS\n"
        "INSERT INTO dw.FactSales (SaleID, LineNo, StoreID, SoldAt, Qty) SELECT 0, 0, 0, '2020-01-01', 0\nGO\n"
    )
    scoping = discover(tmp_path, sql).tables["dw.factsales"].scoping
    assert scoping["status"] == "ambiguous_multi_writer" and scoping["selected_writer"] is None
    assert [c["procedure_name"] for c in scoping["candidates"]] == ["dw.usp_FactSales", "dw.usp_FixSales"]
    assert all(c["rationale"] for c in scoping["candidates"])


def test_a_staging_table_updated_in_place_before_the_load_is_an_input(tmp_path):
    sql = """\
CREATE PROCEDURE Integration.MigrateSales AS
BEGIN
    UPDATE s SET s.[Store Key] = COALESCE((SELECT TOP(1) d.[Store Key] FROM Dimension.Store AS d
                                           WHERE d.[Store ID] = s.[Store ID]), 0)
    FROM Integration.Sale_Staging AS s;
    DELETE s FROM Fact.Sale AS s WHERE s.[Invoice ID] IN (SELECT [Invoice ID] FROM Integration.Sale_Staging);
    INSERT Fact.Sale ([Store Key], [Invoice ID], Quantity)
    SELECT [Store Key], [Invoice ID], Quantity FROM Integration.Sale_Staging;
END;
GO
"""
    a = discover(tmp_path, sql)
    assert a.procedures["integration.migratesales"]["targets"] == ["Fact.Sale"]
    staging = a.tables["integration.sale_staging"].scoping
    assert staging["status"] == "no_writer_found" and "an input" in staging["selected_writer_rationale"]
    sale = profile(a, "fact.sale")
    assert sale["classification"]["resolved_kind"] == "fact_transaction"
    assert "natural_key" not in sale  # the slice column is not a key of the rows


# -- routing -----------------------------------------------------------------------------------
ROUTING = """\
CREATE PROCEDURE dbo.p_loop AS
BEGIN
    DECLARE @i INT = 0
    WHILE @i < 10
    BEGIN
        INSERT INTO dbo.t (a) VALUES (@i)
        SET @i = @i + 1
    END
END
GO
CREATE PROCEDURE dbo.p_catch_only_rolls_back AS
BEGIN TRY
    INSERT INTO dbo.t2 (a) SELECT a FROM dbo.s
END TRY
BEGIN CATCH
    IF XACT_STATE() <> 0 ROLLBACK
    EXEC dbo.usp_LogError @proc = 'p'
    ;THROW
END CATCH
GO
CREATE PROCEDURE dbo.p_catch_writes AS
BEGIN TRY
    INSERT INTO dbo.t3 (a) SELECT a FROM dbo.s
END TRY
BEGIN CATCH
    INSERT INTO dbo.t3 (a) VALUES (-1)
END CATCH
GO
CREATE PROCEDURE dbo.p_dynamic AS
BEGIN
    DECLARE @sql NVARCHAR(MAX) = N'INSERT INTO dbo.t4 (a) SELECT a FROM dbo.s'
    EXEC sp_executesql @sql
END
GO
CREATE PROCEDURE dbo.p_dynamic_runtime @table sysname AS
BEGIN
    DECLARE @sql NVARCHAR(MAX) = N'TRUNCATE TABLE ' + QUOTENAME(@table)
    EXEC (@sql)
END
GO
CREATE PROCEDURE dbo.p_chain AS
BEGIN
    EXEC dbo.p_dynamic
    EXEC otherdb.dbo.p_remote
END
GO
CREATE PROCEDURE dbo.p_cursor AS
BEGIN
    DECLARE c CURSOR FOR SELECT a FROM dbo.s
    OPEN c
    FETCH NEXT FROM c INTO @a
    WHILE @@FETCH_STATUS = 0
    BEGIN
        UPDATE dbo.t5 SET a = @a
        FETCH NEXT FROM c INTO @a
    END
    CLOSE c
    DEALLOCATE c
END
GO
"""


@pytest.fixture(scope="module")
def routed(tmp_path_factory):
    return discover(tmp_path_factory.mktemp("routing"), ROUTING).procedures


@pytest.mark.parametrize(
    ("proc", "mode", "reasons"),
    [
        ("dbo.p_loop", "llm_required", ["while_loop"]),
        ("dbo.p_catch_only_rolls_back", "deterministic", ["try_catch", "if_else"]),
        ("dbo.p_catch_writes", "llm_required", ["try_catch"]),
        ("dbo.p_dynamic", "dynamic_sql_literal", ["dynamic_sql_literal"]),
        ("dbo.p_dynamic_runtime", "llm_required", ["dynamic_sql_variable"]),
        ("dbo.p_chain", "llm_required", ["static_exec", "cross_db_exec"]),
        ("dbo.p_cursor", "llm_required", ["while_loop", "cursor_loop"]),
    ],
)
def test_routing_reasons_and_mode(routed, proc, mode, reasons):
    doc = routed[proc]
    assert (doc["mode"], doc["routing_reasons"]) == (mode, reasons), doc["mode_rationale"]
    assert doc["needs_llm"] is (mode == "llm_required") and doc["mode_rationale"]


def test_a_logging_exec_in_the_catch_block_is_skip(routed):
    catch = routed["dbo.p_catch_only_rolls_back"]["statements"]
    log = next(s for s in catch if s["sql"].startswith("EXEC dbo.usp_LogError"))
    assert log["action"] == "skip" and "logging" in log["rationale"]


def test_an_exec_chain_within_the_warehouse_needs_the_callee(tmp_path):
    sql = "CREATE PROCEDURE dbo.a AS\nEXEC dbo.b\nGO\nCREATE PROCEDURE dbo.b AS\nINSERT INTO dbo.t (x) SELECT 1\nGO\n"
    doc = discover(tmp_path, sql).procedures["dbo.a"]
    assert (doc["mode"], doc["routing_reasons"], doc["needs_enrich"]) == ("call_graph_enrich", ["static_exec"], True)
    assert doc["references"]["procedures"]["in_scope"] == [{"schema": "dbo", "name": "b"}]


# -- hostile text ------------------------------------------------------------------------------
def test_planted_names_stay_data(tmp_path):
    sql = """\
CREATE TABLE [x{{ evil }}].[T*/ 'q"] ([k{% x %}] INT NOT NULL, [Email */ --] NVARCHAR(9), [v] INT,
    CONSTRAINT [PK] PRIMARY KEY ([k{% x %}]));
GO
CREATE PROCEDURE [x{{ evil }}].[load */] AS
MERGE [x{{ evil }}].[T*/ 'q"] AS t USING [src].[S{{x}}] AS s ON t.[k{% x %}] = s.[k{% x %}]
WHEN MATCHED THEN UPDATE SET t.[v] = s.[v]
WHEN NOT MATCHED THEN INSERT ([k{% x %}], [v]) VALUES (s.[k{% x %}], s.[v]);
GO
"""
    a = discover(tmp_path, sql)
    target = """x{{ evil }}.t*/ 'q\""""
    prof = profile(a, target)
    assert prof["classification"]["resolved_kind"] == "dim_scd1"
    assert columns(prof["natural_key"]) == ["k{% x %}"]
    assert prof["pii_actions"][0]["column"] == "Email */ --"
    assert a.tables[target].scoping["selected_writer"] == "x{{ evil }}.load */"
    merge = a.procedures["x{{ evil }}.load */"]["statements"][0]
    assert merge["action"] == "migrate" and "[src].[S{{x}}]" in merge["sql"]


# -- what cannot be read, and views ------------------------------------------------------------
def test_a_write_sqlglot_cannot_read_is_a_problem_with_file_and_line_and_the_rest_is_analysed(tmp_path):
    sql = (
        "CREATE TABLE dbo.t (a INT NOT NULL);\nGO\n"
        "CREATE PROCEDURE dbo.p AS\nBEGIN\n"
        "    INSERT INTO dbo.t (a) SELECT 1\n"
        "    INSERT INTO dbo.t (a) EXEC dbo.other\n"
        "END\nGO\n"
    )
    a = discover(tmp_path, sql)
    [problem] = a.problems
    assert (problem.file, problem.line, problem.object) == ("warehouse.sql", 6, "dbo.p")
    assert "cannot be parsed" in problem.message
    doc = a.procedures["dbo.p"]
    assert doc["mode"] == "llm_required" and "unparsed_statement" in doc["routing_reasons"]
    assert [s["action"] for s in doc["statements"]] == ["migrate", "migrate"]
    assert a.tables["dbo.t"].scoping["status"] == "resolved"


def test_views_are_stg_or_mart(tmp_path):
    sql = (
        "CREATE VIEW dbo.v_thin AS SELECT a, b FROM dbo.t;\nGO\n"
        "CREATE VIEW dbo.v_sum AS SELECT a, SUM(b) AS b FROM dbo.t GROUP BY a;\nGO\n"
        "CREATE VIEW dbo.v_join AS SELECT t.a, u.c FROM dbo.t AS t JOIN dbo.u AS u ON u.a = t.a;\nGO\n"
    )
    a = discover(tmp_path, sql)
    kinds = {k: a.tables[k].profile["classification"] for k in ("dbo.v_thin", "dbo.v_sum", "dbo.v_join")}
    assert kinds == {"dbo.v_thin": "stg", "dbo.v_sum": "mart", "dbo.v_join": "mart"}
    assert a.tables["dbo.v_sum"].profile["source"] == "discover"


def test_a_log_table_loaded_with_rows_of_data_is_a_target_and_a_run_log_is_bookkeeping(tmp_path):
    sql = """\
CREATE PROCEDURE web.usp_LoadWebLog AS
BEGIN
    INSERT INTO etl.RunLog (Step, StartedAt) VALUES (N'web', GETDATE())
    INSERT INTO web.WebLog (Url, HitAt) SELECT r.Url, r.HitAt FROM raw.Requests AS r
    UPDATE etl.RunLog SET FinishedAt = GETDATE() WHERE Step = N'web'
END
GO
"""
    a = discover(tmp_path, sql)
    assert [s["action"] for s in statements(a, "web.usp_loadweblog")] == ["skip", "migrate", "skip"]
    assert a.tables["web.weblog"].scoping["status"] == "resolved"
    assert a.tables["etl.runlog"].scoping["status"] == "no_writer_found"


_SOUP = [
    "BEGIN", "END", "IF", "ELSE", "WHILE", "TRY", "CATCH", "(", ")", ";", ",", "'x'", "N'y'", "[a b]", "dbo.t", "#t",
    "@v", "=", ">", "SELECT", "INSERT", "INTO", "UPDATE", "SET", "DELETE", "FROM", "MERGE", "USING", "ON", "WHEN",
    "MATCHED", "THEN", "VALUES", "WITH", "AS", "CASE", "EXEC", "TRUNCATE", "TABLE", "DECLARE", "CURSOR", "FOR",
    "GROUP", "BY", "WHERE", "NOT", "EXISTS", "1", "RETURN", "COMMIT", "TRAN", "*/", "{{", "--",
]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_SOUP), max_size=40))
def test_any_token_soup_is_analysed_without_crashing(soup):
    obj = SqlObject(
        kind="procedure",
        schema="dbo",
        name="p",
        sql="CREATE PROCEDURE dbo.p AS " + " ".join(soup),
        file="x.sql",
        line=1,
    )
    analysis = analyse(Discovered(objects=[obj]))
    for s in analysis.procedures["dbo.p"]["statements"]:
        assert s["action"] in ("migrate", "skip") and s["rationale"] and s["source"] == "discover"


def test_an_unknown_member_insert_under_if_not_exists_keeps_the_load_deterministic(tmp_path):
    sql = """\
CREATE PROCEDURE dw.usp_DimRegion AS
BEGIN
    TRUNCATE TABLE dw.DimRegion
    INSERT INTO dw.DimRegion (RegionCode, RegionName) SELECT r.Code, r.Name FROM src.Region AS r
    IF NOT EXISTS (SELECT 1 FROM dw.DimRegion WHERE RegionCode = 'N/A')
        INSERT INTO dw.DimRegion (RegionCode, RegionName) VALUES ('N/A', 'Unknown')
END
GO
CREATE PROCEDURE dw.usp_DimBranch AS
BEGIN
    IF (SELECT COUNT(*) FROM src.Branch) > 0
        INSERT INTO dw.DimBranch (BranchCode) SELECT b.Code FROM src.Branch AS b
END
GO
"""
    procs = discover(tmp_path, sql).procedures
    region = procs["dw.usp_dimregion"]
    assert (region["mode"], region["routing_reasons"]) == ("deterministic", ["if_else"])
    assert "unknown member" in region["mode_rationale"]
    assert procs["dw.usp_dimbranch"]["mode"] == "llm_required"  # a load that runs only when <cond>
