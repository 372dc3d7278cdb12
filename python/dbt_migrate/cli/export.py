"""`migrate export`: store migration contexts in the dbt project for dbt-only (dbt Cloud) use."""

from __future__ import annotations

import sys
from pathlib import Path

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
    """Attach `export` to the main group."""

    @group.command("export")
    @project_root_option
    @click.option("--all", "all_tables", is_flag=True, help="Every target table with a profile.")
    @click.option("--table", "tables", multiple=True, help="A target table (repeatable).")
    @click.option("--force", is_flag=True, help="Overwrite stored-context files edited since dbt-migrate wrote them.")
    @json_option
    @handle_errors
    def export(project_root: Path, all_tables: bool, tables: tuple[str, ...], force: bool, as_json: bool) -> None:
        """Store each table's render context and converted SQL in the dbt project.

        Writes analyses/dbt_migrate/dbt_migrate_context__<model>.sql and _dbt_migrate_context__<model>.yml
        (the context in the analysis's meta) and declares missing sources in
        models/staging/_dbt_migrate__sources.yml. Commit them: then
        `dbt run-operation dbt_migrate.generate_model --args '{table: silver.DimStore}'` prints the
        model with only dbt installed. Exit 0 every table stored, 1 some could not be.
        """
        from ..catalog import MigrationProject
        from ..errors import InputError
        from ..export import Exporter
        from ..lookup import resolve_table
        from ..order import dependency_order

        if not all_tables and not tables:
            raise InputError("give --all or at least one --table")
        project = open_project(project_root)
        with project_writer(project):
            mp = MigrationProject(project.root)
            selected = dependency_order(mp, mp.target_ids() if all_tables else [resolve_table(mp, t) for t in tables])
            out = Exporter(project, build=False, force=force).export(selected)
        if as_json:
            emit_json(
                {
                    "written": {t: [str(p) for p in paths] for t, paths in out.written.items()},
                    "sources_file": str(out.sources_file) if out.sources_file else None,
                    "failed": out.failed,
                }
            )
        else:
            for table, paths in out.written.items():
                for p in paths:
                    click.echo(f"wrote {p}  ({table})")
            if out.sources_file:
                click.echo(f"sources declared in {out.sources_file}")
            for table, why in out.failed.items():
                click.echo(f"not stored: {table}: {why}", err=True)
        sys.exit(EXIT_OK if not out.failed else EXIT_NOT_OK)
