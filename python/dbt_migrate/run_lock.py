"""One writing command per migration project at a time: a lock naming its holder.

``migrate run`` / ``generate`` / ``write`` / ``pause`` / ``restore`` write into the dbt project and
drive its DuckDB file, which admits one writer: a second command running beside the first would fail
every item with DuckDB's lock error. Each of them holds ``<root>/.migration-runs/.lock`` while it
runs; a second one stops at once with one message naming the holder (pid, host, command, start).

The lock is ``flock`` on the open file, so the kernel releases it when the holder ends in any way
(exit, Ctrl-C, crash, kill -9): a stale lock cannot outlive its process. The file holds the
holder's description; a command that ends removes it (and the ``.migration-runs`` folder if it
made it and it is still empty), so a command that wrote nothing leaves nothing. A newcomer that
locked a file which was removed meanwhile sees it is no longer the one at the path, and starts over.
A file left by a killed holder is simply locked and rewritten by the next command. Read-only
commands (context, status, check) take no lock.
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
    made_dir = not path.parent.exists()
    fd = _acquire(path)
    try:
        holder = current_holder(command)
        _write(fd, json.dumps(asdict(holder)))
        yield holder
    finally:
        # Removed while still held (a newcomer that opened the old file sees it gone and retries),
        # so a finished command leaves nothing behind; then the kernel drops the lock on close.
        try:
            path.unlink()
        except OSError:
            pass
        os.close(fd)
        if made_dir:
            try:
                path.parent.rmdir()  # only if still empty: another run may have written in it
            except OSError:
                pass


def _acquire(path: Path) -> int:
    """An open descriptor of the lock file, locked; or ``ProjectBusyError`` naming the holder."""
    deadline = time.monotonic() + _DESCRIBE_WAIT_S
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError as exc:
            if time.monotonic() < deadline:
                continue  # the folder was removed by a holder that just finished
            raise InputError(f"{path}: cannot create the project's lock file: {exc}") from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot create the project's lock file: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_in(fd)
            os.close(fd)
            if holder is not None or time.monotonic() >= deadline:
                who = holder.describe() if holder is not None else "a process that has not said who it is"
                raise ProjectBusyError(
                    f"{path.parent.parent}: another dbt-migrate command is running in this project: {who}. "
                    f"Wait for it to end or stop it; its lock is {path}"
                ) from None
            time.sleep(0.05)  # the holder took the lock and is writing its description
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)  # locked a file its holder removed on the way out: take the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _holder_in(fd: int) -> Holder | None:
    return _parse_holder(os.pread(fd, 65536, 0).decode("utf-8", errors="replace"))


def read_holder(path: Path) -> Holder | None:
    """The holder the lock file describes, or None (not held, or its description not written yet)."""
    try:
        return _parse_holder(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def _parse_holder(text: str) -> Holder | None:
    try:
        data = json.loads(text)
        return Holder(
            pid=int(data["pid"]), host=str(data["host"]), command=str(data["command"]), started=str(data["started"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)
