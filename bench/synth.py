"""Synthesize a migration project of N tables from four loader templates, with test specs.

Each table i gets its own bronze source and silver target (distinct names). Expected rows are
computed here from the template's T-SQL semantics on three given rows, so every synthesized model
has a ground-truth unit test. Used by bench/bench_run.py and the batch tests.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

ROWS = [
    {"Id": 1, "Name": " alpha ", "Amount": 150.00, "Category": "A", "UpdatedAt": "2024-01-01 10:00:00"},
    {"Id": 2, "Name": "beta", "Amount": 50.00, "Category": None, "UpdatedAt": "2024-01-02 11:00:00"},
    {"Id": 3, "Name": "gamma", "Amount": -5.00, "Category": "A", "UpdatedAt": "2024-01-03 12:00:00"},
]
SOURCE_COLUMNS = [
    ("Id", "INT", False),
    ("Name", "NVARCHAR(50)", False),
    ("Amount", "DECIMAL(10,2)", False),
    ("Category", "NVARCHAR(10)", True),
    ("UpdatedAt", "DATETIME", False),
]


def _dim_scd1(i: int) -> dict:
    t = f"DimThing{i}"
    merge = (
        f"MERGE silver.{t} AS tgt USING (SELECT CAST(s.Id AS NVARCHAR(20)) AS ThingCode, "
        f"UPPER(LTRIM(RTRIM(s.Name))) AS Name, ISNULL(s.Category, 'NA') AS Category, s.UpdatedAt "
        f"FROM bronze.Src{i} AS s) AS src ON tgt.ThingCode = src.ThingCode "
        f"WHEN MATCHED THEN UPDATE SET tgt.Name = src.Name, tgt.Category = src.Category, tgt.UpdatedAt = src.UpdatedAt "
        f"WHEN NOT MATCHED BY TARGET THEN INSERT (ThingCode, Name, Category, UpdatedAt) "
        f"VALUES (src.ThingCode, src.Name, src.Category, src.UpdatedAt);"
    )
    expect = [
        {
            "ThingCode": str(r["Id"]),
            "Name": r["Name"].strip().upper(),
            "Category": r["Category"] or "NA",
            "UpdatedAt": r["UpdatedAt"],
        }
        for r in ROWS
    ]
    return {
        "table": t,
        "kind": "dim_scd1",
        "statements": [("Merge", merge)],
        "columns": [
            ("ThingCode", "NVARCHAR(20)"),
            ("Name", "NVARCHAR(50)"),
            ("Category", "NVARCHAR(10)"),
            ("UpdatedAt", "DATETIME"),
        ],
        "profile": {"natural_key": ["ThingCode"], "watermark": {"column": "UpdatedAt"}},
        "expect": expect,
    }


def _fact_transaction(i: int) -> dict:
    t = f"FactThing{i}"
    insert = (
        f"INSERT INTO silver.{t} (Id, Amount, DoubleAmount, UpdatedAt) "
        f"SELECT s.Id, s.Amount, s.Amount * 2, s.UpdatedAt FROM bronze.Src{i} AS s WHERE s.Amount > 0"
    )
    expect = [
        {"Id": r["Id"], "Amount": r["Amount"], "DoubleAmount": r["Amount"] * 2, "UpdatedAt": r["UpdatedAt"]}
        for r in ROWS
        if r["Amount"] > 0
    ]
    return {
        "table": t,
        "kind": "fact_transaction",
        "statements": [("Insert", insert)],
        "columns": [
            ("Id", "INT"),
            ("Amount", "DECIMAL(10,2)"),
            ("DoubleAmount", "DECIMAL(12,2)"),
            ("UpdatedAt", "DATETIME"),
        ],
        "profile": {"watermark": {"column": "UpdatedAt"}},
        "expect": expect,
    }


def _fact_aggregate(i: int) -> dict:
    t = f"FactThingDaily{i}"
    insert = (
        f"INSERT INTO silver.{t} (Category, RowCount, TotalAmount) "
        f"SELECT ISNULL(s.Category, 'NA'), COUNT(*), SUM(s.Amount) FROM bronze.Src{i} AS s "
        f"GROUP BY ISNULL(s.Category, 'NA')"
    )
    groups: dict[str, list] = {}
    for r in ROWS:
        groups.setdefault(r["Category"] or "NA", []).append(r)
    expect = [
        {"Category": k, "RowCount": len(v), "TotalAmount": float(sum(Decimal(str(x["Amount"])) for x in v))}
        for k, v in groups.items()
    ]
    return {
        "table": t,
        "kind": "fact_aggregate",
        "statements": [("TruncateTable", f"TRUNCATE TABLE silver.{t}"), ("Insert", insert)],
        "columns": [("Category", "NVARCHAR(10)"), ("RowCount", "INT"), ("TotalAmount", "DECIMAL(14,2)")],
        "profile": {},
        "expect": expect,
    }


def _dim_non_scd(i: int) -> dict:
    t = f"DimThingBand{i}"
    insert = (
        f"INSERT INTO silver.{t} (Id, Name, Band) SELECT s.Id, s.Name, "
        f"CASE WHEN s.Amount >= 100 THEN 'high' WHEN s.Amount >= 0 THEN 'low' ELSE 'refund' END "
        f"FROM bronze.Src{i} AS s"
    )
    band = lambda a: "high" if a >= 100 else ("low" if a >= 0 else "refund")  # noqa: E731
    expect = [{"Id": r["Id"], "Name": r["Name"], "Band": band(r["Amount"])} for r in ROWS]
    return {
        "table": t,
        "kind": "dim_non_scd",
        "statements": [("Insert", insert)],
        "columns": [("Id", "INT"), ("Name", "NVARCHAR(50)"), ("Band", "NVARCHAR(10)")],
        "profile": {"natural_key": ["Id"]},
        "expect": expect,
    }


TEMPLATES = [_dim_scd1, _fact_transaction, _fact_aggregate, _dim_non_scd]


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n" if not isinstance(data, str) else data)


def synthesize(root: Path, n: int) -> list[str]:
    """Write an N-table migration project at ``root``; returns the target table names."""
    tables_sql, procs_sql, targets = [], [], []
    for i in range(n):
        spec = TEMPLATES[i % len(TEMPLATES)](i)
        t, proc = spec["table"], f"usp_load_{spec['table']}"
        targets.append(f"silver.{t}")
        cols = ",\n".join(f"    [{c}] {ty} {'NULL' if nullable else 'NOT NULL'}" for c, ty, nullable in SOURCE_COLUMNS)
        tables_sql.append(f"CREATE TABLE [bronze].[Src{i}] (\n{cols}\n);\nGO\n")
        tcols = ",\n".join(f"    [{c}] {ty} NULL" for c, ty in spec["columns"])
        tables_sql.append(f"CREATE TABLE [silver].[{t}] (\n{tcols}\n);\nGO\n")
        body = "".join(f"    {sql.rstrip(';')};\n" for _, sql in spec["statements"])
        procs_sql.append(f"CREATE PROCEDURE [silver].[{proc}]\nAS\nBEGIN\n    SET NOCOUNT ON;\n{body}END;\nGO\n")
        _write(
            root / "catalog" / "procedures" / f"silver.{proc.lower()}.json",
            {
                "schema": "silver",
                "name": proc,
                "references": {
                    "tables": {
                        "in_scope": [
                            {
                                "schema": "bronze",
                                "name": f"Src{i}",
                                "is_selected": True,
                                "is_updated": False,
                                "columns": [{"name": c} for c, _, _ in SOURCE_COLUMNS],
                            },
                            {
                                "schema": "silver",
                                "name": t,
                                "is_selected": False,
                                "is_updated": True,
                                "columns": [{"name": c} for c, _ in spec["columns"]],
                            },
                        ]
                    }
                },
                "mode": "deterministic",
                "needs_llm": False,
                "routing_reasons": [],
                "statements": [
                    {"type": ty, "action": "migrate" if ty != "TruncateTable" else "skip", "sql": sql}
                    for ty, sql in spec["statements"]
                ],
            },
        )
        _write(
            root / "catalog" / "tables" / f"silver.{t.lower()}.json",
            {
                "schema": "silver",
                "name": t,
                "columns": [
                    {"name": c, "sql_type": ty, "is_nullable": True, "is_identity": False} for c, ty in spec["columns"]
                ],
                "primary_keys": [],
                "foreign_keys": [],
                "auto_increment_columns": [],
                "scoping": {"status": "resolved", "selected_writer": f"silver.{proc}"},
                "profile": {"classification": {"resolved_kind": spec["kind"]}, **spec["profile"]},
            },
        )
        _write(
            root / "test-specs" / f"silver.{t.lower()}.json",
            {
                "item_id": f"silver.{t.lower()}",
                "unit_tests": [
                    {
                        "name": f"test_{t.lower()}_loads_three_rows",
                        "given": [{"table": f"[bronze].[Src{i}]", "rows": ROWS}],
                        "expect": {"rows": spec["expect"]},
                    }
                ],
            },
        )
    _write(root / "manifest.json", {"technology": "sql_server", "dialect": "tsql"})
    _write(root / "ddl" / "tables.sql", "".join(tables_sql))
    _write(root / "ddl" / "procedures.sql", "".join(procs_sql))
    return targets


if __name__ == "__main__":
    import sys

    print("\n".join(synthesize(Path(sys.argv[1]), int(sys.argv[2]))))


def add_dependent(root: Path, upstream: str, name: str, schema: str = "silver") -> str:
    """Add a target ``<schema>.<name>`` whose loader reads the target ``silver.<upstream>`` (a ref)."""
    proc = f"usp_load_{name}"
    insert = (
        f"INSERT INTO {schema}.{name} (ThingCode, Name) SELECT d.ThingCode, d.Name "
        f"FROM silver.{upstream} AS d WHERE d.Category <> 'NA'"
    )
    _write(
        root / "catalog" / "procedures" / f"{schema}.{proc.lower()}.json",
        {
            "schema": schema,
            "name": proc,
            "references": {
                "tables": {
                    "in_scope": [
                        {
                            "schema": "silver",
                            "name": upstream,
                            "is_selected": True,
                            "is_updated": False,
                            "columns": [{"name": "ThingCode"}, {"name": "Name"}, {"name": "Category"}],
                        }
                    ]
                }
            },
            "statements": [{"type": "Insert", "action": "migrate", "sql": insert}],
        },
    )
    _write(
        root / "catalog" / "tables" / f"{schema}.{name.lower()}.json",
        {
            "schema": schema,
            "name": name,
            "columns": [
                {"name": "ThingCode", "sql_type": "NVARCHAR(20)"},
                {"name": "Name", "sql_type": "NVARCHAR(50)"},
            ],
            "scoping": {"status": "resolved", "selected_writer": f"{schema}.{proc}"},
            "profile": {"classification": {"resolved_kind": "dim_non_scd"}},
        },
    )
    given = [
        {"ThingCode": "1", "Name": "ALPHA", "Category": "A", "UpdatedAt": "2024-01-01 10:00:00"},
        {"ThingCode": "2", "Name": "BETA", "Category": "NA", "UpdatedAt": "2024-01-02 11:00:00"},
    ]
    _write(
        root / "test-specs" / f"{schema}.{name.lower()}.json",
        {
            "item_id": f"{schema}.{name.lower()}",
            "unit_tests": [
                {
                    "name": f"test_{name.lower()}_keeps_known_categories",
                    "given": [{"table": f"[silver].[{upstream}]", "rows": given}],
                    "expect": {"rows": [{"ThingCode": "1", "Name": "ALPHA"}]},
                }
            ],
        },
    )
    ddl = root / "ddl" / "tables.sql"
    ddl.write_text(
        ddl.read_text() + f"CREATE TABLE [{schema}].[{name}] (\n    [ThingCode] NVARCHAR(20) NULL,\n"
        f"    [Name] NVARCHAR(50) NULL\n);\nGO\n"
    )
    return f"{schema}.{name}"
