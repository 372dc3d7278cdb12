"""Atomic file writes: every file dbt-migrate writes goes through ``atomic_write``.

A reader (dbt, git, a person) sees the old file or the new one, never half of one, and a file
that did not exist before gets the permissions any other tool's new file would get
(``0666 & ~umask``, usually ``0644``): ``mkstemp`` creates ``0600`` files, which a team's
CI user or a shared dbt project could not read.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from . import interrupts


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it: put it back at once
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()


def _staged(path: Path) -> tuple[int, str, int]:
    """A temp file beside ``path`` (its fd and name) and the mode ``path`` will have: an existing
    file keeps its permissions, a new one gets the umask's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return fd, tmp, mode


def _discard(tmps: list[str]) -> None:
    for tmp in tmps:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temp file beside ``path``, fsync it, then rename it over ``path``.

    An existing file keeps its permissions; a new one gets the umask's. A Ctrl-C in the middle is
    raised once the file is written (``interrupts.shielded``): no temp file is left behind.
    """
    with interrupts.shielded():
        _write(path, text)


def _write(path: Path, text: str) -> None:
    fd, tmp, mode = _staged(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        _discard([tmp])
        raise


def atomic_write_many(files: dict[Path, str]) -> None:
    """``atomic_write`` for many files at once: each is still replaced whole by a rename, but the
    data of all of them is flushed to disk by one ``os.sync()`` before the renames instead of one
    fsync per file (thousands of catalog files: seconds instead of a minute)."""
    with interrupts.shielded():
        _write_many(files)


def _write_many(files: dict[Path, str]) -> None:
    staged: list[tuple[str, Path, int]] = []
    try:
        for path, text in files.items():
            fd, tmp, mode = _staged(path)
            staged.append((tmp, path, mode))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        os.sync()
        while staged:
            tmp, path, mode = staged[0]
            os.chmod(tmp, mode)
            os.replace(tmp, path)
            staged.pop(0)
    except BaseException:
        _discard([tmp for tmp, _, _ in staged])
        raise
