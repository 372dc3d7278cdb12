"""The e2e layer: real dbt, the real CLI in a subprocess, real DuckDB files.

Every test collected under this folder is marked ``slow``, here and only here, so that
``-m "not slow"`` selects exactly the unit layer (``python/tests/unit``).

The heaviest modules are collected first: pytest-xdist (``--dist loadscope``) hands modules to the
two workers in collection order, and a long module started last leaves one worker idle at the end
(longest first is the usual remedy for that scheduling tail). Order only; nothing is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

E2E = Path(__file__).resolve().parent


# By measured cost on the 2-core CI machine (setup + calls, seconds), heaviest first.
HEAVIEST_FIRST = (
    "test_security_payloads.py",  # ~190: a 380-item batch of planted payloads, built
    "test_llm.py",  # ~130
    "test_integration_tests.py",  # ~110, DuckDB and PostgreSQL
    "test_interrupt.py",  # ~70
    "test_batch.py",  # ~70
    "test_resilient_run.py",  # ~60
    "test_lifecycle.py",  # ~60
    "test_reconcile.py",  # ~45
    "test_loads.py",  # ~40
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)
    rank = {name: n for n, name in enumerate(HEAVIEST_FIRST)}
    # stable: within a module, and among the other modules, the collected order stays
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)) if E2E in item.path.parents else len(rank))
