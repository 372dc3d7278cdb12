"""Options, error handling and exit codes shared by every command module."""

from __future__ import annotations

import functools
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError, MigrateError

if TYPE_CHECKING:
    from ..project import Project

# Exit codes (documented in the README's CLI table). EXIT_BUSY is run_lock.ProjectBusyError's.
EXIT_OK, EXIT_NOT_OK, EXIT_IO, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def project_root_option(fn: Callable) -> Callable:
    return click.option(
        "--project-root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Migration project root (holds manifest.json, catalog/, test-specs/, ddl/).",
    )(fn)


def json_option(fn: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")(fn)


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, default=str))


def handle_errors(fn: Callable) -> Callable:
    """Turn MigrateError into a one-line message on stderr and its exit code; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MigrateError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:  # run / generate write their document first (cli.main)
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # a bug of ours: say so plainly; the traceback is opt-in
            if os.environ.get("DBT_MIGRATE_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} "
                "(set DBT_MIGRATE_DEBUG=1 for the traceback, and please report it)",
                err=True,
            )
            sys.exit(EXIT_NOT_OK)

    return wrapper


def open_project(root: Path) -> Project:
    from ..project import Project

    if not root.is_dir():
        raise InputError(f"--project-root {root}: no such folder")
    return Project(root)


def command_line() -> str:
    """The command as typed (the lock's holder description names it)."""
    return shlex.join(["migrate", *sys.argv[1:]])


@contextmanager
def project_writer(project: Project) -> Iterator[None]:
    """Hold the migration project's lock while a command writes into it: a second writing command
    stops at once naming this one (run_lock, exit 3). Read-only commands take no lock."""
    from ..run_lock import project_lock

    with project_lock(project.root, command_line()):
        yield


def pipeline_options(fn: Callable) -> Callable:
    fn = click.option(
        "--max-iterations",
        type=click.IntRange(1, 10),
        default=3,
        show_default=True,
        help="Build/correct attempts per model.",
    )(fn)
    fn = click.option("--no-build", is_flag=True, help="Write files only; do not run dbt compile/build.")(fn)
    fn = click.option("--force", is_flag=True, help="Overwrite model files edited since dbt-migrate wrote them.")(fn)
    fn = click.option(
        "--llm",
        "llm_model",
        default=None,
        metavar="MODEL",
        help="Use this litellm model for what rules cannot convert and for corrections "
        "(or set $DBT_MIGRATE_LLM_MODEL). Keys come from the provider's usual env vars.",
    )(fn)
    fn = click.option(
        "--models-dir",
        default=None,
        metavar="DIR",
        help="Folder of the dbt project the models are written to, e.g. models/marts "
        "[default: models/marts when the project has it, else models/staging].",
    )(fn)
    fn = click.option(
        "--staging-wrappers",
        is_flag=True,
        help="Read every confirmed source (is_source) the project does not wrap yet through a new "
        "pass-through model models/staging/stg_<source>__<table>.sql, written when a model reads it.",
    )(fn)
    fn = click.option(
        "--accept-gaps",
        is_flag=True,
        help="Keep an item ok when the equivalence check reports a gap (recorded either way).",
    )(fn)
    return fn
