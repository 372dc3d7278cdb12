"""The one exception of conversion: rules cannot convert this statement or procedure."""

from __future__ import annotations


class NotConvertible(Exception):
    """Rules cannot convert this; ``construct`` names what (dynamic SQL, cursor, ...)."""

    def __init__(self, construct: str, detail: str = ""):
        super().__init__(f"{construct}: {detail}" if detail else construct)
        self.construct = construct
