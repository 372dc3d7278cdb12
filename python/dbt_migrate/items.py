"""One table's journey through a generate/run: the item every pipeline stage reads and fills."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contracts import Context
from .convert import Conversion
from .names import TableId
from .results import ItemResult, Output


@dataclass
class Item:
    """One table's journey through the pipeline."""

    table: TableId
    result: ItemResult
    context: Context | None = None
    conversion: Conversion | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    selector: str | None = None  # dbt node name to build
    snapshot_config: dict[str, Any] | None = None  # the rendered snapshot's config, if any
    skipped_only: bool = False  # the last build failed it only by skipping its nodes (dbt's status)

    # Typed access for stages that only see items past an earlier stage: an item without a context
    # never reaches conversion, one without a conversion never reaches rendering, and so on.
    @property
    def ctx(self) -> Context:
        if self.context is None:
            raise RuntimeError(f"internal: {self.table} reached a stage without a context")
        return self.context

    @property
    def conv(self) -> Conversion:
        if self.conversion is None:
            raise RuntimeError(f"internal: {self.table} reached a stage without a conversion")
        return self.conversion

    @property
    def model(self) -> str:
        if self.selector is None:
            raise RuntimeError(f"internal: {self.table} reached the build without a written model")
        return self.selector


def error_result(table: TableId, message: str, reason: str | None = None) -> ItemResult:
    return ItemResult(
        item_id=table.key, status="error", reason=reason, output=Output(table_ref=str(table)), errors=[message]
    )


def mark_interrupted(items: list[Item], tables: list[TableId], revising: set[int]) -> None:
    """After Ctrl-C: unfinished items say so, and tables never reached get an item that says so.
    ``revising``: ids of items whose last failure was being revised (so not final)."""
    reached = {i.table.key for i in items}
    for item in items:
        r = item.result
        if r.status != "ok" and (id(item) in revising or (not r.errors and not r.output.execution.dbt_errors)):
            r.status = "error" if not item.paths else "partial"
            r.reason = r.reason or "interrupted"
            r.errors.append("interrupted before this item finished")
    for table in tables:
        if table.key not in reached:
            items.append(
                Item(
                    table=table, result=error_result(table, "interrupted before this table was reached", "interrupted")
                )
            )
