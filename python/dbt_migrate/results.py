"""The result JSON contract (DESIGN.md): one document per generate/run in ``.migration-runs/``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .atomic import atomic_write
from .redaction import redact_data

SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class GeneratedSql(_Model):
    materialized: str | None = None
    uses_watermark: bool = False
    generator: Literal["deterministic", "llm"] | None = None


class GeneratedYaml(_Model):
    has_model_description: bool = False
    schema_tests_rendered: list[str] = Field(default_factory=list)
    has_unit_tests: bool = False
    unit_tests_rendered: int = 0
    gap_tests_rendered: int = 0


class Generated(_Model):
    model_sql: GeneratedSql = Field(default_factory=GeneratedSql)
    model_yaml: GeneratedYaml = Field(default_factory=GeneratedYaml)


class UnitTestCounts(_Model):
    total: int = 0
    passed: int = 0


class Execution(_Model):
    dbt_compile_passed: bool = False
    dbt_build_passed: bool = False
    self_correction_iterations: int = 0
    unit_tests: UnitTestCounts = Field(default_factory=UnitTestCounts)
    dbt_errors: list[str] = Field(default_factory=list)


class Output(_Model):
    table_ref: str
    model_name: str | None = None
    artifact_paths: dict[str, str] = Field(default_factory=dict)
    generated: Generated = Field(default_factory=Generated)
    equivalence: dict[str, Any] | None = None
    execution: Execution = Field(default_factory=Execution)
    llm: dict[str, Any] | None = None  # model, calls, tokens, cost: only when the LLM was used
    # Only when the run paused the model: {waiting_for: [models], reason, cycle?: [a, b, a]}.
    paused: dict[str, Any] | None = None


class ItemResult(_Model):
    item_id: str
    status: Literal["ok", "partial", "error"] = "error"
    reason: str | None = None
    output: Output
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


class RunDocument(_Model):
    schema_version: str = SCHEMA_VERSION
    run_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    results: list[ItemResult] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)

    def write(self, runs_dir: Path) -> Path:
        path = runs_dir / f"{self.run_id}.json"
        atomic_write(path, json.dumps(self.public(), indent=2, ensure_ascii=False) + "\n")
        return path

    def index_entries(self) -> dict[str, dict[str, Any]]:
        """Each item's outcome in a line or two: what ``migrate status`` shows per group."""
        out = {}
        for r in self.public()["results"]:
            paused = r["output"].get("paused")
            status = "paused" if paused else r["status"]
            problems = r["errors"] + r["output"]["execution"]["dbt_errors"] or r["warnings"][-1:]
            why = paused["reason"] if paused else "; ".join(problems[:2])
            out[r["item_id"]] = {
                "model": r["output"].get("model_name"),
                "status": status,
                "reason": r.get("reason"),
                "why": why[:500],
                "run_id": self.run_id,
            }
        return out

    def public(self) -> dict[str, Any]:
        """The document as JSON data with every secret environment value scrubbed (``redaction``)."""
        data: dict[str, Any] = redact_data(self.model_dump(mode="json"))
        return data


def update_item_index(path: Path, doc: RunDocument) -> None:
    """Merge a run's outcomes into the item index (``layout.item_index``): one small file that
    ``migrate status`` reads instead of every run document."""
    index = read_item_index(path)
    index.update(doc.index_entries())
    atomic_write(path, json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def read_item_index(path: Path) -> dict[str, dict[str, Any]]:
    """The item index; empty when there is none yet (or it is unreadable: the next run rewrites it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}
