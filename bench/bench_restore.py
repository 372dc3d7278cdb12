"""Benchmark: readiness of 500 paused models in a 5,000-model dbt project (target: under 2 s).

Builds the synthetic project in a temporary directory, parses it once with dbt (in-process,
timed separately: that is dbt's cost, paid once), then times what `migrate restore` adds on top:
reading the 500 `.sql.skip` files with dbt's static extractor, indexing the manifest, and the
transitive readiness walk. Usage: python bench/bench_restore.py [--models 5000] [--paused 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from dbt_migrate.lifecycle import readiness as core
from dbt_migrate.lifecycle.ops import Lifecycle
from dbt_migrate.project import Project

GROUPS = 50


def build(root: Path, models: int, paused: int) -> None:
    dbt = root / "dbt"
    (dbt / "models").mkdir(parents=True)
    (dbt / "dbt_project.yml").write_text('name: bench\nversion: "1.0"\nconfig-version: 2\nprofile: bench\n')
    (dbt / "profiles.yml").write_text(
        f"bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {root / 'b.duckdb'}\n"
    )
    (dbt / "models/sources.yml").write_text(
        "version: 2\nsources:\n  - name: erp\n    tables:\n" + "".join(f"      - name: t{i}\n" for i in range(50))
    )
    active = models - paused
    for i in range(active):
        group = f"dim_g{i % GROUPS}"
        dep = f"{{{{ ref('m{i - 1}') }}}}" if i else "{{ source('erp', 't0') }}"
        (dbt / f"models/m{i}.sql").write_text(f"{{{{ config(tags=['{group}']) }}}}\nselect * from {dep}\n")
    for j in range(paused):
        i = active + j
        group = f"dim_g{j % GROUPS}"
        refs = [f"ref('m{(j * 7) % active}')", f"source('erp', 't{j % 50}')"]
        if j % 5 == 1:
            refs.append(f"ref('m{i - 1}')")  # waits on another paused model (transitive)
        if j % 10 == 3:
            refs.append(f"ref('not_migrated_{j}')")  # still blocked
        body = ", ".join("{{ " + r + " }}" for r in refs)
        (dbt / f"models/m{i}.sql.skip").write_text(f"{{{{ config(tags=['{group}']) }}}}\nselect * from {body}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=5000)
    ap.add_argument("--paused", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-restore-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        build(root, args.models, args.paused)
        t1 = time.perf_counter()
        lc = Lifecycle(Project(root))
        parsed = lc.parse()  # dbt, once
        t2 = time.perf_counter()
        docs = lc._documents()
        paused = lc.paused_models(docs)  # dbt-extractor over every .skip file
        counts = {core.READY: 0, core.BLOCKED: 0, core.INVESTIGATE: 0}
        for g in sorted({g for m in paused for g in m.groups}):
            for v in lc.view(g, parsed, paused, docs).verdicts.values():
                counts[v.status] += 1
        t3 = time.perf_counter()
    print(f"project: {args.models} models, {len(paused)} paused in {GROUPS} groups (written in {t1 - t0:.1f} s)")
    print(f"dbt parse (once, in-process): {t2 - t1:.1f} s")
    print(
        f"readiness for all {len(paused)} paused models: {t3 - t2:.3f} s "
        f"({counts[core.READY]} ready, {counts[core.BLOCKED]} blocked, {counts[core.INVESTIGATE]} to investigate)"
    )
    print("PASS" if t3 - t2 < 2.0 else "FAIL", "(target: under 2 s)")


if __name__ == "__main__":
    main()
