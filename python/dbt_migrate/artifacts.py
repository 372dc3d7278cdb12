"""Writing files into the dbt project: atomically, merging YAML by name, never clobbering edits.

Every file dbt-migrate writes is recorded with its SHA-256 in ``<dbt>/.dbt-migrate/written.json``.
A file that exists but is not byte-identical to what we last wrote was edited by a person (or
was never ours): it is not overwritten unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from . import layout, yamlio
from .atomic import atomic_write
from .errors import InputError, MigrateError


class UserEditedError(MigrateError):
    """A target file was changed by someone since dbt-migrate wrote it (exit 1)."""


def _sha(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


class Ledger:
    """What we wrote, so a later run can tell our files from a person's edits."""

    def __init__(self, dbt_dir: Path):
        self.dbt_dir = dbt_dir
        self.path = layout.ledger_file(dbt_dir)
        self.entries: dict[str, str] = self._read() if self.path.is_file() else {}

    def _read(self) -> dict[str, str]:
        """The ledger on disk; a file of any other shape is a named error (exit 2), never guessed at."""
        what_to_do = (
            "delete it to start a new ledger (dbt-migrate then treats the model files already there as "
            "not its own: re-run with --force to overwrite them)"
        )
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise InputError(f"{self.path}: not a readable dbt-migrate ledger ({exc}); {what_to_do}") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) == 64 for k, v in data.items()
        ):
            raise InputError(
                f"{self.path}: not a dbt-migrate ledger (expected an object of file path -> SHA-256 text, "
                f"found {type(data).__name__} with other content); {what_to_do}"
            )
        return data

    def _rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.dbt_dir.resolve()).as_posix()

    def is_ours(self, path: Path) -> bool:
        """True when the file is absent or byte-identical to what we last wrote."""
        if not path.exists():
            return True
        recorded = self.entries.get(self._rel(path))
        return recorded is not None and recorded == _sha(path.read_bytes())

    def record(self, path: Path, text: str) -> None:
        self.entries[self._rel(path)] = _sha(text)

    def save(self) -> None:
        atomic_write(self.path, json.dumps(self.entries, indent=2, sort_keys=True) + "\n")


def write_all(ledger: Ledger, files: dict[Path, str], force: bool = False) -> list[Path]:
    """Check every file first, then write each atomically: all or nothing for edit conflicts and
    for paths that would leave the dbt project (``layout.inside``)."""
    for path in [*files, ledger.path]:
        layout.inside(ledger.dbt_dir, path)
    blocked = [p for p, text in files.items() if not ledger.is_ours(p) and p.read_text(encoding="utf-8") != text]
    if blocked and not force:
        names = ", ".join(str(p) for p in blocked)
        raise UserEditedError(
            f"{names}: changed since dbt-migrate wrote it (or not written by dbt-migrate); "
            "re-run with --force to overwrite, or move your edits aside"
        )
    written = []
    for path, text in files.items():
        atomic_write(path, text)
        ledger.record(path, text)
        ledger.save()  # after each file: an interrupted batch still knows every file it wrote
        written.append(path)
    return written


def merge_schema_yml(existing: str | None, new: str, path: Path | None = None) -> str:
    """Merge a rendered schema YAML into an existing file, replacing entries by name.

    ``models``, ``snapshots``, ``sources`` and ``unit_tests`` entries with the same name are replaced;
    other entries and top-level keys are kept. An existing file that is not valid YAML is an error
    naming it (it is never replaced silently).
    """
    new_doc = yamlio.load(new) or {}
    if not existing or not existing.strip():
        return dump_yaml(new_doc)
    try:
        old_doc = yamlio.load(existing) or {}
    except yaml.YAMLError as exc:
        raise MigrateError(f"{path or 'existing schema YAML'}: invalid YAML, not merged: {exc}") from exc
    if not isinstance(old_doc, dict):
        return dump_yaml(new_doc)
    merged: dict[str, Any] = dict(old_doc)
    merged.setdefault("version", 2)
    for section in ("models", "snapshots", "sources", "unit_tests", "seeds"):
        incoming = new_doc.get(section) or []
        if not incoming:
            continue
        names = {_entry_key(section, e) for e in incoming}
        kept = [e for e in (old_doc.get(section) or []) if _entry_key(section, e) not in names]
        merged[section] = kept + incoming
    return dump_yaml(merged)


def _entry_key(section: str, entry: dict) -> tuple:
    if section == "unit_tests":
        return (entry.get("model"), entry.get("name"))
    return (entry.get("name"),)


def dump_yaml(doc: Any) -> str:
    return yamlio.dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
