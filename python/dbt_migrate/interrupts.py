"""Ctrl-C (SIGINT) that always reaches the pipeline, once, and never cuts its result short.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens to be. dbt's
in-process runner catches every ``BaseException`` (the interrupt included) and returns it as a
failed result, so the pipeline would never hear of it. This module's handler counts every SIGINT
before it raises, so a caller can ask "did Ctrl-C arrive while dbt ran?" whatever dbt did with the
exception (``received()`` before and after).

Three modes:

- installed (``install()``, done by the command line at import): each SIGINT is counted and raises
  ``KeyboardInterrupt``, as Python's own handler does;
- inside ``session()`` (``migrate run`` / ``generate``): the first SIGINT raises, later ones are
  only counted, and after ``hold()`` none raises;
- inside ``deferred()``: counted only, for the caller to act on when the block ends (dbt commands
  other than build, and dbt's import: nothing half-imported or half-written).

The pipeline catches the one interrupt, marks what did not finish, and writes the result document
without a second Ctrl-C tearing it apart.

Signal handlers can only be set from the main thread; elsewhere ``install`` changes nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn


@dataclass
class _State:
    received: int = 0  # SIGINTs since install (or since the current session began)
    raise_next: bool = True  # the next SIGINT raises KeyboardInterrupt
    session: bool = False  # raise once, then only count
    installed: bool = False


_STATE = _State()


def _on_sigint(signum: int, frame: Any) -> None:
    _STATE.received += 1
    if _STATE.raise_next:
        if _STATE.session:
            _STATE.raise_next = False
        raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def install() -> None:
    """Count SIGINTs and raise ``KeyboardInterrupt`` for each (Python's behaviour, plus the count).

    Only when SIGINT has Python's default handler: a caller that ignores SIGINT or handles it
    itself keeps its choice."""
    if _STATE.installed or not _main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    signal.signal(signal.SIGINT, _on_sigint)
    _STATE.installed = True


def received() -> int:
    """How many SIGINTs arrived so far (compare two readings to see one arrive in between)."""
    return _STATE.received


def interrupted_since(mark: int) -> bool:
    return _STATE.received > mark


@contextmanager
def session() -> Iterator[None]:
    """One run: the first Ctrl-C raises ``KeyboardInterrupt``, later ones are only counted."""
    install()
    previous = (_STATE.received, _STATE.raise_next, _STATE.session)
    _STATE.received, _STATE.raise_next, _STATE.session = 0, True, True
    try:
        yield
    finally:
        count = _STATE.received
        _STATE.received, _STATE.raise_next, _STATE.session = previous
        _STATE.received += count


@contextmanager
def deferred() -> Iterator[None]:
    """Inside: Ctrl-C is counted, not raised; the caller checks ``interrupted_since`` after. For
    work that must not be cut at a random point (dbt parsing and writing its own files)."""
    if not _STATE.installed:
        yield
        return
    previous = _STATE.raise_next
    _STATE.raise_next = False
    try:
        yield
    finally:
        _STATE.raise_next = previous


@contextmanager
def shielded() -> Iterator[None]:
    """A short critical section (writing one file atomically): a Ctrl-C that arrives inside is held
    until the block is done and then raised as it would have been, so no temp file is left behind
    by an interrupt landing between its creation and the ``try`` that cleans it up."""
    if not _STATE.installed or not _main_thread():
        yield
        return
    mark, previous = _STATE.received, _STATE.raise_next
    _STATE.raise_next = False
    try:
        yield
    finally:
        _STATE.raise_next = previous
    if previous and _STATE.received > mark:
        raise_interrupt("interrupted while writing a file")


def raise_interrupt(what: str = "") -> NoReturn:
    """Raise the ``KeyboardInterrupt`` for a Ctrl-C that was counted, not raised (deferred, or
    swallowed by a library); inside a session it is the one interrupt, as if the handler raised."""
    if _STATE.session:
        _STATE.raise_next = False
    raise KeyboardInterrupt(what)


def hold() -> None:
    """Inside a session: from now on Ctrl-C is counted, never raised (the run is writing its
    result). Outside a session this changes nothing."""
    if _STATE.session:
        _STATE.raise_next = False
