"""One writing command per migration project at a time: a lock naming its holder.

``migrate run`` / ``generate`` / ``write`` / ``pause`` / ``restore`` write into the dbt project and
drive its DuckDB file, which admits one writer: a second command running beside the first would fail
every item with DuckDB's lock error. Each of them holds ``<root>/.migration-runs/.lock`` while it
runs; a second one stops at once with one message naming the holder (pid, host, command, start).

The lock is ``flock`` on the open file, so the kernel releases it when the holder ends in any way
(exit, Ctrl-C, crash, kill -9): a stale lock cannot outlive its process. The file itself stays
(removing it would let two processes lock two different files); its content is the holder's
description while held and empty otherwise. Read-only commands (context, status, check) take no
lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import layout
from .errors import InputError, MigrateError

# How long a second command waits for the holder's description to appear (the holder writes it
# right after taking the lock) before it reports an unnamed holder.
_DESCRIBE_WAIT_S = 2.0


class ProjectBusyError(MigrateError):
    """Another dbt-migrate command holds the project's lock (exit 3)."""

    exit_code = 3


@dataclass(frozen=True)
class Holder:
    """Who holds the lock: written into the lock file as JSON."""

    pid: int
    host: str
    command: str
    started: str  # UTC, ISO 8601 to the second

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on {self.host}, started {self.started})"


def current_holder(command: str) -> Holder:
    return Holder(
        pid=os.getpid(),
        host=socket.gethostname(),
        command=command,
        started=datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )


@contextmanager
def project_lock(root: Path, command: str) -> Iterator[Holder]:
    """Hold the migration project's lock for the ``with`` block, or raise ``ProjectBusyError``."""
    path = layout.run_lock(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the project's lock file: {exc}") from exc
    try:
        _acquire(fd, path)
        holder = current_holder(command)
        _write(fd, json.dumps(asdict(holder)))
        try:
            yield holder
        finally:
            _write(fd, "")  # no description left behind; the kernel drops the lock on close
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path) -> None:
    deadline = time.monotonic() + _DESCRIBE_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = read_holder(path)
        if holder is not None or time.monotonic() >= deadline:
            who = holder.describe() if holder is not None else "a process that has not said who it is"
            raise ProjectBusyError(
                f"{path.parent.parent}: another dbt-migrate command is running in this project: {who}. "
                f"Wait for it to end or stop it; its lock is {path}"
            )
        time.sleep(0.05)  # the holder took the lock and is writing its description


def read_holder(path: Path) -> Holder | None:
    """The holder the lock file describes, or None (not held, or its description not written yet)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Holder(
            pid=int(data["pid"]), host=str(data["host"]), command=str(data["command"]), started=str(data["started"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)
