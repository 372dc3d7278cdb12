"""Context building and conversion stay linear in the number of columns (no timing: work is counted).

A wide table once took 161 s at 16k columns because every column re-scanned the whole column list.
Two cheap, deterministic properties stand for "linear": the number of passes over a table's column
list does not grow with the number of columns, and the number of Python function calls grows no
faster than the columns do. Figures: bench/bench_columns.py.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.convert import convert_context
from dbt_migrate.warehouse import DbtInfo, Warehouse
from helpers.migration import wide_table_project


class _CountingList(list):
    """A list that counts how many times it is iterated from the start."""

    passes = 0

    def __iter__(self):
        type(self).passes += 1
        return super().__iter__()


def _passes_over_columns(root: Path) -> int:
    wh = Warehouse(MigrationProject(root), DbtInfo())
    table = wh.project.table("silver.Wide")
    _CountingList.passes = 0
    table.columns = _CountingList(table.columns)  # no validate_assignment: the list is kept as is
    ctx = build_context(wh, "silver.Wide")
    assert convert_context(ctx, wh).ok
    return _CountingList.passes


def test_passes_over_the_column_list_do_not_grow_with_the_columns(tmp_path):
    small = _passes_over_columns(wide_table_project(tmp_path / "small", 50))
    large = _passes_over_columns(wide_table_project(tmp_path / "large", 400))
    assert small == large, f"{small} passes at 50 columns, {large} at 400: a per-column scan of the list"


def _calls(root: Path) -> int:
    wh = Warehouse(MigrationProject(root), DbtInfo())
    prof = cProfile.Profile()
    prof.enable()
    ctx = build_context(wh, "silver.Wide")
    convert_context(ctx, wh)
    prof.disable()
    return sum(stat[1] for stat in pstats.Stats(prof).stats.values())  # type: ignore[attr-defined]


def test_function_calls_grow_linearly_with_the_columns(tmp_path):
    small = _calls(wide_table_project(tmp_path / "small", 100))
    large = _calls(wide_table_project(tmp_path / "large", 400))
    # 4x the columns: linear work gives at most 4x the calls (fixed costs make it less); a
    # quadratic part would give up to 16x.
    assert large <= 4.5 * small, f"{small} calls at 100 columns, {large} at 400"
