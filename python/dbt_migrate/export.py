"""`migrate export`: store each table's render context and converted SQL in the dbt project.

The same stages as a run up to the conversion (contexts, conversion, source declarations), then the
stored-context files of every table that converted (``stored_context``), and nothing else: no model
is rendered or built. A dbt-only user (dbt Cloud) commits the files and renders each model with
``dbt run-operation dbt_migrate.generate_model --args '{table: ...}'``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import escaping, layout, stored_context
from .artifacts import UserEditedError, write_all
from .convert import render_item
from .dbt import dbt_info
from .errors import InputError, MigrateError
from .names import TableId
from .pipeline import Pipeline
from .warehouse import Warehouse


@dataclass
class Exported:
    """What one export wrote (``written``, per table) and which tables it could not store (``failed``)."""

    written: dict[str, list[Path]] = field(default_factory=dict)
    sources_file: Path | None = None
    failed: dict[str, str] = field(default_factory=dict)


class Exporter(Pipeline):
    """A pipeline that stops after conversion and writes stored contexts instead of models."""

    def _parse(self) -> Any:
        """The project's manifest; export changes no model, so a project dbt cannot parse stops it."""
        outcome = self.dbt.parse()
        if not outcome.success or outcome.manifest is None:
            raise InputError(f"dbt project {self.dbt_dir} does not parse: " + "; ".join(outcome.errors[:3]))
        return outcome.manifest

    def export(self, tables: list[TableId]) -> Exported:
        out = Exported()
        self.items = []
        wh = Warehouse(self.mp, dbt_info(self._parse()))
        self._contexts(wh, tables)
        self._convert(wh, self.items)
        self._declare_sources(wh, self.items)
        sources = layout.sources_file(self.dbt_dir)
        out.sources_file = sources if sources.is_file() else None
        for item in self.items:
            key = str(item.table)
            if item.context is None or item.conversion is None or not item.conversion.ok:
                out.failed[key] = "; ".join(item.result.errors) or (item.result.reason or "not converted")
                continue
            ctx = item.ctx
            payload = render_item(ctx, item.conv)  # what the run renders, SCD2 snapshot settings included
            try:
                files = stored_context.files(self.dbt_dir, ctx.table, ctx.model_name, payload)
                out.written[ctx.table] = write_all(self.ledger, files, force=self.force)
            except (UserEditedError, escaping.UnsafeInputError, MigrateError) as exc:
                out.failed[key] = str(exc)
        return out
