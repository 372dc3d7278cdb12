"""Benchmark: `migrate reconcile` of N tables x R rounds against the R plain `dbt build`s it contains.

    .venv/bin/python bench/bench_reconcile.py                    # 20 tables x 6 rounds, 2000 rows/round
    .venv/bin/python bench/bench_reconcile.py --tables 20 --rounds 6 --rows 20000

Synthesizes the migration project and its rounds (bench/reconcile_synth.py: sources, legacy
tables computed from the T-SQL semantics, reconcile.yml), runs `migrate init` and `migrate run
--all` (set-up, not timed), keeps a copy of the warehouse, then, side by side in one run:

1. `migrate reconcile --json --no-html` as a subprocess: wall time, its builds' share (from the
   result's per-round build durations), peak memory (ru_maxrss of that process, dbt in-process);
2. on the copied warehouse, per round: the round's sources loaded with DuckDB (not timed), then
   one plain `dbt build` subprocess (timed). The sum is the floor a parallel run cannot beat.

Prints the ratio (target: within 1.5x) and the peak memories. Generating and loading run in
child processes of their own: a child's ru_maxrss starts from its parent's peak at fork, so this
process stays small for the figures to be the children's own. Figures, not assertions: run it on
a quiet machine (other processes on the 2 cores move the figures by tens of per cent).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from reconcile_synth import SOURCE_HEADER  # noqa: E402

BIN = Path(sys.executable).parent
# This checkout's code, whichever checkout the virtualenv was installed from.
ENV = {
    **{k: v for k, v in os.environ.items() if k != "DBT_PROJECT_PATH"},
    "PYTHONPATH": os.pathsep.join(p for p in (str(HERE.parent / "python"), os.environ.get("PYTHONPATH", "")) if p),
}
SOURCE_TYPES = {
    "Id": "INTEGER",
    "Name": "VARCHAR",
    "Amount": "DECIMAL(10,2)",
    "Category": "VARCHAR",
    "UpdatedAt": "TIMESTAMP",
}


def run(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB (of that process alone, from wait4) and stdout of one process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr[-3000:]}{stdout[-2000:]}")
    return wall, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in KiB on Linux


def load_round(db: Path, root: Path, round_no: int, n: int) -> None:
    import duckdb

    columns = "{" + ", ".join(f"'{c}': '{SOURCE_TYPES[c]}'" for c in SOURCE_HEADER) + "}"
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema if not exists bronze")
        for i in range(n):
            path = root / "reconcile" / str(round_no) / f"bronze.Src{i}.csv"
            con.execute(
                f"create or replace table bronze.Src{i} as "
                f"select * from read_csv('{path}', header = true, columns = {columns})"
            )
    finally:
        con.close()


def main() -> None:
    if sys.argv[1:2] == ["--load-round"]:  # a child process: keeps the measuring process small
        db, root, round_no, n = sys.argv[2:6]
        load_round(Path(db), Path(root), int(round_no), int(n))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--rows", type=int, default=2000, help="new rows per source per round")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project and print its path")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_reconcile_"))
    root = tmp / "project"
    env_cli = [str(BIN / "python"), "-m", "dbt_migrate"]
    try:
        t0 = time.perf_counter()
        py = str(BIN / "python")
        run([py, str(HERE / "reconcile_synth.py"), str(root), str(args.tables), str(args.rounds), str(args.rows)], tmp)
        run([*env_cli, "init"], root)
        run([*env_cli, "run", "--all", "--json"], root)
        dbt_dir = root / "dbt"
        db = dbt_dir / "warehouse.duckdb"
        pristine = tmp / "pristine.duckdb"
        shutil.copyfile(db, pristine)
        print(
            f"set-up: {args.tables} tables x {args.rounds} rounds, {args.rows} new rows per source per round "
            f"(+ a tenth re-sent from round 2), migrated in {time.perf_counter() - t0:.1f} s"
        )

        wall_rec, rss_rec, out = run([*env_cli, "reconcile", "--json", "--no-html"], root, ok=(0, 1))
        result = json.loads(out)
        builds_in_rec = sum(r["build"]["duration_s"] for r in result["rounds"])
        summary = result["summary"]

        shutil.copyfile(pristine, db)
        walls = []
        rss_dbt = 0.0
        for rnd in range(1, args.rounds + 1):
            run([py, __file__, "--load-round", str(db), str(root), str(rnd), str(args.tables)], tmp)
            wall, rss, _ = run([str(BIN / "dbt"), "build", "--profiles-dir", "."], dbt_dir)
            walls.append(wall)
            rss_dbt = max(rss_dbt, rss)
        floor = sum(walls)
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(
            f"migrate reconcile: {wall_rec:.1f} s wall ({summary['match']}/{summary['cells']} table-rounds match), "
            f"of which dbt builds {builds_in_rec:.1f} s, loading + comparing + parse {wall_rec - builds_in_rec:.1f} s"
        )
        print(f"{args.rounds} plain dbt builds: {floor:.1f} s wall ({', '.join(f'{w:.1f}' for w in walls)})")
        print(f"ratio reconcile / plain builds: {wall_rec / floor:.2f}x (target <= 1.5x)")
        print(
            f"stricter: reconcile / its own in-process builds {wall_rec / builds_in_rec:.2f}x "
            "(the plain builds also pay a process start and a parse each)"
        )
        print(
            f"peak memory (ru_maxrss): migrate reconcile {rss_rec:.0f} MiB; the largest plain dbt build "
            f"{rss_dbt:.0f} MiB; this script {self_rss:.0f} MiB"
        )
        if not summary["ok"]:
            print("note: not every table-round matched; the ratio includes the examples of the differences")
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
