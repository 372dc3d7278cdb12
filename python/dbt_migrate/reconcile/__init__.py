"""``migrate reconcile``: the parallel run that proves migrated models against legacy tables,
round by round (docs/reconcile.md). ``run_reconcile`` is the API the CLI, the demo and the
benchmark call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import ReconcileRun


def run_reconcile(*args: Any, **kwargs: Any) -> ReconcileRun:
    """``run_reconcile(project, plan_path=None, start_round=1, progress=None)`` (runner.py)."""
    from .runner import run_reconcile as run

    return run(*args, **kwargs)
