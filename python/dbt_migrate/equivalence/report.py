"""Check records and the report they add up to (pure data, no I/O)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["match", "divergence", "gap"]
ORDER = {"match": 0, "divergence": 1, "gap": 2}


@dataclass
class Check:
    """One structural or data comparison: ``match``, ``divergence`` (intentional, informational)
    or ``gap`` (a warning: the model may not do what the legacy code did)."""

    check: str
    status: Status
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    table: str
    model: str
    checks: list[Check] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> Status:
        worst: Status = "match"
        for c in self.checks:
            if ORDER[c.status] > ORDER[worst]:
                worst = c.status
        return worst

    @property
    def gaps(self) -> list[Check]:
        return [c for c in self.checks if c.status == "gap"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "model": self.model,
            "verdict": self.verdict,
            "checks": [c.to_dict() for c in self.checks],
            "data": self.data,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
