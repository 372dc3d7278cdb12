"""`migrate demo`: copy the embedded demo warehouse, init its dbt project, migrate every table, then
run its parallel run (``reconcile.yml``: three rounds against legacy tables) and write the HTML report."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from ..project import Project
    from ..reconcile.result import ReconcileRun

DEMO_PACKAGE_DIR = "demo_project"


def demo_source() -> Path:
    return Path(str(resources.files("dbt_migrate") / DEMO_PACKAGE_DIR))


def _fresh_dir(base: Path) -> Path:
    candidate, n = base / "dbt-migrate-demo", 2
    while candidate.exists():
        candidate = base / f"dbt-migrate-demo-{n}"
        n += 1
    return candidate


def copy_demo(target: Path | None) -> Path:
    dest = _fresh_dir(Path.cwd()) if target is None else target
    if dest.exists() and any(dest.iterdir()):
        raise InputError(f"--dir {dest}: exists and is not empty; give a new or empty folder")
    shutil.copytree(demo_source(), dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def run_demo(target: Path | None, as_json: bool = False) -> bool:
    from ..catalog import MigrationProject
    from ..init import init_project
    from ..order import dependency_order
    from ..pipeline import Pipeline, write_run
    from ..project import Project
    from .console import Progress, console, print_init, print_run

    root = copy_demo(target)
    project = Project(root, dbt_dir=root / "dbt")
    if not as_json:
        console.print(f"demo migration project copied to [bold]{root}[/bold]")
    report = init_project(project.dbt_dir)
    if not as_json:
        print_init(report)
    mp = MigrationProject(root)
    tables = dependency_order(mp, [t.id for t in mp.targets])
    with Progress(enabled=not as_json) as progress:
        doc = Pipeline(project, progress=progress.update).run(tables)
    path = write_run(project, doc)
    migrated = all(r.status == "ok" for r in doc.results)
    if not as_json:
        print_run(doc, path)
        console.print(
            f"models are in {project.dbt_dir / 'models' / 'staging'}; `cd {project.dbt_dir} && dbt build` rebuilds them"
        )
    run = reconcile_demo(project, as_json) if migrated else None
    if as_json:
        out = doc.model_dump(mode="json")
        out["reconcile"] = run.model_dump(mode="json") if run is not None else None
        print(json.dumps(out, indent=2))
    elif run is None:
        console.print("the parallel run (`migrate reconcile`) is skipped: not every table migrated")
    return migrated and run is not None and run.summary.ok


def reconcile_demo(project: Project, as_json: bool) -> ReconcileRun:
    """The demo's parallel run: every round of its ``reconcile.yml``, the matrix, the HTML report."""
    from ..reconcile import run_reconcile
    from .console import Progress, console
    from .reconcile import print_matrix, write_html_report

    with Progress(enabled=not as_json) as progress:
        run = run_reconcile(project, project.root / "reconcile.yml", progress=progress.stage)
    html = write_html_report(run, project, None)
    if not as_json:
        print_matrix(run)
        console.print(f"HTML report of the parallel run: [bold]{html}[/bold]")
    return run
