"""The reconcile HTML report: one self-contained file (``report_style``: inline CSS, no URL, a CSP
that loads nothing) with the tables x rounds matrix, a drill-down per table and round (every report
with its message, column summaries and example rows per side), the schema comparison, the builds
and the run's metadata.

Everything in a ``ReconcileRun`` is untrusted (legacy cells, table and column names, dbt errors):
``report_style`` escapes every value that is not HTML it built itself. ``render_html`` is pure;
``write_html`` writes the file atomically.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import report_style as ui
from ..atomic import atomic_write
from ..escaping import html_text as h  # every value from the run (Markup.format would escape it too)
from .result import ReconcileRun, Report, RoundResult, TableRoundResult

TITLE = "Reconcile report"
MAX_CELL = 300  # characters of one example value shown (the JSON result keeps the whole value)


def write_html(run: ReconcileRun, path: Path) -> Path:
    """Render ``run`` and write it to ``path`` atomically; returns ``path``."""
    atomic_write(path, render_html(run))
    return path


def render_html(run: ReconcileRun) -> str:
    tables = run.table_order()
    body = Markup("\n").join(
        [
            _verdict(run),
            Markup('<h2 id="matrix-heading">Matrix: tables x rounds</h2>'),
            matrix(run, tables),
            Markup("<h2>Builds</h2>"),
            _builds(run.rounds),
            Markup("<h2>Schema</h2>"),
            _schemas(run, tables),
            Markup("<h2>Tables</h2>"),
            ui.toolbar(),
            Markup("").join(_drilldown(run, i, table) for i, table in enumerate(tables)),
            Markup("<h2>Run</h2>"),
            _metadata(run),
        ]
    )
    subtitle = f"plan {run.plan} · {run.adapter} · {run.started_at:%Y-%m-%d %H:%M:%S} · {run.duration_s:.1f} s"
    footer = f"dbt-migrate {run.dbt_migrate_version} · run {run.run_id}"
    return ui.page(TITLE, body, subtitle=subtitle, footer=footer)


def _anchor(table_index: int, round_index: int | None = None) -> str:
    """Element ids come from indexes only: a table name never reaches an attribute."""
    return f"t{table_index}" if round_index is None else f"t{table_index}-r{round_index}"


def cell_text(t: TableRoundResult) -> tuple[str, str]:
    """(headline, detail) of one matrix cell, e.g. ("2 only in legacy", "Email differs in 1")."""
    rows = f"{t.legacy_rows} legacy / {t.model_rows} model rows" if t.legacy_rows is not None else ""
    if t.status == "error":
        return "error", _short(t.error or next((r.message for r in t.reports if r.status == "error"), ""), 90)
    if t.status == "match":
        tolerated = any(r.passed_by_threshold for r in t.reports)
        return ("match (within thresholds)" if tolerated else "match"), rows
    parts = [f"{t.only_in_legacy} only in legacy"] if t.only_in_legacy else []
    parts += [f"{t.only_in_model} only in model"] if t.only_in_model else []
    failing = [r for r in t.reports if r.status != "match"]
    headline = " / ".join(parts) or (f"{failing[0].type} differs" if failing else "mismatch")
    detail = "; ".join(_short(r.message, 90) for r in failing if r.message) or rows
    return headline, detail


def matrix(run: ReconcileRun, tables: Sequence[str]) -> Markup:
    head = [Markup("<th>table</th><th>model</th>")]
    for rnd in run.rounds:
        head.append(
            Markup("<th>{} {}<br>{}</th>").format(
                rnd.index,
                h(rnd.name),
                ui.badge("match" if rnd.build.ok else "error", "build ok" if rnd.build.ok else "build failed"),
            )
        )
    rows = []
    for i, table in enumerate(tables):
        model = next((c.model for r in run.rounds if (c := r.cell(table))), "")
        cells = [Markup('<th><a href="#{}">{}</a></th><td><code>{}</code></td>').format(_anchor(i), h(table), h(model))]
        for rnd in run.rounds:
            t = rnd.cell(table)
            if t is None:
                cells.append(Markup('<td class="cell neutral">not compared</td>'))
                continue
            headline, detail = cell_text(t)
            cells.append(
                Markup('<td class="cell {}" data-status="{}"><a href="#{}">{}<small>{}</small></a></td>').format(
                    ui.status_class(t.status), h(t.status), _anchor(i, rnd.index), h(headline), h(detail)
                )
            )
        rows.append(Markup("<tr>{}</tr>").format(Markup("").join(cells)))
    return Markup('<table id="matrix"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
        Markup("").join(head), Markup("\n").join(rows)
    )


def _verdict(run: ReconcileRun) -> Markup:
    s = run.summary
    verdict = "everything matches" if s.ok else f"{s.mismatch} mismatching, {s.error} failing of {s.cells} table-rounds"
    return Markup("<p>{}</p>{}").format(
        ui.badge("match" if s.ok else ("error" if s.error else "mismatch"), verdict),
        ui.cards(
            [
                ("table-rounds", s.cells, "neutral"),
                ("match", s.match, "match"),
                ("mismatch", s.mismatch, "mismatch" if s.mismatch else "neutral"),
                ("error", s.error, "error" if s.error else "neutral"),
                ("tables", s.tables, "neutral"),
                ("rounds", s.rounds, "neutral"),
            ]
        ),
    )


def _builds(rounds: Iterable[RoundResult]) -> Markup:
    rows = [
        (
            f"{r.index} {r.name}",
            ui.badge("match" if r.build.ok else "error", "ok" if r.build.ok else "failed"),
            r.build.models,
            r.build.tests_failed,
            f"{r.build.duration_s:.1f} s",
            "; ".join(r.build.errors),
        )
        for r in rounds
    ]
    return ui.table(["round", "build", "models", "tests failed", "time", "errors"], rows, numeric=(2, 3, 4))


def _schemas(run: ReconcileRun, tables: Sequence[str]) -> Markup:
    """Per table, the schema report of the latest round that has one."""
    parts = []
    for table in tables:
        latest = None
        for rnd in run.rounds:
            t = rnd.cell(table)
            report = next((r for r in t.reports if r.type == "schema"), None) if t else None
            latest = report or latest
        if latest is None:
            continue
        parts.append(Markup("<h3>{} {}</h3>{}").format(h(table), ui.badge(latest.status), _schema_columns(latest)))
    return Markup("").join(parts) if parts else Markup("<p>No schema report in this run.</p>")


def _schema_columns(report: Report) -> Markup:
    absent = "—"  # a column one side does not have (not a NULL value)
    rows = [
        (
            c.legacy_column or absent,
            c.legacy_type or absent,
            c.model_column or absent,
            c.model_type or absent,
            ui.badge(_schema_status(c.status), c.status),
        )
        for c in report.schema_columns
    ]
    return ui.table(["legacy column", "legacy type", "model column", "model type", "status"], rows)


def _schema_status(status: str) -> str:
    return {"ok": "match", "excluded": "neutral"}.get(status, "mismatch")


def _drilldown(run: ReconcileRun, i: int, table: str) -> Markup:
    cells = [(rnd, t) for rnd in run.rounds if (t := rnd.cell(table))]
    statuses = {t.status for _, t in cells}
    overall = "error" if "error" in statuses else ("mismatch" if "mismatch" in statuses else "match")
    summary = f"{table} — " + ", ".join(f"round {rnd.index}: {t.status}" for rnd, t in cells)
    body = Markup("").join(_table_round(i, rnd, t) for rnd, t in cells)
    return ui.details(summary, body, open_=overall != "match", anchor=_anchor(i))


def _table_round(i: int, rnd: RoundResult, t: TableRoundResult) -> Markup:
    facts = ui.key_values(
        [
            ("status", ui.badge(t.status)),
            ("legacy relation", t.legacy_relation),
            ("model relation", t.model_relation),
            ("rows (legacy / model)", f"{t.legacy_rows} / {t.model_rows}"),
            ("only in legacy / only in model", f"{t.only_in_legacy} / {t.only_in_model}"),
            *([("error", t.error)] if t.error else []),
        ]
    )
    reports = Markup("").join(_report(r) for r in t.reports)
    return Markup('<h3 id="{}">round {} {} {}</h3>{}{}').format(
        _anchor(i, rnd.index), rnd.index, h(rnd.name), ui.badge(t.status), facts, reports
    )


def _report(r: Report) -> Markup:
    label = f"{r.type} report"
    status = r.status + (" (within thresholds)" if r.passed_by_threshold else "")
    parts = [Markup("<h4>{} {}</h4>").format(h(label), ui.badge(r.status, status))]
    if r.message:
        parts.append(Markup("<p>{}</p>").format(h(r.message)))
    if r.columns:
        rows = [
            (c.column, c.mismatches, c.compared, "yes" if c.tolerated else "no", _example(c.example)) for c in r.columns
        ]
        parts.append(ui.table(["column", "mismatches", "compared", "tolerated", "example"], rows, numeric=(1, 2)))
    if r.type == "schema" and r.status != "match" and r.schema_columns:
        parts.append(_schema_columns(r))
    differing = {c.column for c in r.columns if c.mismatches and not c.tolerated}
    for side, examples in (("legacy", r.examples_legacy), ("model", r.examples_model)):
        if examples:
            parts.append(Markup("<p>example rows only in {} ({} shown)</p>").format(h(side), len(examples)))
            parts.append(example_rows(examples, differing))
    return Markup("").join(parts)


def example_rows(rows: Sequence[dict[str, Any]], differing: Collection[str] = ()) -> Markup:
    """Example rows as a table whose columns are every key the rows carry, in order; the columns
    the data report found differing are highlighted."""
    columns: dict[str, None] = {}
    for row in rows:
        for key in row:
            columns.setdefault(str(key), None)
    values = [[_value(row.get(c)) for c in columns] for row in rows]
    marked = [i for i, c in enumerate(columns) if c in differing]
    return ui.table(list(columns), values, cls="examples", highlight=marked)


def _example(example: dict[str, Any] | None) -> Markup:
    if not example:
        return Markup("")
    return Markup("<code>{}</code>").format(h(", ".join(f"{k}={_value(v)}" for k, v in example.items())))


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return _short(value, MAX_CELL)
    return value


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _metadata(run: ReconcileRun) -> Markup:
    return ui.key_values(
        [
            ("run id", run.run_id),
            ("plan", run.plan),
            ("project", run.project),
            ("dbt target", run.dbt_target),
            ("adapter", run.adapter),
            ("started", run.started_at.isoformat(timespec="seconds")),
            ("finished", run.finished_at.isoformat(timespec="seconds")),
            ("duration", f"{run.duration_s:.1f} s"),
            ("dbt-migrate version", run.dbt_migrate_version),
            ("rounds", ", ".join(f"{r.index} {r.name}" for r in run.rounds)),
        ]
    )
