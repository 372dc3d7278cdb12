"""Equivalence checks in worker processes, running while the main process drives `dbt build`.

The checks read only the written model files and the migration project, so they can overlap the
build. Workers are spawned (not forked: the main process holds dbt's in-process state) and each
loads the warehouse once. Small batches check inline: spawning costs more than it saves.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .context import DbtInfo

MIN_BATCH_FOR_WORKERS = 8
_WAREHOUSE: Any = None


def default_jobs() -> int:
    return os.cpu_count() or 1


def _init_worker(root: str, dbt: DbtInfo) -> None:
    import signal

    from .catalog import MigrationProject
    from .context import Warehouse

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    global _WAREHOUSE
    _WAREHOUSE = Warehouse(MigrationProject(Path(root)), dbt)


def _check_one(ctx: dict[str, Any], dbt_dir: str) -> dict[str, Any]:
    from .equivalence import check_written

    return check_written(_WAREHOUSE, ctx, Path(dbt_dir)).to_dict()


class CheckPool:
    """Submit checks now, collect reports later. ``inline`` when workers would not pay off."""

    def __init__(self, root: Path, dbt: DbtInfo, dbt_dir: Path, jobs: int, batch_size: int, wh: Any):
        self.dbt_dir = dbt_dir
        self.wh = wh
        self.executor: ProcessPoolExecutor | None = None
        if jobs > 1 and batch_size >= MIN_BATCH_FOR_WORKERS:
            import multiprocessing

            self.executor = ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(str(root), dbt),
            )

    def submit(self, ctx: dict[str, Any]) -> Future | dict[str, Any]:
        if self.executor is None:
            from .equivalence import check_written

            return check_written(self.wh, ctx, self.dbt_dir).to_dict()
        return self.executor.submit(_check_one, ctx, str(self.dbt_dir))

    @staticmethod
    def result(pending: Future | dict[str, Any]) -> dict[str, Any]:
        return pending.result() if isinstance(pending, Future) else pending

    def close(self, cancel: bool = False) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
            self.executor = None
