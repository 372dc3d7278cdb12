"""`migrate discover`: catalogs from raw T-SQL, and the warehouse inventory (`--report`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .options import (
    EXIT_NOT_OK,
    EXIT_OK,
    emit_json,
    handle_errors,
    json_option,
    open_project,
    project_root_option,
    project_writer,
)


def register(group: click.Group) -> None:
    """Attach `discover` to the main group."""

    @group.command("discover")
    @project_root_option
    @click.option(
        "--from",
        "from_path",
        type=click.Path(exists=True, path_type=Path),
        default=None,
        help="What to read: an SSDT project, any folder of .sql files, or one GO-separated script "
        "[default: <project-root>/ddl].",
    )
    @click.option("--dry-run", is_flag=True, help="Print what would change, file by file; write nothing.")
    @click.option("--force", is_flag=True, help="Replace existing catalog files, edits included.")
    @click.option("--report", is_flag=True, help="Print the warehouse inventory (with --json: in the JSON).")
    @click.option(
        "--html",
        "html_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Also write the inventory as an HTML page to this file (implies --report).",
    )
    @json_option
    @handle_errors
    def discover(
        project_root: Path,
        from_path: Path | None,
        dry_run: bool,
        force: bool,
        report: bool,
        html_path: Path | None,
        as_json: bool,
    ) -> None:
        """Write manifest.json and catalog/{tables,views,procedures}/*.json from raw T-SQL.

        Reads DDL and procedures (GO-separated scripts or one object per file, as SSDT writes them),
        infers each table's writer, classification, keys and watermark, and merges the result into
        the catalogs already there: fields a person or another tool wrote are kept, discover's own
        earlier fields are refreshed (--force replaces whole files). With --from, also writes
        ddl/tables.sql and ddl/procedures.sql. Exit 0 all read, 1 some objects could not be read
        (the rest is written), 2 bad arguments or IO.
        """
        from ..discover.html import render
        from ..discover.run import discover as run_discover

        project = open_project(project_root)
        wanted = report or bool(html_path)
        if dry_run:  # reads only: no lock, like the other commands' --dry-run
            result = run_discover(project.root, from_path, force=force, dry_run=True, report=wanted)
        else:
            with project_writer(project):
                result = run_discover(project.root, from_path, force=force, report=wanted)
        if html_path is not None and result.inventory is not None:
            from ..atomic import atomic_write

            atomic_write(html_path, render(result.inventory))
        if as_json:
            payload: dict[str, Any] = {
                "source": str(result.source),
                "written": result.written.to_dict(),
                "problems": [
                    {"file": p.file, "line": p.line, "object": p.object, "message": p.message} for p in result.problems
                ],
                "notes": result.discovered.notes,
                "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
            }
            if result.inventory is not None:
                payload["inventory"] = result.inventory
            if html_path is not None:
                payload["html"] = str(html_path)
            emit_json(payload)
        else:
            from .discover_console import print_discover

            print_discover(result, html_path)
        sys.exit(EXIT_NOT_OK if result.problems else EXIT_OK)
