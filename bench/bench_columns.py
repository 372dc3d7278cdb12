"""Context building and conversion time against the number of columns of one table (figures, not assertions).

One synthetic target with N columns (catalog, DDL of its source and target, an INSERT...SELECT
writer, a test spec with one given and one expected row carrying every column); times
``build_context`` and ``convert_context`` (no dbt). Linear cost shows as a flat "us/column".

    .venv/bin/python bench/bench_columns.py                 # 1k, 4k, 16k, 64k columns
    .venv/bin/python bench/bench_columns.py --sizes 1000,120000
    .venv/bin/python bench/bench_columns.py --sizes 4000 --profile   # cProfile's top functions
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests"))

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.convert import convert_context
from dbt_migrate.warehouse import DbtInfo, Warehouse
from helpers.migration import wide_table_project


def measure(n: int, profile: bool = False) -> tuple[float, float, float]:
    """Seconds for (warehouse, build_context, convert_context) of one table of ``n`` columns."""
    with tempfile.TemporaryDirectory() as tmp:
        root = wide_table_project(Path(tmp) / "wide", n)
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        t0 = time.perf_counter()
        wh = Warehouse(MigrationProject(root), DbtInfo())
        t1 = time.perf_counter()
        ctx = build_context(wh, "silver.Wide")
        t2 = time.perf_counter()
        conv = convert_context(ctx, wh)
        t3 = time.perf_counter()
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        if not conv.ok:
            raise SystemExit(f"{n} columns: not converted: {conv.error}: {conv.construct}")
    return t1 - t0, t2 - t1, t3 - t2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,16000,64000")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"{'columns':>8} {'warehouse s':>12} {'context s':>10} {'convert s':>10} {'total s':>8} {'us/column':>10}")
    for n in (int(s) for s in args.sizes.split(",")):
        wh_s, ctx_s, conv_s = measure(n, args.profile)
        total = wh_s + ctx_s + conv_s
        print(f"{n:>8} {wh_s:>12.2f} {ctx_s:>10.2f} {conv_s:>10.2f} {total:>8.2f} {total / n * 1e6:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
