"""The build path of a run: what one table can never break for the others.

Before dbt sees the generated models, the dependency closure pauses every model whose ``ref``
names nothing (and what waits on it) and the culprit of each ``ref`` cycle (``closure``). When dbt
still cannot parse the project, the files its error names are mapped to items, which are paused,
or to the user's own files, which are set aside for the run, and dbt parses again (a bounded
number of rounds). Then one ``dbt build`` per iteration, and revisions by the LLM when there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import closure, layout, rules
from .dbt import DbtOutcome, build_selection, source_relations
from .errors import InputError
from .isolation import dbt_message, parse_culprits, relative
from .items import Item
from .judge import BuildOutcome, attribute_blocked, judge
from .lifecycle import auto
from .lifecycle.files import yaml_files
from .lifecycle.ops import Lifecycle
from .package_render import RenderError, create_empty_sources

if TYPE_CHECKING:
    from .pipeline import Pipeline

PARSE_ROUNDS = 5  # files paused or set aside, then parse again: at most this many times


class Builder:
    """The build stages of one ``Pipeline.run``."""

    def __init__(self, pipeline: Pipeline):
        self.p = pipeline
        self.lc = Lifecycle(pipeline.project, dbt=pipeline.dbt)
        self.set_aside = auto.SetAside(pipeline.dbt_dir)
        self.paused_now: list[str] = []  # models this run paused
        self.reasons: dict[str, str] = {}
        self.gone: set[str] = set()  # models of this run that will not exist after it (paused)
        self.restored: list[str] = []

    # -- start of the run ------------------------------------------------------------------------
    def parse(self) -> Any:
        """The project's manifest, once paused models whose dependencies now exist are restored;
        a file dbt cannot parse is set aside for this run and reported."""
        outcome = self._parse_setting_aside()
        report = auto.restore_ready(self.lc, outcome)
        if report is not None:
            self.restored = list(report.resumed)
            outcome = self._parse_setting_aside()
        return outcome.manifest

    def _parse_setting_aside(self) -> DbtOutcome:
        for _ in range(PARSE_ROUNDS):
            outcome = self.p.dbt.parse()
            if outcome.success and outcome.manifest is not None:
                return outcome
            items, others = parse_culprits(outcome.exception_paths, outcome.errors, {}, self._project_files())
            message = next(iter(items.values()), None) or dbt_message(outcome.errors)
            if not others or not all(self.set_aside.add(rel, message) for rel in others):
                break
        raise InputError(f"dbt project {self.p.dbt_dir} does not parse: " + "; ".join(outcome.errors[:3]))

    def finish(self) -> list[dict[str, str]]:
        """Put back what was set aside; the files dbt could not parse, each with dbt's message."""
        stuck = set(self.set_aside.put_back())
        return [
            {"file": rel, "error": msg, **({"left_as": rel + ".skip"} if rel in stuck else {})}
            for rel, msg in self.set_aside.files.items()
        ]

    # -- dependency closure ------------------------------------------------------------------------
    def hold(self, items: list[Item], failed_why: dict[str, str] | None = None) -> None:
        """Pause the written models that cannot build: a ref to nothing, a cycle, or waiting on one."""
        written = [i for i in items if i.selector and i.context is not None and i.conversion is not None]
        refs = {
            i.ctx.model_name: {r.model_name for r in i.conv.relations if r.kind == "ref" and r.model_name}
            for i in written
        }
        # An SCD2 snapshot's ``<model>_versions`` view is written with it; dependents read the view.
        views = {layout.versions_model(i.ctx.model_name): i.ctx.model_name for i in written if i.conv.versions_sql}
        refs.update({view: {model} for view, model in views.items()})
        wh = self.p._wh
        # In the project: its models and seeds, and the staging wrappers this run writes (#14).
        known = set(wh.dbt.models) | set(wh.dbt.seeds) | {m for m, _ in wh.planned_wrappers.values()} if wh else set()
        present = known - self.gone - set(refs)
        why = {**_failures(items), **(failed_why or {})}
        why.update({layout.versions_model(m): w for m, w in why.items()})
        order = [i.ctx.model_name for i in written]
        holds = closure.plan_holds(refs, present, why, order)
        by_name = {i.ctx.model_name: i for i in written}
        self.pause([(by_name[m], h) for m, h in holds.items() if m in by_name])

    def pause(self, holds: list[tuple[Item, closure.Hold]]) -> None:
        if not holds:
            return
        models = {i.model: relative(self.p.dbt_dir, i.paths["model_sql"]) for i, _ in holds}
        for path in auto.pause_models(self.lc, models):
            self.p.ledger.record(path, path.read_text(encoding="utf-8"))
        self.p.ledger.save()
        for item, h in holds:
            r = item.result
            r.status, r.reason = "partial", "paused"
            r.output.paused = {"waiting_for": h.waiting_for, "reason": h.reason}
            if h.cycle:
                r.output.paused["cycle"] = h.cycle
            r.errors.append(f"paused: {h.reason}")
            sql = item.paths["model_sql"]
            skip = sql.with_name(sql.name + ".skip")
            r.output.artifact_paths = {"model_sql": str(skip)}
            self.paused_now.append(item.model)
            self.reasons[item.model] = h.reason
            self.gone.add(item.ctx.model_name)
            item.selector = None

    # -- build -------------------------------------------------------------------------------------
    def loop(self, items: list[Item]) -> None:
        p = self.p
        pending = [i for i in items if i.selector]
        iteration = 0
        while pending:
            outcome = self.build(pending, items)
            pending = [i for i in pending if i.selector]  # parse isolation may have paused some
            failed = [i for i in pending if not judge(i, outcome)]
            attribute_blocked(failed)
            p.progress("build", len(pending) - len(failed), len(pending))
            p._revising = set()
            # Deterministic generation gives the same answer twice: without a reviser (the LLM
            # path), a failure is final after the first build.
            iteration += 1
            if iteration >= p.max_iterations:
                break
            p._revising = {id(i) for i in failed}  # not finished while the LLM revises them
            revised = [i for i in failed if p._revise(i, iteration)]
            p._revising = {id(i) for i in revised}
            if not revised:
                break
            p._render_and_write(revised, p._manifest)
            if p._wh is not None:
                p._check_equivalence(p._wh, revised)
            for i in revised:
                i.result.output.execution.self_correction_iterations = iteration
            pending = revised

    def build(self, pending: list[Item], items: list[Item]) -> BuildOutcome:
        p = self.p
        with p._timed("build: parse"):
            parsed = self._parse_isolating(items)
        if not parsed.success:
            return BuildOutcome(parse_errors=parsed.errors)
        manifest = parsed.manifest
        self._record_state(parsed)
        if manifest.metadata.adapter_type == "duckdb":
            try:
                with p._timed("build: empty sources"):
                    create_empty_sources(p.dbt, source_relations(manifest), manifest=manifest)
            except RenderError as exc:
                return BuildOutcome(parse_errors=[str(exc)])
        names = [i.model for i in pending if i.selector]
        if not names:
            return BuildOutcome(parse_errors=["nothing left to build"])
        compiled = None
        if p.separate_compile:
            compiled = p.dbt.compile(names, manifest=manifest)
            if not compiled.success and compiled.connection_failed:
                compiled = DbtOutcome(command="compile", success=True)  # offline: parse passed
        with p._timed("build: dbt build"):
            built = p.dbt.build(build_selection(manifest, names), manifest=manifest, extra=rules.SANDBOX_EXCLUDE)
        return BuildOutcome(compile=compiled, build=built)

    def _parse_isolating(self, items: list[Item]) -> DbtOutcome:
        """dbt's parse; when it fails, pause the items whose files it names (and their dependents)
        or set the user's named files aside, and parse again."""
        outcome = self.p.dbt.parse()
        for _ in range(PARSE_ROUNDS):
            if outcome.success:
                return outcome
            live = {i.ctx.model_name: i for i in items if i.selector}
            written = {relative(self.p.dbt_dir, path): m for m, i in live.items() for path in i.paths.values()}
            culprits, others = parse_culprits(outcome.exception_paths, outcome.errors, written, self._project_files())
            if not culprits and not others:
                return outcome
            message = next(iter(culprits.values()), None) or dbt_message(outcome.errors)
            for rel in others:
                self.set_aside.add(rel, message)
            why = {m: f"dbt cannot parse it: {msg}" for m, msg in culprits.items()}
            self.pause([(live[m], closure.Hold(m, [], w)) for m, w in why.items()])
            self.hold(items, {m: f"paused: {w}" for m, w in why.items()})
            outcome = self.p.dbt.parse()
        return outcome

    def _record_state(self, parsed: DbtOutcome) -> None:
        if not self.paused_now and not self.restored:
            return
        try:
            auto.record_state(self.lc, parsed, self.paused_now, self.reasons)
        except InputError:
            pass  # the build reports the project's state; the document waits for the next run

    def _project_files(self) -> list[str]:
        dbt_dir = self.p.dbt_dir
        paths = [relative(dbt_dir, f) for f in yaml_files(self.lc.layout)]
        for rel in self.lc.layout.code_paths:
            base = dbt_dir / rel
            if base.is_dir():
                paths += [relative(dbt_dir, f) for f in base.rglob("*.sql")]
        return paths


def _failures(items: list[Item]) -> dict[str, str]:
    """Why each item of this run produced no model (by model name)."""
    out = {}
    for i in items:
        if i.selector or i.context is None:
            continue
        errors = i.result.errors or ["not generated"]
        out[i.ctx.model_name] = errors[0][:300]
    return out
