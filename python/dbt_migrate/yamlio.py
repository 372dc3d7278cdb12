"""YAML in and out with libyaml when PyYAML has it: the same documents, several times faster, and a
whole-warehouse batch reads and writes hundreds of them."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str) -> Any:
    """``yaml.safe_load``; raises ``yaml.YAMLError`` on invalid input."""
    return yaml.load(text, Loader=_LOADER)


def dump(doc: Any, **options: Any) -> str:
    """``yaml.safe_dump`` with the caller's options."""
    return yaml.dump(doc, Dumper=_DUMPER, **options)
