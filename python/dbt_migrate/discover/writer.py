"""Writing what discover found into the migration project: ``manifest.json`` and
``catalog/{tables,views,procedures}/<fqn>.json`` (and ``ddl/*.sql`` when the input is another
folder), merged with the files already there (``merge.py``), atomically (``atomic.py``), at paths
``layout.py`` checks. ``dry_run`` computes the same changes and writes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import layout
from ..atomic import atomic_write_many
from ..errors import InputError
from ..escaping import UnsafeInputError
from ..jsonfile import read_json
from .documents import documents
from .merge import Change, merge
from .model import Analysis, Discovered, Problem
from .scripts import MARKER, scripts

FileStatus = Literal["created", "updated", "unchanged", "kept"]
STATUSES: tuple[FileStatus, ...] = ("created", "updated", "unchanged", "kept")


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the project root, forward slashes
    status: FileStatus  # kept: an existing file discover leaves as it is (someone else's)
    changes: list[Change] = field(default_factory=list)
    why: str = ""


@dataclass
class WriteReport:
    files: list[FileChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: FileStatus) -> int:
        return sum(f.status == status for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "files": [
                {
                    "path": f.path,
                    "status": f.status,
                    "why": f.why or None,
                    "changes": [{"field": c.field, "change": c.kind} for c in f.changes],
                }  # fmt: skip
                for f in self.files
            ],
            "counts": {s: self.count(s) for s in STATUSES},
        }


def _path(root: Path, rel: str) -> Path:
    if rel == layout.MANIFEST_FILE:
        return layout.manifest_file(root)
    _, bucket, stem = rel.split("/", 2)
    return layout.catalog_file(root, bucket, stem.removesuffix(".json"))


def _text(doc: dict[str, Any]) -> str:
    return _pretty(doc, 0) + "\n"


def _pretty(value: Any, depth: int) -> str:
    """JSON a person can read and edit: objects and lists opened for two levels (a column, a
    statement, a profile field per line), compact below. Same data as ``json.dumps``; the compact
    parts use json's C encoder (``indent`` would use the pure-Python one: seconds per thousand files)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if depth < 2 and isinstance(value, dict) and value:
        items = (f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, depth + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if depth < 2 and isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{inner}{_pretty(v, depth + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def write_catalogs(
    project_root: Path,
    discovered: Discovered,
    analysis: Analysis,
    force: bool = False,
    dry_run: bool = False,
    ddl_from: str | None = None,
) -> WriteReport:
    """Write (or with ``dry_run`` only compute) every document; ``ddl_from`` (the input folder,
    when it is not the project's own ``ddl/``) also writes ``ddl/tables.sql`` and ``procedures.sql``."""
    root = Path(project_root)
    report = WriteReport(dry_run=dry_run)
    pending: dict[Path, str] = {}
    for rel, ours in documents(discovered, analysis).items():
        try:
            path = _path(root, rel)
        except UnsafeInputError as exc:
            where = ours.get("discover", {}).get("read_from", "") or ":0"
            file, _, line = where.rpartition(":")
            report.problems.append(Problem(file, int(line or 0), f"not written: {exc}", rel.rsplit("/", 1)[-1][:-5]))
            continue
        report.files.append(_write_json(path, rel, ours, force, pending))
    if ddl_from is not None:
        texts, problems = scripts(discovered, ddl_from)
        report.problems += problems
        for name, text in texts.items():
            path = layout.ddl_file(root, name)
            report.files.append(_write_script(path, f"{layout.DDL_DIR}/{name}", text, force, pending))
    if not dry_run:
        atomic_write_many(pending)
    return report


def _write_json(path: Path, rel: str, ours: dict[str, Any], force: bool, pending: dict[Path, str]) -> FileChange:
    """The change to one catalog file; its new text goes into ``pending`` (written by the caller)."""
    existing: dict[str, Any] | None = None
    old_text = None
    if path.exists():
        try:
            old_text = path.read_text(encoding="utf-8")
            data = read_json(path)
        except (InputError, OSError, UnicodeDecodeError) as exc:
            if not force:
                return FileChange(rel, "kept", why=f"cannot be read ({exc}); --force replaces it")
            data = None
        existing = data if isinstance(data, dict) else None
        if existing is None and not force:
            return FileChange(rel, "kept", why="not a JSON object; --force replaces it")
    merged, changes = merge(existing, ours, force=force)
    text = _text(merged)
    if old_text is not None and text == old_text:
        return FileChange(rel, "unchanged", [c for c in changes if c.kind == "kept"])
    pending[path] = text
    return FileChange(rel, "created" if old_text is None else "updated", changes)


def _write_script(path: Path, rel: str, text: str, force: bool, pending: dict[Path, str]) -> FileChange:
    old = path.read_text(encoding="utf-8", errors="replace") if path.exists() else None
    if old == text:
        return FileChange(rel, "unchanged")
    ours_before = old is not None and old.startswith(MARKER.split("{source}")[0])
    if old is not None and not ours_before and not force:
        return FileChange(rel, "kept", why="not written by discover; --force replaces it")
    pending[path] = text
    return FileChange(rel, "created" if old is None else "updated")
