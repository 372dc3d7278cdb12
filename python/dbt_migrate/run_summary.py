"""The ``summary`` of a run document: what a person or a benchmark reads at the end of a run."""

from __future__ import annotations

import resource
from typing import Any

from .dbt import DbtProject
from .items import Item


def summarize(
    items: list[Item], wall: float, timings: dict[str, float], workers: int, dbt: DbtProject
) -> dict[str, Any]:
    """The run document's ``summary``: counts, unit tests, stage times, memory, dbt invocations."""
    counts = {"ok": 0, "partial": 0, "error": 0, "paused": 0}
    by_class: dict[str, dict[str, int]] = {}
    units = {"total": 0, "passed": 0}
    for i in items:
        status = "paused" if i.result.output.paused is not None else i.result.status  # counted apart
        counts[status] += 1
        kind = i.context.materialization.classification if i.context else "unknown"
        by_class.setdefault(kind, {"ok": 0, "partial": 0, "error": 0, "paused": 0})[status] += 1
        units["total"] += i.result.output.execution.unit_tests.total
        units["passed"] += i.result.output.execution.unit_tests.passed
    return {
        "counts": counts,
        "total": len(items),
        "by_classification": by_class,
        "unit_tests": units,
        "wall_time_s": round(wall, 3),
        "stage_time_s": {k: round(v, 3) for k, v in timings.items()},
        "peak_memory_mib": _peak_memory_mib(),
        "check_workers": workers,
        # upper bound of the whole run: this process plus every check worker at its own peak
        "peak_memory_total_mib": _peak_memory_mib() + workers * _peak_child_memory_mib(),
        "dbt_invocations": dbt.invocations,
        "dbt_invocations_by_command": dict(dbt.invocations_by_command),
    }


def _peak_memory_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux reports KiB


def _peak_child_memory_mib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
