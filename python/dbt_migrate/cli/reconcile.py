"""`migrate reconcile`: the parallel run of reconcile.yml, its matrix, JSON and HTML report."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import EXIT_NOT_OK, EXIT_OK, emit_json, handle_errors, json_option, project_writer

if TYPE_CHECKING:
    from ..project import Project
    from ..reconcile.result import ReconcileRun, TableRoundResult


def cell_text(cell: TableRoundResult) -> str:
    """One matrix cell: ``match``, ``n only in legacy / m only in model``, or what went wrong."""
    if cell.status == "match":
        passed = any(r.passed_by_threshold for r in cell.reports)
        return "match (within thresholds)" if passed else "match"
    if cell.status == "error":
        return f"error: {cell.error or 'see the report'}"
    if cell.only_in_legacy or cell.only_in_model:
        return f"{cell.only_in_legacy} only in legacy / {cell.only_in_model} only in model"
    failing = [r for r in cell.reports if r.status != "match"]
    return "; ".join(f"{r.type}: {r.message}" for r in failing) or "mismatch"


def print_matrix(run: ReconcileRun) -> None:
    from rich.markup import escape
    from rich.table import Table

    from .console import console

    table = Table(title=f"reconcile: {run.summary.match}/{run.summary.cells} table-rounds match")
    table.add_column("table")
    for rnd in run.rounds:
        table.add_column(f"{rnd.index} {rnd.name}")
    colours = {"match": "green", "mismatch": "red", "error": "yellow"}
    for name in run.table_order():
        row = [escape(name)]
        for rnd in run.rounds:
            cell = rnd.cell(name)
            row.append("-" if cell is None else f"[{colours[cell.status]}]{escape(cell_text(cell))}[/]")
        table.add_row(*row)
    console.print(table)
    for rnd in run.rounds:
        if not rnd.build.ok:
            console.print(
                f"round {rnd.index} {escape(rnd.name)}: dbt build failed: {escape('; '.join(rnd.build.errors[:3]))}"
            )
        for cell in rnd.tables:
            for report in cell.reports:
                if report.status == "match" and not report.passed_by_threshold:
                    continue
                console.print(f"round {rnd.index} {escape(cell.table)} {report.type}: {escape(report.message)}")
                for col in report.columns:
                    if col.mismatches and col.example:
                        shown = f"{col.column}: {col.mismatches} of {col.compared}, e.g. {col.example}"
                        console.print(f"    {escape(shown)}")
                for side, rows in (("legacy", report.examples_legacy), ("model", report.examples_model)):
                    for example in rows[:2]:
                        console.print(f"    {side}: {escape(str(example))}")


def write_html_report(run: ReconcileRun, project: Project, path: Path | None) -> Path | None:
    """The HTML report (``reconcile.html.write_html``, when this build has it) and its stable copy
    ``reconcile-report.html``; records the path in the run's result document."""
    try:
        from ..reconcile.html import write_html  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    from .. import layout
    from ..reconcile.runner import write_result

    target = path or layout.reconcile_html(project.root, run.run_id)
    written = Path(write_html(run, target))
    if path is None:
        shutil.copyfile(written, layout.reconcile_latest_html(project.root))
    run.html_report = str(written)
    write_result(run, project)
    return written


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--project-root",
        "--project",
        "project_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Migration project root (holds reconcile.yml, catalog/, the dbt project).",
    )
    @click.option(
        "--dbt-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The dbt project [default: $DBT_PROJECT_PATH or <root>/dbt].",
    )
    @click.option("--plan", "plan_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="The plan [default: <root>/reconcile.yml].")  # fmt: skip
    @click.option("--round", "start_round", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Compare from this round on; earlier rounds are replayed (loaded and built) first.")  # fmt: skip
    @click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write the HTML report here [default: .migration-runs/reconcile/<run_id>.html].")  # fmt: skip
    @click.option("--no-html", is_flag=True, help="Write no HTML report.")
    @json_option
    @handle_errors
    def reconcile(
        project_root: Path,
        dbt_dir: Path | None,
        plan_path: Path | None,
        start_round: int,
        html_path: Path | None,
        no_html: bool,
        as_json: bool,
    ) -> None:
        """Parallel run: load each round of reconcile.yml, dbt build, compare every model with its legacy table.

        Per round: the sources' rows and the legacy tables' exports are loaded (one transaction),
        the migrated models are built as production would (incremental state carried over, no full
        refresh), and each table is compared with its legacy table in the warehouse (schema, row,
        data, aggregate reports). Prints a matrix of tables x rounds; writes
        .migration-runs/reconcile/<run_id>.json and the HTML report. Exit 0 when every table-round
        matches, 1 on differences, 2 on a bad plan (nothing loaded), 3 when another writing command
        holds the project.
        """
        from ..errors import InputError
        from ..project import Project
        from ..reconcile import run_reconcile
        from .console import Progress, console

        if not project_root.is_dir():
            raise InputError(f"--project-root {project_root}: no such folder")
        project = Project(project_root, dbt_dir=dbt_dir)
        # It drops and rebuilds the models and loads the sources: one writing command at a time.
        with project_writer(project), Progress(enabled=not as_json) as progress:
            run = run_reconcile(project, plan_path, start_round=start_round, progress=progress.stage)
            html = None if no_html else write_html_report(run, project, html_path)
        if as_json:
            emit_json(run.model_dump(mode="json"))
        else:
            print_matrix(run)
            if html is not None:
                console.print(f"HTML report: {html}")
        sys.exit(EXIT_OK if run.summary.ok else EXIT_NOT_OK)
