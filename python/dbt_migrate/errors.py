"""Errors that map to the CLI's documented exit codes."""

from __future__ import annotations


class MigrateError(Exception):
    """Base class: ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(MigrateError):
    """A missing, unreadable or invalid file or argument (exit 2)."""

    exit_code = 2


class NotReadyError(MigrateError):
    """The table cannot be migrated yet: no profile, no migrate statements, ... (exit 1)."""

    exit_code = 1
