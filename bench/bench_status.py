"""Benchmark: `migrate status` on a 5,000-model project with 500 paused models (target: under 2 s).

Builds bench_restore's synthetic project, adds an item index of 5,000 run outcomes (some failed),
lets dbt parse it once (that writes target/manifest.json, as every `migrate run` build does), then
times `migrate status --json` as a user runs it (a new process: imports included) and the status
computation in-process. Usage: python bench/bench_status.py [--models 5000] [--paused 500]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))
sys.path.insert(0, str(HERE))

from bench_restore import build  # noqa: E402
from dbt_migrate.dbt import DbtProject  # noqa: E402
from dbt_migrate.layout import item_index  # noqa: E402
from dbt_migrate.lifecycle.ops import Lifecycle  # noqa: E402
from dbt_migrate.project import Project  # noqa: E402


def write_item_index(root: Path, models: int) -> None:
    index = {
        f"silver.m{i}": {
            "model": f"m{i}",
            "status": "ok" if i % 50 else "partial",
            "reason": None if i % 50 else "blocked",
            "why": "" if i % 50 else f"blocked by silver.m{i - 1}",
            "run_id": "bench",
        }
        for i in range(models)
    }
    path = item_index(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(index))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=5000)
    ap.add_argument("--paused", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-status-") as tmp:
        root = Path(tmp)
        build(root, args.models, args.paused)
        write_item_index(root, args.models - args.paused)
        t0 = time.perf_counter()
        parsed = DbtProject(root / "dbt").parse()  # what a run's build leaves behind
        t1 = time.perf_counter()
        assert parsed.success, parsed.errors[:3]
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "python")}
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t2 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "dbt_migrate", "status", "--json", "--project-root", str(root)],
            capture_output=True,
            text=True,
            env=env,
        )
        t3 = time.perf_counter()
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        assert proc.returncode == 0, proc.stderr[-2000:]
        rows = json.loads(proc.stdout)
        t4 = time.perf_counter()
        Lifecycle(Project(root)).status()
        t5 = time.perf_counter()
    paused = sum(len(r["paused"]) for r in rows)
    ok = sum(len(r["ok"]) for r in rows)
    failed = sum(len(r["failed"]) for r in rows)
    print(f"project: {args.models} models, {paused} paused in {len(rows) - 1} groups")
    print(f"item index: {ok} ok, {failed} failed")
    print(f"dbt parse (once, as a run's build does): {t1 - t0:.1f} s")
    print(f"`migrate status --json` (new process, imports included): {t3 - t2:.2f} s wall, {cpu:.2f} s CPU")
    print(f"status computed in-process: {t5 - t4:.2f} s")
    print("PASS" if t3 - t2 < 2.0 else "FAIL", "(target: under 2 s)")


if __name__ == "__main__":
    main()
