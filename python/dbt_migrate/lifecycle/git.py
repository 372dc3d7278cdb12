"""Git for ``migrate restore --commit``: dirty check, group branch, commit of the touched files only."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import InputError


def _git(repo: Path, *args: str) -> str:
    try:
        res = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise InputError(f"cannot run git: {exc}; install git or drop --commit") from exc
    if res.returncode != 0:
        raise InputError(f"git {' '.join(args)} failed in {repo}: {res.stderr.strip() or res.stdout.strip()}")
    return res.stdout


def repo_root(path: Path) -> Path:
    try:
        return Path(_git(path, "rev-parse", "--show-toplevel").strip()).resolve()
    except InputError as exc:
        raise InputError(
            f"{path} is not inside a git repository: --commit needs one (run `git init`, or restore without --commit)"
        ) from exc


def dirty_paths(repo: Path) -> list[Path]:
    """Absolute paths with uncommitted changes (staged, unstaged or untracked)."""
    out = _git(repo, "status", "--porcelain", "-z", "--untracked-files=all")
    paths: list[Path] = []
    records = out.split("\0")
    i = 0
    while i < len(records):
        rec = records[i]
        i += 1
        if not rec:
            continue
        status, path = rec[:2], rec[3:]
        paths.append((repo / path).resolve())
        if "R" in status or "C" in status:
            i += 1  # the rename's source path follows
    return paths


def current_branch(repo: Path) -> str:
    return _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()


def switch_branch(repo: Path, branch: str) -> None:
    if current_branch(repo) == branch:
        return
    exists = (
        subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], capture_output=True
        ).returncode
        == 0
    )
    _git(repo, "checkout", *([] if exists else ["-b"]), branch)


def commit_paths(repo: Path, paths: list[Path], message: str) -> str:
    """Commit exactly ``paths`` (additions, edits and deletions); returns the new commit id."""
    rel = sorted({p.resolve().relative_to(repo).as_posix() for p in paths})
    tracked = set(_git(repo, "ls-files", "-z", "--", *rel).split("\0")) if rel else set()
    rel = [r for r in rel if r in tracked or (repo / r).exists()]  # gone and never committed: nothing to say
    if not rel:
        raise InputError(f"nothing to commit in {repo}")
    _git(repo, "add", "-A", "--", *rel)
    _git(repo, "commit", "-q", "-m", message, "--", *rel)
    return _git(repo, "rev-parse", "HEAD").strip()
