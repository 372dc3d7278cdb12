"""CLI commands for pause / restore / status: thin click wrappers over ``lifecycle.ops``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..lifecycle import readiness as core
from .options import emit_json, handle_errors, json_option, project_root_option, project_writer

GROUP_HELP = "GROUP is a dbt tag, e.g. dim_customer: one dimension or fact and its models."


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _lifecycle(project_root: Path):
    from ..lifecycle.ops import Lifecycle
    from ..project import Project

    return Lifecycle(Project(project_root))


def _missing_text(v: core.Verdict) -> str:
    parts = []
    for dep in v.missing:
        groups = v.provided_by.get(dep.name) if dep.kind == "ref" else None
        parts.append(
            dep.label + (f" [paused in group {', '.join(groups)}: `migrate restore {groups[0]}`]" if groups else "")
        )
    return escape(", ".join(parts))


def _verdict_table(verdicts: dict[str, core.Verdict], reasons: dict[str, str] | None = None) -> Table:
    table = Table(show_header=True, header_style="bold")
    table.add_column("model")
    table.add_column("readiness")
    table.add_column("missing / reason")
    if reasons:
        table.add_column("paused by migrate run")
    style = {core.READY: "green", core.BLOCKED: "yellow", core.INVESTIGATE: "red"}
    label = {core.READY: "ready", core.BLOCKED: "still blocked", core.INVESTIGATE: "needs investigation"}
    for name, v in sorted(verdicts.items()):
        why = escape(v.reason or "") if v.status == core.INVESTIGATE else _missing_text(v)
        cells = [name, f"[{style[v.status]}]{label[v.status]}[/]", why]
        table.add_row(*cells, *([escape(reasons.get(name, ""))] if reasons else []))
    return table


def register(group: click.Group) -> None:
    """Attach the lifecycle commands to the main group."""

    @group.command("pause")
    @click.argument("group_tag", metavar="GROUP")
    @project_root_option
    @json_option
    @handle_errors
    def pause(group_tag: str, project_root: Path, as_json: bool) -> None:
        """Pause GROUP's models whose refs or sources do not exist yet.

        Renames each to <model>.sql.skip (dbt ignores it), moves its YAML entries aside into
        <model>.yml.skip, and writes <dimensions_output>/GROUP/GROUP_MIGRATION_STATE.md.
        """
        lifecycle = _lifecycle(project_root)
        with project_writer(lifecycle.project):
            result = lifecycle.pause(group_tag)
        if as_json:
            emit_json(result.to_json())
            return
        con = _console()
        if not result.paused:
            con.print(
                f"[green]nothing to pause in '{group_tag}'[/]: every ref and source of its "
                f"{len(result.completed)} active model(s) resolves."
            )
        else:
            con.print(f"[bold]paused {len(result.paused)} model(s) of '{group_tag}':[/] " + ", ".join(result.paused))
        if result.verdicts:
            con.print(_verdict_table(result.verdicts))
        con.print(f"progress: {len(result.completed)} of {result.total} models")
        if result.state_document:
            con.print(f"state document: {result.state_document}")
        for w in result.warnings:
            con.print(f"[yellow]warning:[/] {escape(w)}")
        if result.paused:
            con.print(f"next: migrate the missing dependencies, then `migrate restore {group_tag} --dry-run`.")

    @group.command("restore")
    @click.argument("group_tag", metavar="GROUP")
    @click.option("--yes", "-y", is_flag=True, help="Do not ask before restoring.")
    @click.option("--dry-run", is_flag=True, help="Report readiness; change nothing.")
    @click.option("--build", "do_build", is_flag=True, help="Then compile, run and test tag:GROUP with dbt.")
    @click.option("--commit", is_flag=True, help="Commit models and state document on <branch_prefix>GROUP.")
    @click.option("--allow-dirty", is_flag=True, help="With --commit: allow other uncommitted changes.")
    @project_root_option
    @json_option
    @handle_errors
    def restore(
        group_tag: str,
        yes: bool,
        dry_run: bool,
        do_build: bool,
        commit: bool,
        allow_dirty: bool,
        project_root: Path,
        as_json: bool,
    ) -> None:
        """Restore GROUP's paused models whose dependencies now exist.

        Reads the state document (or the group's .skip files), checks every ref and source with
        dbt's parser and static extractor, renames ready models back to .sql, verifies the project
        parses (re-skipping only culprits), and appends to the state document's restart log.
        """
        con = _console()

        def confirm(report) -> bool:
            if yes or as_json:
                return True
            con.print(_verdict_table(report.verdicts))
            return click.confirm(
                f"restore {len(report.ready)} model(s) of '{group_tag}': {', '.join(report.ready)}?", default=True
            )

        lifecycle = _lifecycle(project_root)
        with contextlib.nullcontext() if dry_run else project_writer(lifecycle.project):
            report = lifecycle.restore(
                group_tag, dry_run=dry_run, build=do_build, commit=commit, allow_dirty=allow_dirty, confirm=confirm
            )
        if as_json:
            emit_json(report.to_json())
            return
        if report.source == "nothing":
            con.print(
                f"nothing to restore for '{group_tag}': no state document at {report.doc_path} "
                f"and no .sql.skip files of that group."
            )
            con.print(
                "next: `migrate status` lists groups in progress; `migrate pause "
                f"{group_tag}` pauses the group's models whose dependencies are missing."
            )
            return
        if report.source != "state document":
            con.print(f"[yellow]no state document at {report.doc_path}[/]: working from the group's .skip files.")
        for w in report.warnings:
            con.print(f"[yellow]warning:[/] {escape(w)}")
        con.print(_verdict_table(report.verdicts) if report.verdicts else "no paused models.")
        if report.dry_run:
            con.print(
                f"dry run: nothing changed. {len(report.ready)} model(s) ready: {', '.join(report.ready) or 'none'}."
            )
            return
        con.print(
            f"[bold]{group_tag}: {report.status}[/], {report.completed} of {report.total} models ({report.percent}%)"
        )
        con.print(f"resumed: {', '.join(report.resumed) or 'none (nothing new is ready; no file changed)'}")
        for name, why in report.reskipped.items():
            con.print(f"[red]re-skipped[/] {name}: {escape(why)}")
        for name in report.still_paused:
            v = report.verdicts.get(name)
            why = (escape(v.reason or "") or _missing_text(v)) if v is not None else ""
            con.print(f"still paused: {name}: " + (why or "re-skipped"))
        if report.build:
            b = report.build
            con.print(
                f"build tag:{group_tag}: tests passed {b['tests']['passed']}, failed {b['tests']['failed']}"
                + (f" ({', '.join(b['tests']['failed_names'])})" if b["tests"]["failed_names"] else "")
            )
        if report.commit:
            con.print(f"committed {report.commit[:12]} on the group's branch")
        if report.resumed:
            con.print(f"state document: {report.doc_path}")

    @group.command("status")
    @click.argument("group_tag", metavar="[GROUP]", required=False)
    @project_root_option
    @json_option
    @handle_errors
    def status(group_tag: str | None, project_root: Path, as_json: bool) -> None:
        """Progress per group: complete, paused (ready, blocked: waiting for what, to investigate),
        and the last run's ok and failed items (why), from the project itself.

        Reads dbt's saved manifest when no file changed since it was written (about a second on
        5,000 models); otherwise dbt parses the project first."""
        rows = _lifecycle(project_root).status(group_tag)
        if as_json:
            emit_json([r.to_json() for r in rows])
            return
        con = _console()
        if not rows:
            con.print(
                "no groups in progress (no .sql.skip files, no state documents). "
                "Pause a group with `migrate pause GROUP`."
            )
            return
        for r in rows:
            done = len(r.complete)
            pct = round(100 * done / r.total) if r.total else 100
            ready, blocked, investigate = (r.named(s) for s in (core.READY, core.BLOCKED, core.INVESTIGATE))
            con.print(
                f"[bold]{r.group}[/]: {done} of {r.total} complete ({pct}%), "
                f"{len(r.paused)} paused ({len(ready)} ready, {len(blocked)} blocked, "
                f"{len(investigate)} to investigate)"
                + (f"; last run: {len(r.ok)} ok, {len(r.failed)} failed" if r.ok or r.failed else "")
            )
            if r.verdicts:
                con.print(_verdict_table(r.verdicts, r.reasons))
            for name, why in sorted(r.failed.items()):
                con.print(f"[red]failed[/] {name}: {escape(why)}")
            if ready:
                con.print(f"next: `migrate restore {r.group}`")
