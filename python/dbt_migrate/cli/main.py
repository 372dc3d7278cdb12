"""Command line: thin click commands, exit codes, JSON or rich output. No logic lives here."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..escaping import UNSAFE_REASONS
from ..names import TableId
from ..profiles import ADAPTERS
from . import discover as discover_commands
from . import export as export_commands
from . import lifecycle as lifecycle_commands
from . import reconcile as reconcile_commands
from .options import (
    EXIT_INTERRUPTED,
    EXIT_IO,
    EXIT_NOT_OK,
    EXIT_OK,
    emit_json,
    handle_errors,
    json_option,
    open_project,
    pipeline_options,
    project_root_option,
    project_writer,
)

if TYPE_CHECKING:
    from ..project import Project


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dbt-migrate")
def main() -> None:
    """dbt-migrate: turn T-SQL stored procedures into dbt models with tests that prove them."""


@main.command()
@project_root_option
@click.option(
    "--adapter",
    type=click.Choice(ADAPTERS),
    default="duckdb",
    show_default=True,
    help="Adapter of the scaffolded profile (credentials read with env_var(); the models' SQL dialect follows it).",
)
@click.option(
    "--legacy-schema",
    default=None,
    help="Schema holding the legacy tables: generated YAML then carries dbt_migrate.equal_to_legacy tests "
    "(tag dbt_migrate_legacy) and the record_results on-run-end hook is added.",
)
@click.option("--record-results", is_flag=True, help="Add the dbt_migrate.record_results on-run-end hook.")
@json_option
@handle_errors
def init(project_root: Path, adapter: str, legacy_schema: str | None, record_results: bool, as_json: bool) -> None:
    """Create or complete the dbt project ($DBT_PROJECT_PATH or <root>/dbt).

    Writes dbt_project.yml, profiles.yml (DuckDB: a file inside the project; other adapters read
    their connection with env_var()), packages.yml installing the dbt_migrate package, and
    .gitignore, then runs `dbt deps`. Existing files are never overwritten; a second run changes
    nothing.
    """
    from ..init import init_project

    report = init_project(
        open_project(project_root).dbt_dir, adapter=adapter, legacy_schema=legacy_schema, record_results=record_results
    )
    if as_json:
        emit_json(
            {
                "dbt_project": str(report.dbt_dir),
                "created": report.created,
                "kept": report.kept,
                "deps_ran": report.deps_ran,
                "notes": report.notes,
            }
        )
        return
    from .console import print_init

    print_init(report)


@main.command()
@project_root_option
@click.option(
    "--table", "table", required=True, help="Target table, e.g. silver.DimStore (or its model name, dimstore)."
)
@handle_errors
def context(project_root: Path, table: str) -> None:
    """Print the context JSON for one table (what generation reads)."""
    from ..catalog import MigrationProject
    from ..context import build_context
    from ..warehouse import Warehouse

    project = open_project(project_root)
    mp = MigrationProject(project.root)
    mp.require_manifest()
    emit_json(build_context(Warehouse(mp, _dbt_info_if_any(project)), table).model_dump(mode="json"))


def _dbt_info_if_any(project: Project):
    """Declared sources and adapter from the dbt project when there is one; defaults otherwise."""
    from ..warehouse import DbtInfo

    if not (project.dbt_dir / "dbt_project.yml").is_file():
        return DbtInfo()
    from ..dbt import DbtProject, dbt_info

    parsed = DbtProject(project.dbt_dir).parse()
    return dbt_info(parsed.manifest) if parsed.success and parsed.manifest is not None else DbtInfo()


@main.command()
@project_root_option
@click.option("--table", "table", required=True, help="Target table the model replaces.")
@click.option("--model-sql-file", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--schema-yml-file", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Overwrite files edited since dbt-migrate wrote them.")
@json_option
@handle_errors
def write(
    project_root: Path, table: str, model_sql_file: Path, schema_yml_file: Path, force: bool, as_json: bool
) -> None:
    """Write a model's SQL and YAML into the dbt project.

    models/staging/<model>.sql and models/staging/_<model>.yml (YAML merged by model name);
    a snapshot goes to snapshots/. Files are written atomically.
    """
    from ..writer import write_model

    project = open_project(project_root)
    with project_writer(project):
        paths = write_model(project, table, model_sql_file, schema_yml_file, force=force)
    if as_json:
        emit_json({"written": [str(p) for p in paths]})
    else:
        for p in paths:
            click.echo(f"wrote {p}")


def _run_and_report(
    project_root: Path,
    select: Callable[[Project], list[TableId]],
    *,
    as_json: bool,
    no_build: bool,
    max_iterations: int,
    force: bool,
    accept_gaps: bool = False,
    llm_model: str | None = None,
    separate_compile: bool = True,
    jobs: int | None = None,
    models_dir: str | None = None,
    staging_wrappers: bool = False,
) -> None:
    """Run the pipeline on the tables ``select`` names, holding the project's lock; write and print
    the result document. Ctrl-C at any moment still writes it (``summary.interrupted``, exit 130)."""
    from .. import interrupts, layout

    if models_dir:  # read by layout.models_dir, here and in the check workers this process starts
        os.environ[layout.MODELS_DIR_ENV] = models_dir
    if staging_wrappers:  # read by warehouse.Warehouse.planned_wrappers
        from ..warehouse import STAGING_WRAPPERS_ENV

        os.environ[STAGING_WRAPPERS_ENV] = "1"

    started = time.perf_counter()
    with interrupts.session():
        project = open_project(project_root)
        with project_writer(project):
            tables: list[TableId] = []
            try:  # loading: an interrupt here still leaves a document naming the tables it knows
                # A Ctrl-C in the middle of an import would leave a half-initialised module behind
                # (and the document could not be written): imports finish, then it counts.
                mark = interrupts.received()
                with interrupts.deferred():
                    from .. import order  # noqa: F401 - used by ``select``
                    from ..llm.client import LlmConfig
                    from ..pipeline import Pipeline, write_run
                    from .console import Progress, print_run
                if interrupts.interrupted_since(mark):
                    interrupts.raise_interrupt("loading")

                with Progress(enabled=not as_json) as progress:
                    tables = select(project)
                    pipeline = Pipeline(
                        project,
                        build=not no_build,
                        max_iterations=max_iterations,
                        force=force,
                        progress=progress.update,
                        on_stage=progress.stage,
                        accept_gaps=accept_gaps,
                        llm=LlmConfig.resolve(llm_model),
                        separate_compile=separate_compile,
                        jobs=jobs,
                    )
                    doc = pipeline.run(tables)
            except KeyboardInterrupt:  # (the session raises once: these imports are safe now)
                from ..pipeline import interrupted_before_start, write_run
                from .console import print_run

                doc = interrupted_before_start(project, tables, time.perf_counter() - started)
            interrupts.hold()  # the document is written whatever arrives now
            if interrupts.received() and not doc.summary.get("interrupted"):
                doc.summary.update(interrupted=True, interrupted_during="finish")
            path = write_run(project, doc)
            if as_json:
                emit_json(doc.public())
            else:
                print_run(doc, path)
    if doc.summary.get("interrupted"):
        click.echo(f"interrupted: results of what finished are in {path}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if len(doc.results) == 1 and doc.results[0].reason in UNSAFE_REASONS:
        sys.exit(EXIT_IO)  # the one table asked for is bad input (an unsafe name, Jinja or path)
    sys.exit(EXIT_OK if all(r.status == "ok" for r in doc.results) else EXIT_NOT_OK)


@main.command()
@project_root_option
@click.option(
    "--table", "table", required=True, help="Target table, e.g. silver.DimStore (or its model name, dimstore)."
)
@pipeline_options
@json_option
@handle_errors
def generate(project_root: Path, table: str, as_json: bool, **options: Any) -> None:
    """Generate, write and build the model for one table.

    Writes <model>.sql and _<model>.yml in models/marts/ (when the project has it) or
    models/staging/ (or --models-dir), declares missing sources, builds with dbt
    (unit tests included) and records the result in .migration-runs/<run_id>.json.
    Exit 0 ok, 1 partial or error, 2 bad input (an unsafe name, Jinja or path in the input is one),
    3 another command holds the project, 130 Ctrl-C.
    """
    target = _resolve_tables(project_root, [table])[0]
    _run_and_report(project_root, lambda project: [target], as_json=as_json, **options)


def _resolve_tables(project_root: Path, names: list[str]) -> list[TableId]:
    """``--table`` arguments to tables (a model name is accepted): an unknown one fails here, in
    a second, with the nearest names, before dbt is loaded."""
    from ..catalog import MigrationProject
    from ..lookup import resolve_table

    mp = MigrationProject(open_project(project_root).root)
    return [resolve_table(mp, name) for name in names]


@main.command()
@project_root_option
@click.option("--all", "all_tables", is_flag=True, help="Every target table with a profile.")
@click.option("--table", "tables", multiple=True, help="A target table or its model name (repeatable).")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes for the equivalence checks: more than 1 runs them in workers beside the "
    "dbt build, 1 in the main process [default: one per core for batches of 50 or "
    "more tables, else 1].",
)
@pipeline_options
@json_option
@handle_errors
def run(
    project_root: Path, all_tables: bool, tables: tuple[str, ...], as_json: bool, jobs: int | None, **options: Any
) -> None:
    """Batch pipeline: every stage for all tables, one dbt build per iteration.

    Exit 0 all ok, 1 some not ok, 2 bad input, 3 another command holds the project, 130 Ctrl-C.
    """
    from ..errors import InputError

    if not all_tables and not tables:
        raise InputError("give --all or at least one --table")
    named = _resolve_tables(project_root, list(tables))

    def select(project: Project) -> list[TableId]:
        from ..catalog import MigrationProject
        from ..order import dependency_order

        mp = MigrationProject(project.root)
        return dependency_order(mp, mp.target_ids() if all_tables else named)

    _run_and_report(project_root, select, as_json=as_json, separate_compile=False, jobs=jobs, **options)


@main.command(name="ls")
@project_root_option
@json_option
@handle_errors
def ls(project_root: Path, as_json: bool) -> None:
    """List the target tables: classification, writer, model and status (from files; no dbt)."""
    from ..catalog import MigrationProject
    from ..listing import list_tables
    from .console import print_listing

    project = open_project(project_root)
    rows = list_tables(MigrationProject(project.root), project.dbt_dir)
    if as_json:
        emit_json({"tables": [r.to_dict() for r in rows]})
    else:
        print_listing(rows)


@main.command()
@project_root_option
@click.option("--table", "table", required=True, help="Target table whose written model is checked.")
@click.option("--no-data", is_flag=True, help="Structural check only (no DuckDB run).")
@json_option
@handle_errors
def check(project_root: Path, table: str, no_data: bool, as_json: bool) -> None:
    """Equivalence report for the model as it is on disk now (hand edits included).

    Structural (tables, columns, joins, filters, grain, write semantics) and data (legacy SQL and
    model on the test-spec rows plus edge rows, in an in-memory DuckDB). Writes nothing.
    Exit 0 on match or divergence, 1 on gap, 2 bad input.
    """
    from ..equivalence import check_table
    from .console import print_check

    report = check_table(open_project(project_root), table, run_data=not no_data)
    if as_json:
        emit_json(report.to_dict())
    else:
        print_check(report)
    sys.exit(EXIT_NOT_OK if report.verdict == "gap" else EXIT_OK)


@main.command()
@click.option(
    "--dir",
    "target_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the demo project (default: a new folder under the current one).",
)
@json_option
@handle_errors
def demo(target_dir: Path | None, as_json: bool) -> None:
    """Build the embedded demo warehouse and migrate it end to end (DuckDB, offline)."""
    from .demo import run_demo

    ok = run_demo(target_dir, as_json=as_json)
    sys.exit(EXIT_OK if ok else EXIT_NOT_OK)


# Command groups that live in their own modules attach themselves to the group.
lifecycle_commands.register(main)
export_commands.register(main)
discover_commands.register(main)
reconcile_commands.register(main)
