"""Which fields of a catalog document discover wrote: the document's ``discover`` block names each
one (``columns``; an object's entries one by one: ``profile.classification``) with a rationale and
a fingerprint of the value written. A field whose value still has that fingerprint is discover's
own (refreshed on the next run); any other value was written by a person or another tool (kept
unless ``--force``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

BLOCK = "discover"
_IDENTITY = ("schema", "name", BLOCK)
_MISSING = object()


def fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def paths(doc: dict[str, Any]) -> Iterator[str]:
    """The fields of a document as merge compares them: top-level keys, and each entry of an
    object-valued key (``profile.watermark``)."""
    for key, value in doc.items():
        if key in _IDENTITY:
            continue
        if isinstance(value, dict) and value:
            yield from (f"{key}.{sub}" for sub in value)
        else:
            yield key


def get(doc: dict[str, Any], path: str) -> Any:
    """The value at ``path``, or ``MISSING``."""
    key, _, sub = path.partition(".")
    value = doc.get(key, _MISSING)
    if not sub:
        return value
    return value.get(sub, _MISSING) if isinstance(value, dict) else _MISSING


def missing(value: Any) -> bool:
    return value is _MISSING


def put(doc: dict[str, Any], path: str, value: Any) -> None:
    key, _, sub = path.partition(".")
    if not sub:
        doc[key] = value
        return
    inner = doc.get(key)
    doc[key] = {**inner, sub: value} if isinstance(inner, dict) else {sub: value}


def drop(doc: dict[str, Any], path: str) -> None:
    key, _, sub = path.partition(".")
    if not sub:
        doc.pop(key, None)
    elif isinstance(doc.get(key), dict):
        doc[key] = {k: v for k, v in doc[key].items() if k != sub}


def stamp(doc: dict[str, Any], rationales: dict[str, str], where: str) -> dict[str, Any]:
    """``doc`` with its ``discover`` block: every field discover wrote, with the rationale of its
    top-level key (else a generic one) and its fingerprint, and where in the input it was read."""
    return with_block(doc, list(paths(doc)), rationales, where)


def with_block(doc: dict[str, Any], fields: list[str], rationales: dict[str, str], where: str) -> dict[str, Any]:
    entries = {
        p: {
            "rationale": rationales.get(p.partition(".")[0], "written by discover"),
            "fingerprint": fingerprint(get(doc, p)),
        }
        for p in fields
    }
    block: dict[str, Any] = {"source": "discover", "fields": entries}
    if where:
        block["read_from"] = where
    body = {k: v for k, v in doc.items() if k != BLOCK}
    return {**body, BLOCK: block}


def rationales_of(doc: dict[str, Any]) -> dict[str, str]:
    block = doc.get(BLOCK)
    entries = block.get("fields") if isinstance(block, dict) else None
    if not isinstance(entries, dict):
        return {}
    return {p.partition(".")[0]: e["rationale"] for p, e in entries.items() if isinstance(e, dict) and "rationale" in e}


def owned(existing: dict[str, Any], path: str) -> bool:
    """Whether ``existing``'s value at ``path`` is still exactly what discover wrote there."""
    block = existing.get(BLOCK)
    entries = block.get("fields") if isinstance(block, dict) else None
    entry = entries.get(path) if isinstance(entries, dict) else None
    return isinstance(entry, dict) and entry.get("fingerprint") == fingerprint(get(existing, path))
