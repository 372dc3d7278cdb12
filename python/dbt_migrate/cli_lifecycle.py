"""CLI commands for pause / restore / status (being written: issue 6)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach the lifecycle commands to the main group."""
