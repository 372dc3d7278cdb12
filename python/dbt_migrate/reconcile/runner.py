"""``run_reconcile``: the parallel run, round by round (I/O at the edge: dbt through ``dbt.py``).

Per round: one run-operation loads the round's sources and legacy exports (one transaction), one
``dbt build`` builds the migrated models as production would (no full refresh: incremental models
and snapshots carry their state from the round before), one run-operation describes the model and
legacy relations, one runs every comparison (``dbt_migrate.reconcile_query``, one query per table
and report type). Before the first round the selected models and snapshots are dropped and the
loaded sources emptied, so the run starts from nothing, as the legacy load did.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__, layout
from ..atomic import atomic_write
from ..catalog import MigrationProject
from ..dbt import DbtOutcome, DbtProject, relations_of
from ..errors import InputError, MigrateError
from ..names import TableId
from ..project import Project
from . import loading, spec, validate, verdict
from .plan import Round, read_plan
from .result import BuildSummary, ReconcileRun, Report, RoundResult, TableRoundResult, summarize, table_status

Progress = Callable[[str], None]


class ReconcileError(MigrateError):
    """Loading a round failed in the warehouse (exit 1): that round's loads were rolled back."""


def _logged(outcome: DbtOutcome, op: str) -> Any:
    marker = f"dbt_migrate__reconcile_{op}::"
    for line in outcome.debug_logs:
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    return None


class _Session:
    """One reconcile run's dbt project, manifest and what it learnt of the warehouse."""

    def __init__(self, project: Project, progress: Progress):
        self.dbt = DbtProject(project.require_dbt_project())
        self.say = progress
        parsed = self.dbt.parse()
        if not parsed.success or parsed.manifest is None:
            raise InputError("dbt parse failed: " + "; ".join(parsed.errors or ["no manifest"]))
        self.manifest = parsed.manifest
        self.relations = relations_of(self.manifest)

    def operation(self, macro: str, op: str, args: dict[str, Any]) -> Any:
        outcome = self.dbt.run_operation(f"dbt_migrate.{macro}", args, manifest=self.manifest)
        payload = _logged(outcome, op)
        if not outcome.success or payload is None:
            raise ReconcileError(f"dbt_migrate.{macro} failed: " + "; ".join(outcome.errors or ["no result"]))
        return payload

    def describe(self, relations: list[dict[str, Any]]) -> dict[str, Any]:
        if not relations:
            return {}
        return self.operation("_reconcile_describe", "describe", {"relations": relations})

    def build(self, select: list[str]) -> tuple[BuildSummary, dict[str, str]]:
        start = time.monotonic()
        outcome = self.dbt.build(select, manifest=self.manifest)
        failed: dict[str, str] = {}
        models = tests_failed = 0
        errors: list[str] = []
        for r in outcome.results:
            if r.resource_type in ("model", "snapshot"):
                if r.ok:
                    models += 1
                else:
                    failed[r.name] = f"dbt build: {r.resource_type} {r.name} {r.status}" + (
                        f": {r.message}" if r.message else ""
                    )
                    errors.append(failed[r.name])
            elif not r.ok and r.status != "skipped":
                tests_failed += 1
                errors.append(f"{r.resource_type} {r.name} {r.status}" + (f": {r.message}" if r.message else ""))
        if not outcome.results and not outcome.success:
            errors.extend(outcome.errors)
        summary = BuildSummary(
            ok=not failed and (outcome.success or bool(outcome.results)),
            models=models,
            tests_failed=tests_failed,
            errors=errors[:20],
            duration_s=round(time.monotonic() - start, 3),
        )
        return summary, failed


def run_reconcile(
    project: Project, plan_path: Path | None = None, start_round: int = 1, progress: Progress | None = None
) -> ReconcileRun:
    """Reconcile the project's migrated models with the plan's legacy tables, round by round.

    Rounds before ``start_round`` are replayed (loaded and built, not compared): the state they
    leave is what round ``start_round`` starts from. Writes ``.migration-runs/reconcile/<run_id>.json``.
    """
    say = progress or (lambda _msg: None)
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    path = (plan_path or project.root / "reconcile.yml").resolve()
    plan = read_plan(path)
    if not 1 <= start_round <= len(plan.rounds):
        raise InputError(f"--round {start_round}: the plan has rounds 1 to {len(plan.rounds)}")
    say(f"reading the plan and the project ({len(plan.tables)} tables, {len(plan.rounds)} rounds)")
    session = _Session(project, say)
    sources = session.relations["sources"]
    refs = validate.relation_refs(plan)
    source_rels = [
        {"name": loading.source_key(s), **{k: s[k] for k in ("database", "schema", "identifier")}} for s in sources
    ]
    described = session.describe(refs + source_rels)
    checked = validate.check(plan, path, MigrationProject(project.root), session.relations, described)
    existing = {key for key, s in checked.sources.items() if described.get(loading.source_key(s)) is not None}
    select = ["+" + t.model for t in checked.targets.values()]
    rounds: list[RoundResult] = []
    for index, rnd in enumerate(plan.rounds, start=1):
        compare = index >= start_round
        verb = "" if compare else " (replayed, not compared)"
        say(f"round {index}/{len(plan.rounds)} {rnd.name}: loading{verb}")
        drops: list[dict] = []
        loads = loading.round_loads(checked, rnd, described, existing)
        if index == 1:
            drops, empties = loading.resets(checked, session.relations["nodes"], existing)
            loads = empties + loads
        session.operation("_reconcile_load", "load", {"loads": loads, "drops": drops})
        existing |= {TableId.parse(sid).key for sid in rnd.sources}
        say(f"round {index}/{len(plan.rounds)} {rnd.name}: dbt build")
        build, failed = session.build(select)
        if not compare:
            continue
        say(f"round {index}/{len(plan.rounds)} {rnd.name}: comparing {len(rnd.legacy)} tables")
        tables = _compare_round(session, checked, rnd, failed)
        rounds.append(RoundResult(index=index, name=rnd.name, build=build, tables=tables))
    finished = datetime.now(timezone.utc)
    run = ReconcileRun(
        run_id=str(uuid.uuid4()),
        plan=str(path),
        project=str(project.root),
        dbt_target=session.dbt.target,
        adapter=checked.adapter,
        started_at=started,
        finished_at=finished,
        duration_s=round(time.monotonic() - clock, 3),
        dbt_migrate_version=__version__,
        rounds=rounds,
        summary=summarize(rounds),
    )
    write_result(run, project)
    return run


def write_result(run: ReconcileRun, project: Project) -> Path:
    target = layout.reconcile_result(project.root, run.run_id)
    atomic_write(target, json.dumps(run.model_dump(mode="json"), indent=2) + "\n")
    return target


def _compare_round(
    session: _Session, checked: validate.Checked, rnd: Round, failed: dict[str, str]
) -> list[TableRoundResult]:
    plan = checked.plan
    cells: list[tuple[str, validate.Target, str, dict[str, Any]]] = []
    for table_text, ref in rnd.legacy.items():
        key = TableId.parse(table_text).key
        target = checked.targets[key]
        legacy_rel = ref.relation or loading.relation_text(loading.legacy_relation(checked, table_text))
        cells.append((target.table, target, legacy_rel, target.relation))
    rels = []
    for table, _target, legacy_rel, model_rel in cells:
        rels.append({"name": f"model:{table}", **{k: model_rel[k] for k in ("database", "schema", "identifier")}})
        tid = TableId.parse(legacy_rel)
        parts = legacy_rel.split(".")
        rels.append(
            {
                "name": f"legacy:{table}",
                "database": parts[0] if len(parts) == 3 else None,
                "schema": tid.schema,
                "identifier": tid.name,
            }
        )
    described = session.describe(rels)
    results: dict[str, TableRoundResult] = {}
    calls: list[dict[str, Any]] = []
    plans: dict[str, spec.TablePlan] = {}
    for table, target, legacy_rel, model_rel in cells:
        model_text = loading.relation_text(model_rel)
        cell = TableRoundResult(
            table=table, model=target.model, legacy_relation=legacy_rel, model_relation=model_text, status="error"
        )
        results[table] = cell
        model_info, legacy_info = described.get(f"model:{table}"), described.get(f"legacy:{table}")
        if target.model in failed or model_info is None:
            cell.error = failed.get(target.model) or f"{model_text} does not exist after the build"
            continue
        if legacy_info is None:
            cell.error = f"{legacy_rel} does not exist"
            continue
        rules = plan.tables[table]
        tp = spec.plan_table(
            rules,
            plan.excluded_for(table),
            [spec.ColumnInfo(**c) for c in legacy_info["columns"]],
            [spec.ColumnInfo(**c) for c in model_info["columns"]],
            typed_legacy=rnd.legacy[table].relation is not None,
        )
        plans[table] = tp
        if tp.problems:
            cell.error = "; ".join(tp.problems)
            continue
        reports = plan.reports_for(table)
        if "schema" in reports:
            cell.reports.append(tp.schema)
        if not tp.pairs and not tp.key:
            cell.error = "no column to compare (every column excluded or missing)"
            continue
        calls += spec.comparisons(table, reports, tp, rules, model_info["relation"], legacy_info["relation"])
    raw = _run_comparisons(session, calls)
    for call in calls:
        table, report_type = call["id"].rsplit("|", 1)
        cell = results[table]
        outcome = raw.get(call["id"])
        if outcome is None or "error" in outcome:
            cell.reports.append(
                Report(type=report_type, status="error", message=(outcome or {}).get("error", "no result"))
            )
            continue
        rules = plan.tables[table]
        report, legacy_rows, model_rows = _report(report_type, outcome, call, rules)
        cell.reports.append(report)
        if cell.legacy_rows is None or report_type in ("row", "data"):
            cell.legacy_rows, cell.model_rows = legacy_rows, model_rows
    for cell in results.values():
        if cell.error is None:
            _finish(cell)
    return [results[t] for t, *_ in cells]


def _report(report_type: str, outcome: dict[str, Any], call: dict[str, Any], rules: Any) -> tuple[Report, int, int]:
    if report_type == "row":
        return verdict.row_report(outcome, [c["name"] for c in call["columns"]], rules)
    if report_type == "data":
        return verdict.data_report(
            outcome, [c["name"] for c in call["key"]], [c["name"] for c in call["columns"]], rules
        )
    measures = [(m["name"], bool(m["numeric"])) for m in call["measures"]]
    return verdict.aggregate_report(outcome, [g["name"] for g in call["group_by"]], measures, rules)


def _finish(cell: TableRoundResult) -> None:
    cell.status = table_status(cell.reports)
    by_type = {r.type: r for r in cell.reports}
    for kind in ("row", "data", "aggregate"):
        if kind in by_type:
            cell.only_in_legacy = by_type[kind].only_in_legacy
            cell.only_in_model = by_type[kind].only_in_model
            break
    errors = [f"{r.type}: {r.message}" for r in cell.reports if r.status == "error"]
    if errors:
        cell.error = "; ".join(errors)


def _run_comparisons(session: _Session, calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Every comparison in one run-operation; when one query fails, each runs alone so that the
    failure is that comparison's error and the others still report."""
    if not calls:
        return {}
    try:
        return session.operation("_reconcile_compare", "compare", {"comparisons": calls})
    except ReconcileError:
        pass
    out: dict[str, Any] = {}
    for call in calls:
        try:
            out.update(session.operation("_reconcile_compare", "compare", {"comparisons": [call]}))
        except ReconcileError as exc:
            out[call["id"]] = {"error": str(exc)}
    return out
