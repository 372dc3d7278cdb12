"""Rendering models and YAML through the package's macros: one run-operation for a whole batch.

Python never formats config blocks or schema YAML itself, so the sidecar and a dbt-only run of
``dbt_migrate.generate_model`` cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import layout
from .dbt import DbtOutcome, DbtProject
from .errors import MigrateError

MARKER = "dbt_migrate__generate_models::"
CREATED_MARKER = "dbt_migrate__created_sources::"


class RenderError(MigrateError):
    """The package's rendering macro failed (exit 1)."""


@dataclass
class Rendered:
    model_name: str
    materialized: str
    model_sql: str
    schema_yml: str
    snapshot_name: str | None = None
    snapshot_yml: str | None = None
    versions_sql: str | None = None  # the current-flag view over an SCD2 snapshot

    def snapshot_files(self, dbt_dir: Path, model_name: str) -> dict[Path, str]:
        """The snapshot's YAML and, when the legacy table has a current flag, the view adding it."""
        files: dict[Path, str] = {}
        if self.snapshot_yml:
            files[layout.snapshot_yaml(dbt_dir, model_name)] = self.snapshot_yml
        if self.versions_sql:
            files[layout.model_sql(dbt_dir, layout.versions_model(model_name))] = self.versions_sql
        return files


def _marked(outcome: DbtOutcome, marker: str) -> Any:
    for line in outcome.debug_logs:
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    return None


def render_models(dbt: DbtProject, items: list[dict[str, Any]], manifest: Any = None) -> dict[str, Rendered]:
    """``items``: [{"context": ..., "sql": ...}] -> {model_name: Rendered}."""
    if not items:
        return {}
    outcome = dbt.run_operation(
        "dbt_migrate.generate_models", {"models": items, "print_output": False}, manifest=manifest
    )
    payload = _marked(outcome, MARKER)
    if not outcome.success or payload is None:
        detail = "; ".join(outcome.errors) or "the macro returned nothing"
        raise RenderError(f"dbt_migrate.generate_models failed: {detail}")
    rendered = {}
    for r in payload:
        item = Rendered(
            model_name=r["model_name"],
            materialized=r["materialized"],
            model_sql=r["model_sql"],
            schema_yml=r["schema_yml"],
            snapshot_name=r.get("snapshot_name"),
            snapshot_yml=r.get("snapshot_yml"),
            versions_sql=r.get("versions_sql"),
        )
        rendered[item.snapshot_name or item.model_name] = item
    return rendered


def create_empty_sources(dbt: DbtProject, sources: list[dict[str, Any]], manifest: Any = None) -> list[str]:
    """Create missing source relations empty in the sandbox; returns the names created."""
    if not sources:
        return []
    outcome = dbt.run_operation("dbt_migrate._create_empty_sources", {"sources": sources}, manifest=manifest)
    created = _marked(outcome, CREATED_MARKER)
    if not outcome.success or created is None:
        raise RenderError("creating empty source relations failed: " + ("; ".join(outcome.errors) or "no output"))
    return created
