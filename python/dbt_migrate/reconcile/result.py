"""The reconcile result (``ReconcileRun``): what ``--json`` prints, what is written to
``.migration-runs/reconcile/<run_id>.json`` and what the HTML report renders. DESIGN.md's contract;
fields are only ever added (optional), never renamed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["match", "mismatch", "error"]
ReportKind = Literal["schema", "row", "data", "aggregate"]
SchemaStatus = Literal["ok", "missing_in_model", "missing_in_legacy", "incompatible", "excluded"]


class ColumnDiff(BaseModel):
    column: str
    mismatches: int
    compared: int
    tolerated: bool = False
    example: dict[str, Any] | None = None


class SchemaColumn(BaseModel):
    legacy_column: str | None = None
    model_column: str | None = None
    legacy_type: str | None = None
    model_type: str | None = None
    status: SchemaStatus


class Report(BaseModel):
    type: ReportKind
    status: Status
    passed_by_threshold: bool = False
    message: str = ""
    only_in_legacy: int = 0
    only_in_model: int = 0
    examples_legacy: list[dict[str, Any]] = Field(default_factory=list)
    examples_model: list[dict[str, Any]] = Field(default_factory=list)
    columns: list[ColumnDiff] = Field(default_factory=list)
    schema_columns: list[SchemaColumn] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "match"


class BuildSummary(BaseModel):
    ok: bool
    models: int = 0
    tests_failed: int = 0
    errors: list[str] = Field(default_factory=list)
    duration_s: float = 0.0


class TableRoundResult(BaseModel):
    table: str
    model: str
    legacy_relation: str
    model_relation: str
    status: Status
    legacy_rows: int | None = None
    model_rows: int | None = None
    only_in_legacy: int = 0
    only_in_model: int = 0
    error: str | None = None
    reports: list[Report] = Field(default_factory=list)


class RoundResult(BaseModel):
    index: int
    name: str
    build: BuildSummary
    tables: list[TableRoundResult] = Field(default_factory=list)

    def cell(self, table: str) -> TableRoundResult | None:
        """This round's result for ``table`` (None when the round did not compare it)."""
        return next((t for t in self.tables if t.table == table), None)


class Summary(BaseModel):
    rounds: int
    tables: int
    cells: int
    match: int
    mismatch: int
    error: int
    ok: bool


class ReconcileRun(BaseModel):
    run_id: str
    plan: str
    project: str
    dbt_target: str | None = None
    adapter: str
    started_at: datetime
    finished_at: datetime
    duration_s: float
    dbt_migrate_version: str
    rounds: list[RoundResult] = Field(default_factory=list)
    summary: Summary
    html_report: str | None = None

    def table_order(self) -> list[str]:
        """Every table of the run, in the order it first appears (the plan's order)."""
        return list(dict.fromkeys(t.table for rnd in self.rounds for t in rnd.tables))


def table_status(reports: list[Report]) -> Status:
    """A table-round matches when every report does (a threshold pass is a match)."""
    if any(r.status == "error" for r in reports):
        return "error"
    return "match" if all(r.status == "match" for r in reports) else "mismatch"


def summarize(rounds: list[RoundResult]) -> Summary:
    cells = [t for r in rounds for t in r.tables]
    counts = {s: sum(1 for t in cells if t.status == s) for s in ("match", "mismatch", "error")}
    builds_ok = all(r.build.ok for r in rounds)
    return Summary(
        rounds=len(rounds),
        tables=len({t.table for t in cells}),
        cells=len(cells),
        match=counts["match"],
        mismatch=counts["mismatch"],
        error=counts["error"],
        ok=bool(cells) and builds_ok and counts["match"] == len(cells),
    )
