"""`migrate discover`'s input side: GO scripts and SSDT folders read into objects and DDL facts,
unreadable batches reported with file and line while the rest is read (issue #18)."""

from __future__ import annotations

import codecs
from pathlib import Path

from dbt_migrate.discover.inputs import read_inputs

SCRIPT = """\
/* deployment script */
SET ANSI_NULLS ON
GO
CREATE TABLE [Dimension].[Stock Item] (
    [Stock Item Key] INT CONSTRAINT [DF_SI] DEFAULT (NEXT VALUE FOR [Sequences].[StockItemKey]) NOT NULL,
    [WWI Stock Item ID] INT NOT NULL,
    [Name] NVARCHAR (100) NOT NULL,
    [Unit Price] DECIMAL (18, 2) NULL,
    [Photo] VARBINARY (MAX) NULL,
    CONSTRAINT [PK_SI] PRIMARY KEY CLUSTERED ([Stock Item Key] ASC)
);
GO
CREATE TABLE dbo.Sales (
    SaleID BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    ItemKey INT NOT NULL REFERENCES [Dimension].[Stock Item] ([Stock Item Key]),
    InvoiceNo NVARCHAR(20),
    SoldAt DATETIME2(7) NOT NULL DEFAULT (SYSDATETIME()),
    CONSTRAINT UQ_Sales_Invoice UNIQUE NONCLUSTERED (InvoiceNo)
) ON [PS_Date] ([SoldAt]) WITH (DATA_COMPRESSION = PAGE);
CREATE UNIQUE NONCLUSTERED INDEX [IX_SI_WWI] ON [Dimension].[Stock Item] ([WWI Stock Item ID] ASC) INCLUDE ([Name]);
CREATE NONCLUSTERED INDEX IX_plain ON dbo.Sales (SoldAt);
GO
ALTER TABLE [dbo].[Sales] WITH CHECK ADD CONSTRAINT [FK_Sales_Self]
    FOREIGN KEY ([SaleID]) REFERENCES [dbo].[Sales] ([SaleID])
GO
CREATE OR ALTER PROCEDURE [Integration].[Load Sales]
AS
BEGIN
    -- GO inside a comment line does not split
    CREATE TABLE #tmp (a INT);
    BEGIN TRAN;
    UPDATE dbo.Sales SET InvoiceNo = CASE WHEN InvoiceNo IS NULL THEN 'x' ELSE InvoiceNo END;
    COMMIT;
END;
GO
CREATE VIEW [dbo].[v Sales] AS SELECT s.SaleID AS [Sale ID], s.InvoiceNo FROM dbo.Sales AS s
GO
CREATE SEQUENCE [Sequences].[StockItemKey] AS INT START WITH 1;
GO
EXECUTE sp_addextendedproperty @name = N'Description', @value = N'x';
"""


def _write(path: Path, text: str, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bom + text.encode(encoding))
    return path


def test_go_script_gives_tables_keys_procedure_view_and_notes_the_sequence(tmp_path):
    _write(tmp_path / "ddl" / "all.sql", SCRIPT)
    found = read_inputs(tmp_path / "ddl")
    assert found.problems == []
    kinds = {(o.kind, o.fqn) for o in found.objects}
    assert kinds >= {
        ("table", "dimension.stock item"),
        ("table", "dbo.sales"),
        ("procedure", "integration.load sales"),
        ("view", "dbo.v sales"),
        ("other", "sequences.stockitemkey"),
    }
    item = found.tables["dimension.stock item"]
    assert [c.name for c in item.columns] == ["Stock Item Key", "WWI Stock Item ID", "Name", "Unit Price", "Photo"]
    key, _, name, price, photo = item.columns
    assert key.identity and key.default == "NEXT VALUE FOR [Sequences].[StockItemKey]" and not key.nullable
    assert (name.type, name.nullable) == ("nvarchar(100)", False)
    assert (price.type, price.nullable, photo.type) == ("decimal(18,2)", True, "varbinary(max)")
    assert item.primary_key == ["Stock Item Key"] and item.primary_key_name == "PK_SI"
    assert item.unique_keys == [["WWI Stock Item ID"]]  # the unique index; the plain one says nothing
    sales = found.tables["dbo.sales"]
    sale_id, _, invoice, sold_at = sales.columns
    assert sale_id.identity and not sale_id.nullable and sales.primary_key == ["SaleID"]
    assert invoice.nullable and sold_at.default == "SYSDATETIME()"
    assert sales.unique_keys == [["InvoiceNo"]]
    fks = {(tuple(f.columns), f.ref_table, tuple(f.ref_columns), f.name) for f in sales.foreign_keys}
    assert fks == {
        (("ItemKey",), "dimension.stock item", ("Stock Item Key",), None),
        (("SaleID",), "dbo.sales", ("SaleID",), "FK_Sales_Self"),
    }
    view = found.tables["dbo.v sales"]
    assert view.kind == "view" and [c.name for c in view.columns] == ["Sale ID", "InvoiceNo"]
    proc = next(o for o in found.objects if o.kind == "procedure")
    assert (proc.schema, proc.name, proc.file, proc.line) == ("Integration", "Load Sales", "all.sql", 26)
    assert proc.sql.startswith("CREATE OR ALTER PROCEDURE") and "COMMIT;" in proc.sql
    assert any("sequence Sequences.StockItemKey ignored" in n for n in found.notes)


def test_ssdt_folder_with_bom_utf16_and_names_with_spaces(tmp_path):
    table = (
        "CREATE TABLE [Fact].[Stock Holding] (\n    [Stock Holding Key] BIGINT IDENTITY (1, 1) NOT NULL,\n"
        "    [Quantity On Hand] INT NOT NULL\n);\n"
    )
    _write(tmp_path / "Fact" / "Tables" / "Stock Holding.sql", table, bom=codecs.BOM_UTF8)
    proc = (
        "\nCREATE PROCEDURE Integration.[Load Holdings]\nAS\nBEGIN\n    TRUNCATE TABLE [Fact].[Stock Holding];\nEND;\n"
    )
    _write(tmp_path / "Integration" / "Stored Procedures" / "Load Holdings.sql", proc, "utf-16-le", codecs.BOM_UTF16_LE)
    _write(tmp_path / "bin" / "Debug" / "model.sql", "garbage that is never read")  # build output
    found = read_inputs(tmp_path)
    assert found.problems == []
    assert {o.fqn: (o.file, o.line) for o in found.objects} == {
        "fact.stock holding": ("Fact/Tables/Stock Holding.sql", 1),
        "integration.load holdings": ("Integration/Stored Procedures/Load Holdings.sql", 2),
    }
    assert [c.type for c in found.tables["fact.stock holding"].columns] == ["bigint", "int"]


def test_malformed_batches_are_reported_with_file_and_line_and_the_rest_is_read(tmp_path):
    _write(
        tmp_path / "broken.sql",
        "CREATE TABLE dbo.Good (a INT NOT NULL);\nGO\n"
        "CREATE PROCEDURE dbo.NoEnd\nAS\nBEGIN\n    UPDATE dbo.Good SET a = 1;\n"  # line 3: BEGIN at line 5
        "GO\n"
        "SELEC * FRM nothing;\nGO\n"  # line 8: unknown syntax
        "CREATE PROCEDURE dbo.Quote AS BEGIN SELECT 'never closed; END\n",  # line 10: unterminated string
    )
    _write(tmp_path / "table_unclosed.sql", "\n\nCREATE TABLE dbo.Half (\n    a INT,\n    b INT\n")
    _write(tmp_path / "ok.sql", "CREATE PROCEDURE dbo.Fine AS BEGIN DELETE FROM dbo.Good; END\n")
    found = read_inputs(tmp_path)
    problems = {(p.file, p.line, p.object): p.message for p in found.problems}
    assert set(problems) == {
        ("broken.sql", 5, "dbo.noend"),
        ("broken.sql", 8, None),
        ("broken.sql", 10, "dbo.quote"),
        ("table_unclosed.sql", 3, "dbo.half"),
    }, problems
    assert "unterminated" in problems[("broken.sql", 5, "dbo.noend")]
    assert "unknown syntax" in problems[("broken.sql", 8, None)]
    assert {o.fqn for o in found.objects} == {"dbo.good", "dbo.fine"}


def test_an_object_defined_twice_keeps_the_first_and_says_where(tmp_path):
    _write(tmp_path / "a.sql", "CREATE TABLE dbo.T (a INT);\n")
    _write(tmp_path / "b.sql", "\nCREATE TABLE dbo.T (b INT);\n")
    found = read_inputs(tmp_path)
    assert [c.name for c in found.tables["dbo.t"].columns] == ["a"]
    assert [(p.file, p.line, p.object) for p in found.problems] == [("b.sql", 2, "dbo.t")]
    assert "first in a.sql:1" in found.problems[0].message


def test_sqlcmd_directives_and_temp_tables_of_a_deployment_script_are_read_past(tmp_path):
    _write(
        tmp_path / "Script.PostDeployment.sql",
        ":setvar Env prod\n:r .\\Seed\\Colors.sql\nGO\nCREATE TABLE #work (a INT);\nGO\n"
        "CREATE TABLE dbo.Kept (a INT NOT NULL);\n",
    )
    found = read_inputs(tmp_path)
    assert found.problems == []
    assert [(o.fqn, o.line) for o in found.objects] == [("dbo.kept", 6)]


def test_a_primary_key_after_the_last_column_without_a_comma_keys_its_own_column_list(tmp_path):
    # SSDT writes WWI's Dimension.Date this way: the constraint is a table constraint on [Date]
    (tmp_path / "Date.sql").write_text(
        "CREATE TABLE [Dimension].[Date] (\n    [Date] DATE NOT NULL\n  , [ISO Week Number] INT NOT NULL\n"
        "    CONSTRAINT [PK_Dimension_Date] PRIMARY KEY CLUSTERED ([Date] ASC)\n);\n",
        encoding="utf-8",
    )
    facts = read_inputs(tmp_path).tables["dimension.date"]
    assert facts.primary_key == ["Date"]
    assert [c.name for c in facts.columns] == ["Date", "ISO Week Number"]
