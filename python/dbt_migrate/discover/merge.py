"""Merging a document discover built into the file already there: fields another tool or a person
wrote win, discover's own earlier fields are refreshed (``provenance.owned``), new fields are
added; ``force`` replaces the file. Pure: two documents in, the merged one and its changes out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from . import provenance as pv

ChangeKind = Literal["added", "changed", "removed", "kept"]


@dataclass(frozen=True)
class Change:
    field: str
    kind: ChangeKind  # kept: someone else's value, left as it is


def merge(
    existing: dict[str, Any] | None, ours: dict[str, Any], force: bool = False
) -> tuple[dict[str, Any], list[Change]]:
    if existing is None or not isinstance(existing, dict):
        return ours, [Change(p, "added") for p in pv.paths(ours)]
    if force:
        return ours, _diff(existing, ours)
    merged = {k: v for k, v in existing.items() if k != pv.BLOCK}
    for key in ("schema", "name"):
        if key in ours:
            merged.setdefault(key, ours[key])
    changes: list[Change] = []
    mine: list[str] = []
    for path in pv.paths(ours):
        new, old = pv.get(ours, path), pv.get(existing, path)
        if pv.missing(old):
            pv.put(merged, path, new)
            changes.append(Change(path, "added"))
            mine.append(path)
        elif old == new:
            if pv.owned(existing, path):
                mine.append(path)
        elif pv.owned(existing, path):
            pv.put(merged, path, new)
            changes.append(Change(path, "changed"))
            mine.append(path)
        else:
            changes.append(Change(path, "kept"))
    ours_paths = set(pv.paths(ours))
    for path in list(pv.paths(existing)):
        if path not in ours_paths and pv.owned(existing, path):
            pv.drop(merged, path)  # discover wrote it before and the input no longer says it
            changes.append(Change(path, "removed"))
    block = ours.get(pv.BLOCK) or {}
    rationales = pv.rationales_of(ours)
    return pv.with_block(merged, mine, rationales, block.get("read_from", "")), changes


def _diff(existing: dict[str, Any], ours: dict[str, Any]) -> list[Change]:
    old_paths = set(pv.paths(existing))
    changes = []
    for path in pv.paths(ours):
        old = pv.get(existing, path)
        if pv.missing(old):
            changes.append(Change(path, "added"))
        elif old != pv.get(ours, path):
            changes.append(Change(path, "changed"))
        old_paths.discard(path)
    return changes + [Change(p, "removed") for p in sorted(old_paths)]
