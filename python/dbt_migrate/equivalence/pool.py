"""Equivalence checks in worker processes, running while the main process drives `dbt build`.

The checks read only the written model files and the migration project, so they can overlap the
build. Workers are spawned (not forked: the main process holds dbt's in-process state) and each
loads the warehouse once. Small batches check inline: spawning costs more than it saves.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..warehouse import DbtInfo

if TYPE_CHECKING:
    from ..contracts import Context

# Below this a batch's checks (~25 ms a model) take about as long as starting a worker (imports,
# loading the project). On 2 cores two workers and inline checks measured the same within noise
# at N = 20, 100 and 500 (README): the build slows by what the checks cost. More cores can win.
MIN_BATCH_FOR_WORKERS = 50
_WAREHOUSE: Any = None
_PROJECT: Any = None  # the worker's MigrationProject, loaded by _init_worker


def worker_count(jobs: int | None, batch_size: int) -> int:
    """Worker processes for a batch: ``--jobs`` as given, else one per core for batches big enough
    to pay for them; 0 means the checks run in the main process."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if batch_size >= MIN_BATCH_FOR_WORKERS else 1
    return jobs if jobs > 1 and batch_size > 1 else 0


def _init_worker(root: str) -> None:
    """Load the migration project (and the check's imports) while the main process parses."""
    import signal

    from .. import equivalence  # noqa: F401 - imported now, not on the first check
    from ..catalog import MigrationProject

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    global _PROJECT
    _PROJECT = MigrationProject(Path(root))
    _PROJECT.manifest, _PROJECT.tables, _PROJECT.procedures, _PROJECT.test_specs  # noqa: B018


def _warehouse(dbt: DbtInfo) -> Any:
    global _WAREHOUSE
    if _WAREHOUSE is None or _WAREHOUSE.dbt != dbt:
        from ..warehouse import Warehouse

        _WAREHOUSE = Warehouse(_PROJECT, dbt)
    return _WAREHOUSE


def _check_one(ctx: Context, dbt_dir: str, dbt: DbtInfo, written: Any) -> dict[str, Any]:
    from . import check_written

    return check_written(_warehouse(dbt), ctx, Path(dbt_dir), written=written).to_dict()


class CheckPool:
    """Submit checks now, collect reports later. ``inline`` when workers would not pay off."""

    def __init__(self, root: Path, dbt_dir: Path, jobs: int | None, batch_size: int):
        self.dbt_dir = dbt_dir
        self.executor: ProcessPoolExecutor | None = None
        self.workers = worker_count(jobs, batch_size)
        if self.workers:
            import multiprocessing

            self.executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(str(root),),
            )
            # Start them now (their start-up overlaps dbt's parse) with SIGINT blocked: a worker
            # inherits the mask, so Ctrl-C in the terminal never interrupts one before
            # _init_worker ignores it; Ctrl-C is the main process's to handle.
            import signal

            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                for _ in range(self.workers):
                    self.executor.submit(int)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def submit(self, wh: Any, ctx: Context, written: Any) -> Future | dict[str, Any]:
        if self.executor is None:
            from . import check_written

            return check_written(wh, ctx, self.dbt_dir, written=written).to_dict()
        return self.executor.submit(_check_one, ctx, str(self.dbt_dir), wh.dbt, written)

    @staticmethod
    def result(pending: Future | dict[str, Any]) -> dict[str, Any]:
        return pending.result() if isinstance(pending, Future) else pending

    def close(self, cancel: bool = False) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
            self.executor = None
