"""Secrets never leave the process: environment values that are secrets are scrubbed from text.

A variable is a secret when its name says so (``*KEY*``, ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``,
``*PASSWD*``, ``*CREDENTIAL*``), whatever its value's length. Rule for its value:

- 8 characters or more: every occurrence is replaced, inside other text too;
- 1 to 7 characters: every occurrence that stands as a whole token (not inside a longer run of
  letters, digits or ``_``) is replaced, so ``key=ab1`` loses ``ab1`` while the word ``cab1e`` is
  left alone: a short secret is found where a message prints it, and text around it keeps its
  meaning;
- an empty value, and flag-like values (``true``, ``false``, ``yes``, ``no``, ``on``, ``off``,
  ``none``, ``null``, ``0``, ``1``), are never replaced: they hold nothing to leak, and replacing
  every ``1`` or ``no`` would make messages unreadable.

Longer values are replaced first, so a short secret that is part of a longer one never leaves the
rest of the longer one behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

MASK = "***"
SECRET_NAME_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL")
LONG = 8
FLAG_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "0", "1"})


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    return any(part in upper for part in SECRET_NAME_PARTS)


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values to scrub, longest first."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if is_secret_name(k) and v.strip() and v.strip().lower() not in FLAG_VALUES}
    return sorted(values, key=lambda v: (-len(v), v))


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret environment value replaced by ``***`` (see the module's rule)."""
    return _scrub(text, secret_values(environ))


def _scrub(text: str, values: list[str]) -> str:
    for value in values:
        if len(value) >= LONG:
            text = text.replace(value, MASK)
        elif value in text:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(value)}(?![A-Za-z0-9_])", MASK, text)
    return text


def redact_data(data: Any, environ: Mapping[str, str] | None = None) -> Any:
    """A JSON-shaped value with every string in it redacted (keys too)."""
    values = secret_values(environ)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return _scrub(node, values)
        if isinstance(node, dict):
            return {walk(k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)
