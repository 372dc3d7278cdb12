"""Check time per model: structural (must stay under 50 ms), data and load rounds, on a generated project.

    python bench/bench_check.py                      # copies the fixture corpus and generates it first
    python bench/bench_check.py --project-root DIR   # a project whose models are already generated

Each model is checked once to warm up, then ``--repeat`` times; the median is printed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "bench"))

from dbt_migrate.catalog import MigrationProject  # noqa: E402
from dbt_migrate.context import build_context  # noqa: E402
from dbt_migrate.equivalence import check_written  # noqa: E402
from dbt_migrate.project import Project  # noqa: E402
from dbt_migrate.warehouse import Warehouse  # noqa: E402

LIMIT_MS = 50.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project-root", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = None
    root = args.project_root
    if root is None:
        from mutation_suite import prepare

        tmp = tempfile.mkdtemp(prefix="bench_check_")
        root = prepare(Path(tmp))
    project = Project(root)
    wh = Warehouse(MigrationProject(root))
    print(f"{'table':40} {'verdict':10} {'structural ms':>14} {'data ms':>9} {'rounds ms':>10} {'check ms':>9}")
    worst = 0.0
    rows, whole = [], []
    for t in wh.project.targets:
        try:
            ctx = build_context(wh, f"{t.schema_}.{t.name}")
        except Exception:
            continue
        if ctx.needs_llm:
            continue
        check_written(wh, ctx, project.dbt_dir)  # warm-up
        t0 = time.perf_counter()
        full = check_written(wh, ctx, project.dbt_dir)  # the data and rounds timings
        whole.append((time.perf_counter() - t0) * 1000)
        if "structural" not in full.timings_ms:
            continue
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            check_written(wh, ctx, project.dbt_dir, run_data=False)
            times.append((time.perf_counter() - t0) * 1000)
        ms = statistics.median(times)
        worst = max(worst, ms)
        rows.append(ms)
        timing = full.timings_ms
        print(
            f"{ctx.table:40} {full.verdict:10} {ms:14.1f} {timing.get('data', 0):9.1f} "
            f"{timing.get('rounds', 0):10.1f} {whole[-1]:9.1f}"
        )
    print(
        f"structural check: median {statistics.median(rows):.1f} ms, max {worst:.1f} ms per model "
        f"over {len(rows)} models (limit {LIMIT_MS:.0f} ms)"
    )
    print(
        f"whole check (structural + data + rounds): median {statistics.median(whole):.1f} ms, "
        f"max {max(whole):.1f} ms per model"
    )
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if worst < LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
