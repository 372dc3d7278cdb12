"""Shared fixtures: real migration projects in temp folders and the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLI = [sys.executable, "-m", "dbt_migrate"]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 600):
    """The real CLI in a subprocess: returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    full_env.pop("DBT_PROJECT_PATH", None)  # tests say explicitly where the dbt project is
    full_env.update(env or {})
    return subprocess.run([*CLI, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def copy_example(name: str, dest: Path) -> Path:
    src = SHARED_EXAMPLES / name
    if not src.is_dir():
        pytest.skip(f"{src} not present (../shared must sit beside the repository)")
    shutil.copytree(src, dest)
    return dest


@pytest.fixture
def retail(tmp_path: Path) -> Path:
    """A fresh copy of ../shared/examples/retail (no dbt project yet)."""
    return copy_example("retail", tmp_path / "retail")


@pytest.fixture(scope="session")
def retail_initialized(tmp_path_factory) -> Path:
    """The retail example with `migrate init` done once for the session (read-only users)."""
    root = copy_example("retail", tmp_path_factory.mktemp("retail_init") / "retail")
    res = run_cli("init", "--project-root", str(root))
    assert res.returncode == 0, res.stderr
    return root


def load_json(text: str):
    return json.loads(text)
