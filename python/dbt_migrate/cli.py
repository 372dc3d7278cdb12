"""Command line: thin click commands, exit codes, JSON or rich output. No logic lives here."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import MigrateError

# Exit codes (documented in the README's CLI table).
EXIT_OK, EXIT_NOT_OK, EXIT_IO = 0, 1, 2


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
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dbt-migrate")
def main() -> None:
    """dbt-migrate: turn T-SQL stored procedures into dbt models with tests that prove them."""


def _register_optional() -> None:
    # Command groups that live in their own modules register themselves here.
    from . import cli_lifecycle

    cli_lifecycle.register(main)


_register_optional()
