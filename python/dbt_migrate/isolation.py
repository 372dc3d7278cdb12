"""Isolating what breaks a batched dbt call, so the rest of the batch still goes through.

``render_isolating``: the package's ``generate_models`` run-operation renders a whole batch at once;
when it fails, halves are rendered until each failing item stands alone with the macro's message
(a batch with one bad item costs about 2·log2(N) extra run-operations, never N).

``parse_culprits``: when dbt cannot parse the project after writing, the files dbt's exception
names (typed, from the exception's nodes) or, for YAML errors, the file its message names, are
mapped to the items that wrote them; any other file is the user's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .errors import MigrateError

T = TypeVar("T")
R = TypeVar("R")


def render_isolating(
    render: Callable[[list[T]], dict[str, R]], batch: Sequence[T]
) -> tuple[dict[str, R], dict[int, str]]:
    """Render ``batch`` with ``render`` (which raises ``MigrateError`` when the batch fails).

    Returns what rendered (merged over the halves) and, for each index of ``batch`` that fails on
    its own, the error's message. One call when nothing fails.
    """
    rendered: dict[str, R] = {}
    failures: dict[int, str] = {}

    def go(indices: list[int]) -> None:
        if not indices:
            return
        try:
            rendered.update(render([batch[i] for i in indices]))
            return
        except MigrateError as exc:
            if len(indices) == 1:
                failures[indices[0]] = str(exc)
                return
        mid = len(indices) // 2
        go(indices[:mid])
        go(indices[mid:])

    go(list(range(len(batch))))
    return rendered, failures


def parse_culprits(
    exception_paths: Sequence[str], errors: Sequence[str], files: Mapping[str, Any], project_files: Sequence[str]
) -> tuple[dict[Any, str], list[str]]:
    """Which items and which other files a failed parse is about.

    ``exception_paths``: files of the nodes dbt's exception names (relative to the dbt project).
    ``errors``: dbt's error texts. ``files``: relative path of every file this run wrote -> its
    item. ``project_files``: the project's model/YAML files (relative), searched for in the error
    text when the exception names no node (a YAML error names its file only in its message).
    Returns ({item: dbt's message}, [other files]).
    """
    message = dbt_message(errors)
    named = list(exception_paths)
    if not named:
        text = "\n".join(errors)
        named = [p for p in list(files) + list(project_files) if p in text]
        # "models/staging/_x.yml" also contains "x.yml"-like shorter paths: keep the longest.
        named = [p for p in dict.fromkeys(named) if not any(p != q and p in q for q in named)]
    items: dict[Any, str] = {}
    others: list[str] = []
    for path in named:
        owner = files.get(path)
        if owner is not None:
            items.setdefault(owner, message)
        elif path not in others:
            others.append(path)
    return items, others


def dbt_message(errors: Sequence[str]) -> str:
    """dbt's message, each line once (dbt reports an error as an event and as its exception),
    compacted to one line for a result document."""
    lines = dict.fromkeys(ln.strip() for e in errors for ln in e.splitlines() if ln.strip())
    lines.pop("Encountered an error:", None)
    return " ".join(list(lines)[:8])[:800] or "dbt parse failed"


def relative(base: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
