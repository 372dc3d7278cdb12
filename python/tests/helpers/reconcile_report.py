"""A ``ReconcileRun`` built from plain data, for the HTML report's tests: two tables x two rounds
(match, mismatch with example rows and column summaries, an error), with optional payloads planted
in a table name, a column name and a legacy cell."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

from dbt_migrate.reconcile.result import (
    BuildSummary,
    ColumnDiff,
    ReconcileRun,
    Report,
    RoundResult,
    SchemaColumn,
    TableRoundResult,
    summarize,
)

PAYLOAD = '</td></tr></table><script>alert("pwned")</script><img src="https://evil.example/x.png">'


def _schema(status: str = "match") -> Report:
    return Report(
        type="schema",
        status=status,  # type: ignore[arg-type]
        schema_columns=[
            SchemaColumn(
                legacy_column="CustomerCode",
                model_column="CustomerCode",
                legacy_type="VARCHAR",
                model_type="VARCHAR",
                status="ok",
            ),
            SchemaColumn(legacy_column="CustomerKey", legacy_type="INTEGER", status="excluded"),
        ],
    )


def sample_run(table: str = "silver.DimCustomer", column: str = "Email", cell: str = "ada@example.com") -> ReconcileRun:
    """Round 1: both tables match. Round 2: ``table`` has one row only in legacy (``cell`` in
    ``column``) and a column that differs; silver.FactDailyRevenue failed to compare."""

    def match(name: str, model: str, rows: int) -> TableRoundResult:
        return TableRoundResult(
            table=name,
            model=model,
            legacy_relation=f"legacy_{model}",
            model_relation=f"main.{model}",
            status="match",
            legacy_rows=rows,
            model_rows=rows,
            reports=[_schema(), Report(type="row", status="match", message="rows equal")],
        )

    differing = TableRoundResult(
        table=table,
        model="dimcustomer",
        legacy_relation="reconcile_legacy.dimcustomer_r2",
        model_relation="main.dimcustomer",
        status="mismatch",
        legacy_rows=5,
        model_rows=4,
        only_in_legacy=2,
        only_in_model=1,
        reports=[
            _schema(),
            Report(
                type="row",
                status="mismatch",
                message=f"2 rows only in legacy, 1 only in model; {column} differs in 1",
                only_in_legacy=2,
                only_in_model=1,
                examples_legacy=[
                    {"CustomerCode": "6", column: cell, "UpdatedAt": None},
                    {"CustomerCode": "7", column: "x", "UpdatedAt": 3.5},
                ],
                examples_model=[{"CustomerCode": "6", column: "kj@example.org", "UpdatedAt": None}],
            ),
            Report(
                type="data",
                status="mismatch",
                message=f"{column} differs in 1 of 4",
                columns=[
                    ColumnDiff(
                        column=column,
                        mismatches=1,
                        compared=4,
                        example={"CustomerCode": "6", "legacy": cell, "model": "kj@example.org"},
                    )
                ],
            ),
        ],
    )
    failed = TableRoundResult(
        table="silver.FactDailyRevenue",
        model="factdailyrevenue",
        legacy_relation="reconcile_legacy.factdailyrevenue_r2",
        model_relation="main.factdailyrevenue",
        status="error",
        error="Binder Error: column <Revenue> not found",
        reports=[Report(type="aggregate", status="error", message="Binder Error")],
    )
    rounds = [
        RoundResult(
            index=1,
            name="day1",
            build=BuildSummary(ok=True, models=3, duration_s=1.2),
            tables=[match(table, "dimcustomer", 4), match("silver.FactDailyRevenue", "factdailyrevenue", 2)],
        ),
        RoundResult(
            index=2, name="day2", build=BuildSummary(ok=True, models=3, duration_s=1.1), tables=[differing, failed]
        ),
    ]
    started = datetime(2026, 11, 30, 17, 0, 0, tzinfo=timezone.utc)
    return ReconcileRun(
        run_id="run-1",
        plan="/p/reconcile.yml",
        project="/p",
        dbt_target="dev",
        adapter="duckdb",
        started_at=started,
        finished_at=started,
        duration_s=4.2,
        dbt_migrate_version="0.0.0-test",
        rounds=rounds,
        summary=summarize(rounds),
    )


class ReportPage(HTMLParser):
    """Tags, attributes and text of a page, and the matrix's cells (data-status, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.matrix_rows: list[list[tuple[str | None, str]]] = []
        self._in_matrix = False
        self._cell: list[str] | None = None
        self._cell_status: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and a.get("id") == "matrix":
            self._in_matrix = True
        elif self._in_matrix and tag == "tr":
            self.matrix_rows.append([])
        elif self._in_matrix and tag == "td" and "cell" in (a.get("class") or ""):
            self._cell, self._cell_status = [], a.get("data-status")

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_matrix = False
        elif tag == "td" and self._cell is not None:
            self.matrix_rows[-1].append((self._cell_status, " ".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data.strip())


def parse_report(text: str) -> ReportPage:
    page = ReportPage()
    page.feed(text)
    page.close()
    return page
