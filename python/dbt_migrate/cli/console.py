"""Human output: rich progress and summary tables; stage lines when not a terminal; quiet with --json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

# Off a terminal (a log, a pipe, CI) nothing is cut to 80 columns: a table name or a message is
# greppable whole. On a terminal rich fits the window.
UNBOUNDED = 10_000
console = Console(stderr=False, width=None if sys.stdout.isatty() else UNBOUNDED)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else UNBOUNDED)


class Progress:
    """Per-stage progress bars on a terminal; elsewhere (a log, a pipe) one line as each stage
    starts; nothing at all when disabled (``--json``)."""

    def __init__(self, enabled: bool = True):
        self.lines = enabled and not sys.stderr.isatty()
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: RichProgress | None = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def stage(self, name: str) -> None:
        """A stage starts: a line on stderr off a terminal; on a terminal a bar that pulses until
        the stage counts its work, so the first seconds (dbt's parse) say what is happening."""
        if self.lines:
            print(f"dbt-migrate: {name}", file=sys.stderr, flush=True)
        if self._bar is None:
            return
        for task in self._bar.tasks:  # the stage before is over
            if task.total is None:
                self._bar.update(task.id, total=1, completed=1)
        if name not in self._tasks:
            self._tasks[name] = self._bar.add_task(name, total=None)

    def update(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=total)
        self._bar.update(self._tasks[stage], completed=done, total=total)


def print_init(report: Any) -> None:
    console.print(f"dbt project: [bold]{report.dbt_dir}[/bold]")
    for f in report.created:
        console.print(f"  created {f}")
    for f in report.kept:
        console.print(f"  kept    {f} (exists)")
    if report.deps_ran:
        console.print("  ran     dbt deps")
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}")


def print_run(doc: Any, path: Path) -> None:
    table = Table(title="dbt-migrate results")
    for col in ("table", "model", "materialized", "unit tests", "status"):
        table.add_column(col)
    for r in doc.results:
        out = r.output
        ut = out.execution.unit_tests
        status = "paused" if out.paused is not None else r.status
        colour = {"ok": "green", "partial": "yellow", "error": "red", "paused": "blue"}[status]
        table.add_row(
            escape(out.table_ref),
            out.model_name or "-",
            out.generated.model_sql.materialized or "-",
            f"{ut.passed}/{ut.total}",
            f"[{colour}]{status}[/{colour}]",
        )
    console.print(table)
    for r in doc.results:
        for e in r.errors + r.output.execution.dbt_errors:
            console.print(f"[red]{r.item_id}[/red]: {escape(e)}")
        for w in r.warnings:
            console.print(f"[yellow]{r.item_id}[/yellow]: {escape(w)}")
    for bad in doc.summary.get("project_errors", []):
        console.print(
            f"[red]{escape(bad['file'])}[/red] (not a migrated model; set aside during this run, "
            f"put back after it): dbt cannot parse it: {escape(bad['error'])}"
        )
    if doc.summary.get("restored"):
        console.print("restored (their dependencies exist now): " + ", ".join(doc.summary["restored"]))
    _print_files(doc)
    _print_summary(doc.summary)
    if doc.summary.get("counts", {}).get("paused"):
        console.print("paused models: `migrate status dbt_migrate`; they come back by `migrate restore dbt_migrate`.")
    console.print(f"result: {escape(str(path))}")


def _print_files(doc: Any) -> None:
    """The files each item wrote (model SQL, YAML, snapshot), as paths a person can open."""
    cwd = Path.cwd()
    for r in doc.results:
        for path in r.output.artifact_paths.values():
            p = Path(path)
            shown = p.relative_to(cwd) if p.is_relative_to(cwd) else p
            console.print(f"wrote {escape(str(shown))}")


def print_listing(rows: list[Any]) -> None:
    """`migrate ls`: one row per target table."""
    table = Table(title=f"{len(rows)} tables")
    for col in ("table", "classification", "writer", "model", "status"):
        table.add_column(col, no_wrap=col != "status", overflow="fold")
    for r in rows:
        table.add_row(*(escape(v) for v in (r.table, r.classification, r.writer, r.model, r.status)))
    console.print(table)


def _print_summary(summary: dict) -> None:
    if not summary:
        return
    table = Table(title="summary")
    for col in ("classification", "ok", "partial", "error", "paused"):
        table.add_column(col)
    for kind, c in sorted(summary.get("by_classification", {}).items()):
        table.add_row(kind, str(c["ok"]), str(c["partial"]), str(c["error"]), str(c.get("paused", 0)))
    console.print(table)
    units = summary.get("unit_tests", {})
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in summary.get("stage_time_s", {}).items())
    console.print(
        f"unit tests passed: {units.get('passed', 0)}/{units.get('total', 0)}; "
        f"time: {summary.get('wall_time_s', 0):.1f}s ({stages}); "
        f"dbt invocations: {summary.get('dbt_invocations', 0)}"
    )


def print_check(report: Any) -> None:
    """The equivalence report of `migrate check`: one line per check, then the verdict."""
    style = {"match": "green", "divergence": "yellow", "gap": "red"}
    table = Table(title=f"{report.table} -> {report.model}", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for c in report.checks:
        table.add_row(c.check, f"[{style[c.status]}]{c.status}[/]", escape(c.detail))
    console.print(table)
    console.print(f"verdict: [{style[report.verdict]}]{report.verdict}[/]")
