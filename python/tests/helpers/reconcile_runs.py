"""Helpers of the ``migrate reconcile`` end-to-end tests: the migrated demo, the result
documents and their cells."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import DEMO_PROJECT, run_cli


def latest_result(root: Path) -> dict:
    docs = sorted((root / ".migration-runs" / "reconcile").glob("*.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(docs[-1].read_text(encoding="utf-8"))


def failures(doc: dict) -> list[str]:
    """What went wrong, short: each cell that did not match with its failing reports."""
    return [
        f"{t['table']} round {r['index']}: {t['status']} {t['error'] or ''} "
        + "; ".join(f"{x['type']}: {x['message']}" for x in t["reports"] if x["status"] != "match")
        for r in doc["rounds"]
        for t in r["tables"]
        if t["status"] != "match"
    ]


def cells(doc: dict) -> dict[tuple[str, int], dict]:
    return {(t["table"], r["index"]): t for r in doc["rounds"] for t in r["tables"]}


def migrated_demo(root: Path) -> Path:
    """The demo migration project (with its reconcile.yml and rounds) at ``root``, initialised
    and migrated (``migrate run --all``), not yet reconciled."""
    shutil.copytree(DEMO_PROJECT, root, ignore=shutil.ignore_patterns("__pycache__"))
    init = run_cli("init", "--project-root", str(root))
    assert init.returncode == 0, init.stdout + init.stderr
    run = run_cli("run", "--project-root", str(root), "--all", "--json")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return root
