"""Reading one JSON input file so that bad input stays bad input: never an internal error.

Python's ``json`` turns ``NaN``/``Infinity`` into floats, silently rounds long decimals, refuses
integers over 4300 digits with a bare ``ValueError`` and overflows its stack on deeply nested
arrays. Here every number is kept exactly (``int``, or a ``float`` whose shortest form is the
value written) or rejected with the field that holds it, and nesting too deep is a named error.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import InputError

# Python refuses to convert integers longer than this to and from text (sys.int_info).
MAX_INT_DIGITS = 4300


class _Rejected:
    """A JSON number kept out of the data: why, found by ``_first_rejected`` with its field path."""

    def __init__(self, why: str):
        self.why = why


def _number(text: str) -> Any:
    """A JSON number as Python keeps it exactly, or a ``_Rejected`` saying why it cannot be."""
    digits = sum(ch.isdigit() for ch in text)
    if "." not in text and "e" not in text.lower():
        if digits > MAX_INT_DIGITS:
            return _Rejected(f"a number of {digits} digits: more than any SQL numeric type holds")
        return int(text)
    value = float(text)
    if math.isinf(value):
        return _Rejected(f"the number {text[:20]}... is out of range (it would become Infinity)")
    try:
        exact = Decimal(repr(value)) == Decimal(text)
    except InvalidOperation:  # pragma: no cover - json only hands over valid numbers
        exact = False
    if not exact:
        return _Rejected(
            f"the number {text[:20]}{'...' if len(text) > 20 else ''} ({digits} digits) cannot be kept exactly "
            "as a number: write it as a string to keep every digit"
        )
    return value


def _constant(name: str) -> _Rejected:
    return _Rejected(f"{name} is not a number a SQL column can hold (JSON has no {name})")


def _first_rejected(data: Any) -> tuple[str, str] | None:
    """``(field path, why)`` of the first rejected number, walking without recursion."""
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, _Rejected):
            return ".".join(where) or "(top level)", node.why
        if isinstance(node, dict):
            stack.extend((where + (str(k),), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((where + (str(i),), v) for i, v in reversed(list(enumerate(node))))
    return None


def read_json(path: Path) -> Any:
    """The JSON document at ``path``; anything unreadable is an ``InputError`` naming the file (and
    the field, for a number that cannot be kept exactly)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    seen: list[_Rejected] = []  # the document is walked for a field path only when one was seen

    def number(token: str) -> Any:
        value = _number(token)
        if isinstance(value, _Rejected):
            seen.append(value)
        return value

    def constant(token: str) -> _Rejected:
        seen.append(_constant(token))
        return seen[-1]

    try:
        data = json.loads(text, parse_int=number, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError:
        raise InputError(
            f"{path}: JSON nested too deeply to read (thousands of levels of arrays or objects); "
            "no migration file needs more than a few"
        ) from None
    rejected = _first_rejected(data) if seen else None
    if rejected is not None:
        raise InputError(f"{path}: field '{rejected[0]}': {rejected[1]}")
    return data
