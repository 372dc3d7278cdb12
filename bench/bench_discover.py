"""`migrate discover` on a generated warehouse: 2,000 procedures (and their tables) by default.

    python bench/bench_discover.py                    # 2,000 procedures, in a temp folder
    python bench/bench_discover.py --procedures 500 --layout ssdt --profile

The warehouse mixes the loader shapes a real one has: SCD2 dimension loaders (close-off UPDATE +
INSERT from staging, ETL lineage/cutoff bookkeeping), keyed MERGE upserts, TRUNCATE + INSERT
reloads and cutoff-filtered appends, each with its staging table and target table. ``--layout
script`` writes ``ddl/tables.sql`` + ``ddl/procedures.sql`` (GO-separated); ``ssdt`` one file per
object in folders. Prints the time of each stage (read, analyse, write) and the total, against the
30 s target; ``--profile`` prints the top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from dbt_migrate.discover.run import discover  # noqa: E402

TARGET_SECONDS = 30.0
SHAPES = ("scd2", "merge", "reload", "append")


def _tables(n: int, shape: str) -> tuple[str, str]:
    staging = f"""CREATE TABLE [Integration].[Thing{n}_Staging] (
    [Staging Key] BIGINT IDENTITY (1, 1) NOT NULL,
    [WWI Thing ID] INT NOT NULL,
    [Name] NVARCHAR (100) NOT NULL,
    [Amount] DECIMAL (18, 2) NOT NULL,
    [Email Address] NVARCHAR (256) NULL,
    [Valid From] DATETIME2 (7) NOT NULL,
    [Valid To] DATETIME2 (7) NOT NULL,
    CONSTRAINT [PK_Integration_Thing{n}_Staging] PRIMARY KEY NONCLUSTERED ([Staging Key] ASC)
);
"""
    schema = "Dimension" if shape in ("scd2", "merge") else "Fact"
    target = f"""CREATE TABLE [{schema}].[Thing {n}] (
    [Thing Key] INT CONSTRAINT [DF_Thing{n}] DEFAULT (NEXT VALUE FOR [Sequences].[ThingKey]) NOT NULL,
    [WWI Thing ID] INT NOT NULL,
    [Name] NVARCHAR (100) NOT NULL,
    [Amount] DECIMAL (18, 2) NOT NULL,
    [Email Address] NVARCHAR (256) NULL,
    [Valid From] DATETIME2 (7) NOT NULL,
    [Valid To] DATETIME2 (7) NOT NULL,
    [Lineage Key] INT NOT NULL,
    CONSTRAINT [PK_{schema}_Thing{n}] PRIMARY KEY CLUSTERED ([Thing Key] ASC) ON [PS_Date] ([Valid From]),
    CONSTRAINT [FK_{schema}_Thing{n}_Lineage] FOREIGN KEY ([Lineage Key])
        REFERENCES [Integration].[Lineage] ([Lineage Key])
);
"""
    return staging, target


def _procedure(n: int, shape: str) -> str:
    schema = "Dimension" if shape in ("scd2", "merge") else "Fact"
    target = f"[{schema}].[Thing {n}]"
    staging = f"Integration.Thing{n}_Staging"
    cols = "[WWI Thing ID], [Name], [Amount], [Email Address], [Valid From], [Valid To]"
    body = {
        "scd2": f"""    WITH RowsToCloseOff AS (
        SELECT t.[WWI Thing ID], MIN(t.[Valid From]) AS [Valid From]
        FROM {staging} AS t
        GROUP BY t.[WWI Thing ID]
    )
    UPDATE c
        SET c.[Valid To] = rtco.[Valid From]
    FROM {target} AS c
    INNER JOIN RowsToCloseOff AS rtco
    ON c.[WWI Thing ID] = rtco.[WWI Thing ID]
    WHERE c.[Valid To] = @EndOfTime;

    INSERT {target} ({cols}, [Lineage Key])
    SELECT {cols}, @LineageKey
    FROM {staging};""",
        "merge": f"""    MERGE {target} AS tgt
    USING {staging} AS src
    ON tgt.[WWI Thing ID] = src.[WWI Thing ID]
    WHEN MATCHED THEN UPDATE SET tgt.[Name] = src.[Name], tgt.[Amount] = src.[Amount]
    WHEN NOT MATCHED THEN INSERT ({cols}, [Lineage Key])
        VALUES (src.[WWI Thing ID], src.[Name], src.[Amount], src.[Email Address], src.[Valid From],
                src.[Valid To], @LineageKey);""",
        "reload": f"""    TRUNCATE TABLE {target};

    INSERT INTO {target} ({cols}, [Lineage Key])
    SELECT {cols}, @LineageKey FROM {staging};""",
        "append": f"""    INSERT INTO {target} ({cols}, [Lineage Key])
    SELECT s.[WWI Thing ID], s.[Name], s.[Amount], s.[Email Address], s.[Valid From], s.[Valid To], @LineageKey
    FROM {staging} AS s
    WHERE s.[Valid From] > (SELECT [Cutoff Time] FROM Integration.[ETL Cutoff] WHERE [Table Name] = N'Thing {n}');""",
    }[shape]
    return f"""CREATE PROCEDURE Integration.MigrateStagedThing{n}Data
WITH EXECUTE AS OWNER
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @EndOfTime datetime2(7) = '99991231 23:59:59.9999999';
    DECLARE @LineageKey int = (SELECT TOP(1) [Lineage Key]
                               FROM Integration.Lineage
                               WHERE [Table Name] = N'Thing {n}'
                               AND [Data Load Completed] IS NULL
                               ORDER BY [Lineage Key] DESC);

    BEGIN TRAN;

{body}

    UPDATE Integration.Lineage
        SET [Data Load Completed] = SYSDATETIME(),
            [Was Successful] = 1
    WHERE [Lineage Key] = @LineageKey;

    UPDATE Integration.[ETL Cutoff]
        SET [Cutoff Time] = (SELECT [Source System Cutoff Time]
                             FROM Integration.Lineage
                             WHERE [Lineage Key] = @LineageKey)
    FROM Integration.[ETL Cutoff]
    WHERE [Table Name] = N'Thing {n}';

    COMMIT;

    RETURN 0;
END;
"""


COMMON = (
    """CREATE TABLE [Integration].[Lineage] (
    [Lineage Key] INT NOT NULL,
    [Data Load Started] DATETIME2 (7) NOT NULL,
    [Table Name] [sysname] NOT NULL,
    [Data Load Completed] DATETIME2 (7) NULL,
    [Was Successful] BIT NOT NULL,
    [Source System Cutoff Time] DATETIME2 (7) NOT NULL,
    CONSTRAINT [PK_Integration_Lineage] PRIMARY KEY CLUSTERED ([Lineage Key] ASC)
);
""",
    """CREATE TABLE [Integration].[ETL Cutoff] (
    [Table Name] [sysname] NOT NULL,
    [Cutoff Time] DATETIME2 (7) NOT NULL,
    CONSTRAINT [PK_Integration_ETL_Cutoff] PRIMARY KEY CLUSTERED ([Table Name] ASC)
);
""",
)


def generate(root: Path, procedures: int, layout: str) -> None:
    tables = list(COMMON)
    procs = []
    for n in range(procedures):
        shape = SHAPES[n % len(SHAPES)]
        tables += _tables(n, shape)
        procs.append(_procedure(n, shape))
    if layout == "script":
        (root / "ddl").mkdir(parents=True)
        (root / "ddl" / "tables.sql").write_text("GO\n".join(tables) + "GO\n", encoding="utf-8")
        (root / "ddl" / "procedures.sql").write_text("GO\n".join(procs) + "GO\n", encoding="utf-8")
        return
    for i, text in enumerate(tables):
        path = root / "src" / "Tables" / f"table_{i:05}.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\ufeff" + text + "\n\nGO\n", encoding="utf-8")
    for i, text in enumerate(procs):
        path = root / "src" / "Stored Procedures" / f"MigrateStagedThing{i}Data.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\ufeff" + text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--procedures", type=int, default=2000)
    ap.add_argument("--layout", choices=("script", "ssdt"), default="script")
    ap.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_discover_") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate(root, args.procedures, args.layout)
        gen = time.perf_counter() - t0
        source = root / "src" if args.layout == "ssdt" else None
        profiler = cProfile.Profile() if args.profile else None
        t1, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = discover(root, source)
        if profiler:
            profiler.disable()
        total, cpu = time.perf_counter() - t1, time.process_time() - cpu
        found = result.discovered
        procs = len(found.procedures())
        print(f"generated {procs} procedures and {len(found.tables)} tables ({args.layout} layout) in {gen:.1f} s")
        for stage, seconds in result.seconds.items():
            print(f"  {stage:<8} {seconds:7.2f} s")
        print(f"  {'total':<8} {total:7.2f} s   ({1000 * total / max(procs, 1):.1f} ms per procedure)")
        print(f"  {'cpu':<8} {cpu:7.2f} s   (this process; wall time above includes waiting for a busy machine)")
        print(f"  files written: {result.written.count('created')}, problems: {len(result.problems)}")
        ok = total < TARGET_SECONDS
        verdict = "ok" if ok else "TOO SLOW"
        print(f"discover of {procs} procedures: {total:.1f} s, target {TARGET_SECONDS:.0f} s: {verdict}")
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
