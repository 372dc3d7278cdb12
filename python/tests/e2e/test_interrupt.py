"""Ctrl-C and a second run, as promised: exit 130 with a result JSON; one lock message, exit 3.

The real CLI runs `migrate run --all` on the corpus in its own process group, and SIGINT goes to
the whole group, as a terminal's Ctrl-C does (check workers included). Moments are chosen by
watching what the run shows, not by sleeping: the lock file naming the run (loading), and the stage
lines the CLI prints on stderr when it is not a terminal (`dbt-migrate: <stage>`).

The interrupted runs follow one another on one project, so each run is also the "next run" of
the one before (it must get past the lock and, after the build moment, through dbt's DuckDB file);
a full run ends the chain and must succeed as an uninterrupted one does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helpers import CLI, CORPUS, CORPUS_NON_CONVERTIBLE, corpus_targets, run_cli

# Corpus: every target with a profile gets an item; some need the LLM (CORPUS.md).
N_TARGETS = len(corpus_targets())
N_CONVERTIBLE = N_TARGETS - len(CORPUS_NON_CONVERTIBLE)
WAIT_S = 180  # for a moment to come, or a process to end (2 busy cores)


@dataclass
class Ended:
    returncode: int
    stdout: str
    stderr: str
    seconds_after_signal: float


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DBT_PROJECT_PATH", None)
    return env


def _start(root: Path, *args: str) -> tuple[subprocess.Popen, list[str], threading.Event]:
    """The CLI in its own process group; stderr lines are collected as they come."""
    proc = subprocess.Popen(
        [*CLI, *args, "--project-root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        start_new_session=True,
    )
    lines: list[str] = []
    changed = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            changed.set()

    threading.Thread(target=read, daemon=True).start()
    return proc, lines, changed


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_S
    while not ready():
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"{what} never came"
        time.sleep(0.02)


def _stage_started(lines: list[str], stage: str) -> Callable[[], bool]:
    return lambda: f"dbt-migrate: {stage}\n" in lines


def _lock_names(root: Path, pid: int) -> Callable[[], bool]:
    lock = root / ".migration-runs" / ".lock"

    def ready() -> bool:
        try:
            return json.loads(lock.read_text(encoding="utf-8"))["pid"] == pid
        except (OSError, ValueError, KeyError):
            return False

    return ready


def _finish(proc: subprocess.Popen, lines: list[str], signalled: float | None = None) -> Ended:
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    proc.wait(timeout=WAIT_S)
    time.sleep(0.1)  # the reader thread takes the last lines
    after = time.monotonic() - signalled if signalled is not None else 0.0
    return Ended(proc.returncode, stdout, "".join(lines), after)


def _interrupt(root: Path, moment: str, delay: float = 0.0) -> Ended:
    """`migrate run --all`, Ctrl-C at ``moment`` (``loading`` or a stage name), plus ``delay``."""
    proc, lines, _ = _start(root, "run", "--all")
    if moment == "loading":
        _wait_for("the lock naming the run", _lock_names(root, proc.pid), proc)
    else:
        _wait_for(f"stage {moment}", _stage_started(lines, moment), proc)
    time.sleep(delay)
    signalled = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    return _finish(proc, lines, signalled)


def _assert_interrupted(root: Path, ended: Ended, stages: set[str]) -> dict:
    """Exit 130, no traceback, a valid document saying interrupted, nothing half-written."""
    assert ended.returncode == 130, ended.stderr[-3000:]
    assert "Traceback" not in ended.stderr, ended.stderr[-3000:]
    assert ended.seconds_after_signal < 60, "Ctrl-C took a minute to stop the run"
    said = [line for line in ended.stderr.splitlines() if line.startswith("interrupted: results of what finished")]
    assert len(said) == 1, ended.stderr[-3000:]
    path = Path(said[0].rsplit(" ", 1)[1])
    assert path.parent == root / ".migration-runs" and path.is_file()
    doc = json.loads(path.read_text(encoding="utf-8"))
    summary = doc["summary"]
    assert summary["interrupted"] is True
    assert summary["interrupted_during"] in stages, summary["interrupted_during"]
    results = doc["results"]
    # Every target, or none when Ctrl-C came before the run knew its tables (still loading).
    assert len(results) == (0 if not results and summary["interrupted_during"] == "start" else N_TARGETS)
    assert sum(summary["counts"].values()) == len(results)
    for r in results:
        # Finished items keep their own outcome; every other one says it was interrupted.
        assert r["status"] != "ok" or r["reason"] is None, r
        if r["reason"] != "needs_llm":
            assert r["reason"] == "interrupted", r
            assert any("interrupted" in e for e in r["errors"]), r
    assert "Could not set lock" not in path.read_text(encoding="utf-8")
    assert not list(root.rglob("*.tmp")), "a half-written file was left behind"
    _assert_lock_free(root)
    return doc


def _assert_lock_free(root: Path) -> None:
    """The command that ended removed its lock file (the next one proves nothing holds a lock)."""
    assert not (root / ".migration-runs" / ".lock").exists()


def _corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    init = run_cli("init", "--project-root", str(root))
    assert init.returncode == 0, init.stderr
    return root


def test_ctrl_c_at_five_moments_of_a_run_leaves_a_document_and_the_next_run_works(tmp_path):
    root = _corpus(tmp_path)

    # 1. Loading: the run has taken the lock and is reading the migration project.
    doc = _assert_interrupted(root, _interrupt(root, "loading"), {"start", "parse"})
    assert all(r["reason"] == "interrupted" for r in doc["results"])

    # 2. The first dbt parse (in-process: dbt catches KeyboardInterrupt itself).
    doc = _assert_interrupted(root, _interrupt(root, "parse", delay=0.3), {"parse"})
    assert all(r["reason"] == "interrupted" for r in doc["results"])

    # 3. Contexts and generation (quick stages: the signal lands in one of them or just after).
    _assert_interrupted(root, _interrupt(root, "contexts"), {"contexts", "generate", "sources", "render"})

    # 4. dbt build, with models running on the DuckDB file: rendered items stay partial.
    doc = _assert_interrupted(root, _interrupt(root, "build: dbt build", delay=1.0), {"build: dbt build"})
    assert doc["summary"]["counts"]["partial"] == N_CONVERTIBLE
    assert doc["summary"]["counts"]["error"] == N_TARGETS - N_CONVERTIBLE

    # 5. Render (a dbt run-operation on the DuckDB file the interrupted build had open).
    _assert_interrupted(root, _interrupt(root, "render", delay=0.2), {"render", "check (submit)"})

    # The next run, uninterrupted, ends as a first run does; while it runs, a second command is
    # refused at once (one corpus run proves both, so the suite stays within its time budget).
    doc = _second_run_is_refused_while_the_first_completes(root)
    assert doc["summary"]["counts"] == {
        "ok": N_CONVERTIBLE,
        "partial": 0,
        "error": N_TARGETS - N_CONVERTIBLE,
        "paused": 0,
    }
    assert not list(root.rglob("*.tmp"))


def test_ctrl_c_during_generate_builds_exits_130_with_its_document(tmp_path):
    root = _corpus(tmp_path)
    proc, lines, _ = _start(root, "generate", "--table", "silver.DimSku")
    _wait_for("dbt build", _stage_started(lines, "build: dbt build"), proc)
    signalled = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    ended = _finish(proc, lines, signalled)
    assert ended.returncode == 130, ended.stderr[-3000:]
    assert "Traceback" not in ended.stderr
    [doc_path] = (root / ".migration-runs").glob("*.json")
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    assert doc["summary"]["interrupted"] is True
    [item] = doc["results"]
    assert item["status"] == "partial" and item["reason"] == "interrupted"
    assert not list(root.rglob("*.tmp"))
    _assert_lock_free(root)


def _second_run_is_refused_while_the_first_completes(root: Path) -> dict:
    """A second run stops at once with one message naming the first, which completes; returns the
    first run's document."""
    documents_before = set((root / ".migration-runs").glob("*.json"))
    first, first_lines, _ = _start(root, "run", "--all", "--json")
    _wait_for("the lock naming the first run", _lock_names(root, first.pid), first)

    started = time.monotonic()
    second = run_cli("run", "--all", "--project-root", str(root), timeout=WAIT_S)
    took = time.monotonic() - started
    assert second.returncode == 3, second.stderr[-3000:]
    assert took < 30, f"the second run took {took:.0f}s to give up"  # start-up only, on busy cores
    errors = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, second.stderr
    message = errors[0]
    assert message.startswith("error: ") and "another dbt-migrate command is running" in message
    assert f"pid {first.pid} on " in message and "`migrate run --all --json --project-root" in message
    assert "started 20" in message and str(root / ".migration-runs" / ".lock") in message
    assert second.stdout == ""

    # pause / restore write into the project too: they wait for no one either.
    pause = run_cli("pause", "dim_sku", "--project-root", str(root), timeout=WAIT_S)
    assert pause.returncode == 3 and f"pid {first.pid}" in pause.stderr, pause.stderr

    ended = _finish(first, first_lines)
    assert ended.returncode == 1, ended.stderr[-3000:]  # the five LLM-only targets
    doc = json.loads(ended.stdout)
    assert doc["summary"]["interrupted"] is False
    assert doc["summary"]["counts"]["ok"] == N_CONVERTIBLE
    assert "Could not set lock" not in ended.stdout
    new_documents = set((root / ".migration-runs").glob("*.json")) - documents_before
    assert len(new_documents) == 1  # the second run wrote nothing
    _assert_lock_free(root)
    return doc
