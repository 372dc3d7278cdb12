"""Pauses a ``migrate run`` makes by itself: the same files and state document as ``migrate pause``.

A run pauses the generated models it cannot build yet (a missing ``ref``, a cycle, a file dbt
cannot parse) into the group of every generated model, the ``dbt_migrate`` tag, so
``migrate restore dbt_migrate`` and ``migrate status`` see them like any paused model. A user's own
file that breaks dbt's parse is never paused: it is set aside for the length of the run only
(``SetAside``) and put back, byte for byte, when the run ends.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MigrateError
from ..rules import MIGRATED_TAG
from . import files, state
from .ops import Lifecycle, RestoreReport
from .readiness import READY, PausedModel

AUTO_GROUP = MIGRATED_TAG


def _now() -> str:
    return _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def pause_models(lc: Lifecycle, models: dict[str, str]) -> list[Path]:
    """Skip each model (name -> its ``.sql`` path relative to the dbt project) as ``migrate pause``
    does; returns the YAML files whose text changed (the caller's ledger records them)."""
    changed: list[Path] = []
    texts = {y: files.read_text(y) for y in files.yaml_files(lc.layout)}  # read once, not once a model
    for name, rel in models.items():
        if not (lc.dbt_dir / rel).is_file():
            continue
        candidates = [y for y, text in texts.items() if name in text]
        for p in lc._skip_model(rel, name, candidates):
            if p in texts and p.is_file():
                texts[p] = files.read_text(p)
            if p.suffix in {".yml", ".yaml"} and p.is_file() and p not in changed:
                changed.append(p)
    return changed


def unpause_before_rewrite(lc: Lifecycle, rel_sql: str, ledger: Any) -> None:
    """A model this run writes again that an earlier run paused: its YAML entries go back and its
    ``.skip`` file is renamed back first, so the new text replaces what was paused and no stale
    paused copy is left. ``ledger`` (``artifacts.Ledger``) keeps owning the files it owned."""
    skip = lc.dbt_dir / (rel_sql + files.SKIP)
    if not skip.is_file():
        return
    model = PausedModel(files.model_name_of(skip), skip.relative_to(lc.dbt_dir).as_posix())
    touched = [p for p in lc._touched_by(model) if p.suffix in {".yml", ".yaml"}]
    ours = {p for p in touched if ledger.is_ours(p)}
    lc._unskip_models([model])
    for p in ours:
        if p.is_file():
            ledger.record(p, p.read_text(encoding="utf-8"))
    ledger.save()


def record_state(lc: Lifecycle, outcome: Any, paused_now: list[str], reasons: dict[str, str]) -> str | None:
    """Update the group's state document after a run paused or wrote models; ``outcome``: the build's
    successful dbt parse. Returns the document's path when it changed."""
    parsed = lc.parse(outcome)
    docs = lc._documents()
    view = lc.view(AUTO_GROUP, parsed, lc.paused_models(docs), docs)
    if not paused_now and view.doc_text is None:
        return None
    log = (
        state.LogEntry(
            at=_now(),
            action="auto-pause",
            paused=sorted(paused_now),
            still_paused=sorted(m.name for m in view.paused),
            next_action=lc._next_action(view),
        )
        if paused_now
        else None
    )
    changed = lc._write_doc(view, state.PAUSED if view.paused else state.COMPLETE, log, reasons)
    return str(view.doc_path) if changed else None


def restore_ready(lc: Lifecycle, outcome: Any) -> RestoreReport | None:
    """At the start of a run: restore the group's paused models whose dependencies now exist.
    ``outcome``: the run's first (successful) dbt parse, enough to see that nothing is ready
    without parsing again. None when nothing was restored."""
    docs = lc._documents()
    paused = lc.paused_models(docs)
    if not any(AUTO_GROUP in m.groups for m in paused):
        return None
    try:
        view = lc.view(AUTO_GROUP, lc.parse(outcome), paused, docs)
        if not any(v.status == READY for v in view.verdicts.values()):
            return None
        report = lc.restore(AUTO_GROUP)
    except MigrateError:
        return None  # the run reports the project's state; restore waits for a project that parses
    return report if report.resumed else None


@dataclass
class SetAside:
    """Files moved out of dbt's way for one run (renamed to ``.skip``), put back by ``put_back``."""

    dbt_dir: Path
    files: dict[str, str] = field(default_factory=dict)  # relative path -> dbt's message

    def add(self, rel: str, message: str) -> bool:
        src = self.dbt_dir / rel
        dst = src.with_name(src.name + files.SKIP)
        if rel in self.files or not src.is_file() or dst.exists():
            return False
        src.replace(dst)
        self.files[rel] = message
        return True

    def put_back(self) -> list[str]:
        """Rename every file back; returns the ones that could not be (the name is taken now)."""
        stuck = []
        for rel in self.files:
            src = self.dbt_dir / rel
            dst = src.with_name(src.name + files.SKIP)
            if not dst.is_file():
                continue
            if src.exists():
                stuck.append(rel)
                continue
            dst.replace(src)
        return stuck
