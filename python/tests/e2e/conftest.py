"""The e2e layer: real dbt, the real CLI in a subprocess, real DuckDB files.

Every test collected under this folder is marked ``slow``, here and only here, so that
``-m "not slow"`` selects exactly the unit layer (``python/tests/unit``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

E2E = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)
