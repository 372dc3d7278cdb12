"""Benchmark: `migrate run --all` against the per-model process baseline and the plain dbt floor.

    .venv/bin/python bench/bench_run.py                 # N = 20, 100, 500; baseline at N = 20
    .venv/bin/python bench/bench_run.py --sizes 20 --baseline 20
    .venv/bin/python bench/bench_run.py --sizes 500 --baseline 0 --jobs 1   # checks inline
    .venv/bin/python bench/bench_run.py --sizes 500 --unconvertible 10      # 10 % need an LLM

For each N it synthesizes N tables (bench/synth.py), runs `migrate init` and `migrate run --all
--json` as a subprocess, and prints wall time, time per model, dbt invocations, check workers and
the peak memory of the run (its own ru_maxrss, dbt runs in-process, plus each check worker at its
peak). For the baseline size it then runs, on the same finished project, a separate
`dbt compile --select m` and `dbt build --select m` process per model (what per-model tools do),
and for every size one plain `dbt build` of the finished models (the floor). Ratios are printed
side by side, with the marginal cost per model between sizes. Figures, not assertions: run it on
a quiet machine.

``--unconvertible P``: for each N, a second project of the same N tables where P % of them (type-1
dimensions) need an LLM and each has one dependent reading it: `migrate run --all` pauses the
dependents and builds the rest. Printed: dbt builds per iteration and the time per built model
against the all-passing run (the issue's bar: within 1.3x), in wall seconds and in CPU seconds of
the run's process (the steadier figure on a shared machine).
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
sys.path.insert(0, str(HERE))
from synth import add_dependent, synthesize  # noqa: E402

BIN = Path(sys.executable).parent


def cpu_children() -> float:
    """CPU seconds (user + system) of the processes this one has waited for."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    """Wall seconds and stdout of one process (its CPU seconds in ``timed.cpu``)."""
    t0, c0 = time.perf_counter(), cpu_children()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    timed.cpu = cpu_children() - c0  # type: ignore[attr-defined]
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, proc.stdout


def make_unconvertible(root: Path, n: int, percent: int) -> int:
    """Route ``percent`` % of the N tables (type-1 dimensions, every 4th table) to the LLM and give
    each a dependent; returns how many were routed."""
    count = n * percent // 100
    for k in range(count):
        i = 4 * k  # DimThing<i>: the dim_scd1 template
        proc = root / "catalog" / "procedures" / f"silver.usp_load_dimthing{i}.json"
        data = json.loads(proc.read_text())
        data.update(needs_llm=True, mode="llm_required", routing_reasons=["dynamic_sql_exec"])
        proc.write_text(json.dumps(data))
        add_dependent(root, f"DimThing{i}", f"DimThingCopy{i}")
    return count


def run_size(
    n: int, baseline: bool, workdir: Path, jobs: int | None = None, unconvertible: int = 0, floor: bool = True
) -> dict:
    root = workdir / (f"n{n}" + (f"u{unconvertible}" if unconvertible else ""))
    synthesize(root, n)
    routed = make_unconvertible(root, n, unconvertible) if unconvertible else 0
    subprocess.run([str(BIN / "migrate"), "init", "--project-root", str(root)], check=True, capture_output=True)
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    wall, out = timed([str(BIN / "migrate"), "run", "--all", "--json", *jobs_args, "--project-root", str(root)], root)
    doc = json.loads(out)
    s = doc["summary"]
    res = {
        "n": n,
        "wall": wall,
        "cpu": timed.cpu,  # type: ignore[attr-defined]
        "per_model": wall / n,
        "peak_mib": s.get("peak_memory_total_mib", s["peak_memory_mib"]),
        "ok": s["counts"]["ok"],
        "paused": s["counts"].get("paused", 0),
        "routed": routed,
        "builds": s["dbt_invocations_by_command"].get("build", 0),
        "invocations": s["dbt_invocations"],
        "stages": s["stage_time_s"],
        "workers": s.get("check_workers", 0),
    }
    dbt_dir = root / "dbt"
    res["floor"] = timed([str(BIN / "dbt"), "build", "--quiet"], dbt_dir)[0] if floor else float("nan")
    if baseline:
        models = [r["output"]["model_name"] for r in doc["results"] if r["output"].get("model_name")]
        t0 = time.perf_counter()
        for m in models:
            subprocess.run([str(BIN / "dbt"), "compile", "--quiet", "--select", m], cwd=dbt_dir, capture_output=True)
            subprocess.run([str(BIN / "dbt"), "build", "--quiet", "--select", m], cwd=dbt_dir, capture_output=True)
        res["baseline_per_model"] = (time.perf_counter() - t0) / len(models)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20,100,500")
    ap.add_argument("--baseline", type=int, default=20, help="size at which to run the per-model baseline")
    ap.add_argument("--jobs", type=int, default=None, help="passed to `migrate run --jobs` (default: its own)")
    ap.add_argument("--unconvertible", type=int, default=0, metavar="P", help="also run with P %% unconvertible")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.unconvertible:
        return compare_unconvertible(sizes, args.unconvertible, args.jobs)
    with tempfile.TemporaryDirectory(prefix="dbt-migrate-bench-") as tmp:
        results = [run_size(n, n == args.baseline, Path(tmp), args.jobs) for n in sizes]
    print(
        f"{'N':>5} {'ok':>5} {'wall s':>8} {'s/model':>8} {'builds':>6} {'dbt inv':>7} {'workers':>7} "
        f"{'peak MiB':>8} {'floor s':>8} {'ours/floor':>10}"
    )
    for r in results:
        print(
            f"{r['n']:>5} {r['ok']:>5} {r['wall']:>8.1f} {r['per_model']:>8.3f} {r['builds']:>6} "
            f"{r['invocations']:>7} {r['workers']:>7} {r['peak_mib']:>8} {r['floor']:>8.1f} "
            f"{r['wall'] / r['floor']:>10.2f}"
        )
    base = next((r["baseline_per_model"] for r in results if "baseline_per_model" in r), None)
    if base is not None:
        at = next(r["n"] for r in results if "baseline_per_model" in r)
        print(f"\nper-model baseline at N={at}: {base:.2f} s/model (dbt compile + dbt build process per model)")
        print(f"{'N':>5} {'ours s/model':>12} {'cheaper':>8} {'floor s/model':>13} {'floor cheaper':>13}")
        for o in results:
            print(
                f"{o['n']:>5} {o['per_model']:>12.3f} {base / o['per_model']:>7.1f}x "
                f"{o['floor'] / o['n']:>13.3f} {base / (o['floor'] / o['n']):>12.1f}x"
            )
        # Average cost per model still carries the fixed start-up (imports, first parse) at small N;
        # the marginal cost between sizes is what each further model adds.
        for a, b in zip(results, results[1:]):
            marginal = (b["wall"] - a["wall"]) / (b["n"] - a["n"])
            if marginal > 0:
                print(f"  marginal N={a['n']}->{b['n']}: {marginal:.3f} s/model -> {base / marginal:.1f}x cheaper")
    print("\nstage times (s):")
    for r in results:
        print(f"  N={r['n']:>4}: " + ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items()))


def compare_unconvertible(sizes: list[int], percent: int, jobs: int | None) -> None:
    head = f"{'N':>5} {'run':>14} {'ok':>5} {'paused':>6} {'builds':>6} {'wall s':>8}"
    print(head + f" {'s/built model':>13} {'ratio':>6} {'CPU s':>7} {'CPU s/built':>11} {'ratio':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="dbt-migrate-bench-") as tmp:
            passing = run_size(n, False, Path(tmp), jobs, floor=False)
            mixed = run_size(n, False, Path(tmp), jobs, unconvertible=percent, floor=False)
        base, base_cpu = passing["wall"] / passing["ok"], passing["cpu"] / passing["ok"]
        for label, r in (("all passing", passing), (f"{percent}% unconv.", mixed)):
            per, cpu = r["wall"] / r["ok"], r["cpu"] / r["ok"]
            print(
                f"{n:>5} {label:>14} {r['ok']:>5} {r['paused']:>6} {r['builds']:>6} {r['wall']:>8.1f} "
                f"{per:>13.3f} {per / base:>6.2f} {r['cpu']:>7.1f} {cpu:>11.3f} {cpu / base_cpu:>6.2f}"
            )
        for label, r in (("all passing", passing), (f"{percent}% unconvertible", mixed)):
            print(f"  stages ({label}): " + ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items()))


if __name__ == "__main__":
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    main()
