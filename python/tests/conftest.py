"""Fixtures shared by both layers (helpers they call are in ``helpers``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import copy_example


@pytest.fixture
def retail(tmp_path: Path) -> Path:
    """A fresh copy of fixtures/retail (no dbt project yet)."""
    return copy_example("retail", tmp_path / "retail")
