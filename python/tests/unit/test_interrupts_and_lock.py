"""Ctrl-C handling (interrupts) and the project lock (run_lock), without dbt or a subprocess.

flock locks belong to an open file, so two opens in one process contend as two processes do.
SIGINT is raised in this (main) thread with ``signal.raise_signal``; the handler is restored after.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from dbt_migrate import interrupts, layout, run_lock
from dbt_migrate.run_lock import ProjectBusyError, project_lock, read_holder


@pytest.fixture
def sigint_handler():
    """Python's own SIGINT handler and a fresh interrupts state, before and after."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    state = interrupts._STATE
    interrupts._STATE = interrupts._State()
    yield
    signal.signal(signal.SIGINT, previous)
    interrupts._STATE = state


# -- interrupts ----------------------------------------------------------------------------------
def test_installed_each_ctrl_c_raises_and_is_counted(sigint_handler):
    interrupts.install()
    for n in (1, 2):
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert interrupts.received() == n


def test_a_session_raises_once_then_only_counts(sigint_handler):
    with interrupts.session():
        mark = interrupts.received()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # a second Ctrl-C while the run cleans up: counted
        assert interrupts.received() == 2 and interrupts.interrupted_since(mark)
    with pytest.raises(KeyboardInterrupt):  # after the session: Python's behaviour again
        signal.raise_signal(signal.SIGINT)


def test_a_deferred_interrupt_raised_by_the_caller_is_the_sessions_one(sigint_handler):
    with interrupts.session():
        with interrupts.deferred():
            signal.raise_signal(signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            interrupts.raise_interrupt("dbt parse interrupted")
        signal.raise_signal(signal.SIGINT)  # the run is cleaning up: counted only
        assert interrupts.received() == 2


def test_after_hold_no_ctrl_c_raises(sigint_handler):
    with interrupts.session():
        interrupts.hold()
        signal.raise_signal(signal.SIGINT)
        assert interrupts.received() == 1


def test_deferred_counts_and_leaves_the_raising_to_the_caller(sigint_handler):
    interrupts.install()
    mark = interrupts.received()
    with interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
    assert interrupts.interrupted_since(mark)
    with pytest.raises(KeyboardInterrupt):  # raising again after the block
        signal.raise_signal(signal.SIGINT)


def test_install_keeps_a_handler_someone_else_chose(sigint_handler):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    interrupts.install()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


# -- run_lock ------------------------------------------------------------------------------------
def test_a_second_holder_is_refused_with_the_first_named(tmp_path):
    with project_lock(tmp_path, "migrate run --all") as holder:
        assert holder.pid == os.getpid()
        with pytest.raises(ProjectBusyError) as err, project_lock(tmp_path, "migrate generate --table s.t"):
            pass
    message = str(err.value)
    assert err.value.exit_code == 3
    assert f"`migrate run --all` (pid {os.getpid()} on {holder.host}, started {holder.started})" in message
    assert str(layout.run_lock(tmp_path)) in message


def test_a_finished_holder_leaves_nothing_and_frees_the_lock(tmp_path):
    with project_lock(tmp_path, "first"):
        assert read_holder(layout.run_lock(tmp_path)) is not None
    assert not (tmp_path / layout.RUNS_DIR).exists()  # made for the lock, removed with it
    (tmp_path / layout.RUNS_DIR).mkdir()
    (tmp_path / layout.RUNS_DIR / "run.json").write_text("{}")
    with project_lock(tmp_path, "second") as holder:
        assert json.loads(layout.run_lock(tmp_path).read_text(encoding="utf-8"))["command"] == "second"
        assert holder.command == "second"
    assert [p.name for p in (tmp_path / layout.RUNS_DIR).iterdir()] == ["run.json"]


def test_a_lock_file_left_by_a_killed_holder_is_taken_over(tmp_path):
    path = layout.run_lock(tmp_path)
    path.parent.mkdir()
    path.write_text('{"pid": 1, "host": "gone", "command": "killed", "started": "then"}')
    with project_lock(tmp_path, "next") as holder:
        assert read_holder(path) == holder


def test_a_newcomer_never_keeps_a_lock_on_a_removed_file(tmp_path):
    """The holder removes the file on the way out; a newcomer that had it open must not count a
    lock on that removed file as the project's lock."""
    import fcntl

    path = layout.run_lock(tmp_path)
    path.parent.mkdir()
    path.write_text("")
    stale = os.open(path, os.O_RDWR)
    path.unlink()  # as a finishing holder does
    try:
        fcntl.flock(stale, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what the newcomer would have got
        assert not run_lock._same_file(stale, path)
        with project_lock(tmp_path, "newcomer"):
            assert path.is_file()
    finally:
        os.close(stale)


def test_the_lock_is_released_when_the_block_raises(tmp_path):
    with pytest.raises(KeyboardInterrupt), project_lock(tmp_path, "first"):
        raise KeyboardInterrupt
    with project_lock(tmp_path, "second"):
        pass


def test_a_holder_that_never_says_who_it_is_is_still_refused(tmp_path, monkeypatch):
    import fcntl

    monkeypatch.setattr(run_lock, "_DESCRIBE_WAIT_S", 0.1)
    path: Path = layout.run_lock(tmp_path)
    path.parent.mkdir(parents=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ProjectBusyError, match="has not said who it is"), project_lock(tmp_path, "second"):
            pass


def test_an_unwritable_runs_folder_is_an_input_error(tmp_path):
    from dbt_migrate.errors import InputError

    (tmp_path / layout.RUNS_DIR).write_text("a file where the folder goes")
    with pytest.raises(InputError, match="lock file"), project_lock(tmp_path, "run"):
        pass


def test_a_ctrl_c_while_a_file_is_written_is_raised_after_it_and_leaves_no_temp_file(
    sigint_handler, tmp_path, monkeypatch
):
    from dbt_migrate import atomic

    interrupts.install()
    real_mkstemp = atomic.tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)  # lands between the temp file's creation and its cleanup
        return made

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp_then_ctrl_c)
    target = tmp_path / "written.json"
    with pytest.raises(KeyboardInterrupt):
        atomic.atomic_write(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert list(tmp_path.glob("*.tmp")) == []
    assert interrupts.received() == 1
