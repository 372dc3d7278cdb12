"""generate / run: context -> convert -> render -> write -> build loop, and the result JSON.

Batch-shaped from the start: every stage handles all items at once, so a whole warehouse costs
one render run-operation and one dbt build per iteration, not per table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from . import escaping, interrupts, layout, staging, stored_context, yamlio
from . import sources as source_decls
from .artifacts import Ledger, UserEditedError, merge_schema_yml, write_all
from .building import Builder
from .catalog import MigrationProject
from .context import build_context
from .convert import Conversion, convert_context, plan_versions_views, render_item, restrict_givens
from .dbt import DbtProject, dbt_info
from .errors import InputError, MigrateError
from .isolation import relative, render_isolating
from .items import Item, error_result, mark_interrupted
from .judge import apply_gaps
from .lifecycle import auto
from .names import TableId
from .package_render import render_models
from .project import Project
from .render_guard import check_rendered
from .results import ItemResult, Output, RunDocument, update_item_index
from .run_summary import summarize
from .warehouse import Warehouse

ProgressFn = Callable[[str, int, int], None]  # (stage, done, total)
StageFn = Callable[[str], None]  # a stage starts (its name)


class Pipeline:
    def __init__(
        self,
        project: Project,
        *,
        build: bool = True,
        max_iterations: int = 3,
        force: bool = False,
        progress: ProgressFn | None = None,
        on_stage: StageFn | None = None,
        accept_gaps: bool = False,
        llm: Any = None,
        separate_compile: bool = True,
        jobs: int | None = None,
    ):
        self.project = project
        self.jobs = jobs  # check processes; None: decided by batch size (equivalence.pool.worker_count)
        self._pool: Any = None
        # `generate` compiles before it builds (a clear compile verdict for one table); a batch
        # leaves compiling to its single `dbt build`, which compiles every node anyway.
        self.separate_compile = separate_compile
        self.llm = llm  # LlmConfig or None: without it no provider code path runs
        self.llm_client = None
        if llm is not None:
            from .llm.client import LlmClient

            self.llm_client = LlmClient(llm)
        self._manifest: Any = None
        self._wh: Warehouse | None = None
        self.builder: Builder | None = None
        self.accept_gaps = accept_gaps
        self.build = build
        self.max_iterations = max_iterations
        self.force = force
        self.progress = progress or (lambda stage, done, total: None)
        self.on_stage = on_stage or (lambda stage: None)
        self.stage = "start"  # the stage running now (an interrupted run says which)
        self._sigints = interrupts.received()
        self._revising: set[int] = set()  # items the build loop is revising (ids)
        self.timings: dict[str, float] = {}
        self.mp = MigrationProject(project.root)
        self.mp.require_manifest()
        self.dbt_dir = project.require_dbt_project()
        self.dbt = DbtProject(self.dbt_dir)
        self.ledger = Ledger(self.dbt_dir)

    # -- stages -------------------------------------------------------------------------------
    def _timed(self, stage: str):
        pipeline = self

        class _Timer:
            def __enter__(self):
                # A Ctrl-C something swallowed (the first one raises; later ones are only
                # counted) still stops the run at the next stage.
                if interrupts.interrupted_since(pipeline._sigints):
                    interrupts.raise_interrupt()
                pipeline.stage = stage
                pipeline.on_stage(stage)
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                pipeline.timings[stage] = pipeline.timings.get(stage, 0.0) + time.perf_counter() - self.t0

        return _Timer()

    def run(self, tables: list[TableId]) -> RunDocument:
        """Every stage for every table. Ctrl-C stops cleanly: files are written atomically, and the
        document returned says what finished (``summary.interrupted``, and the stage it stopped in
        as ``summary.interrupted_during``)."""
        started = time.perf_counter()
        doc = RunDocument()
        self.items: list[Item] = []
        self._sigints = interrupts.received()
        interrupted = False
        try:
            from .equivalence.pool import CheckPool

            self._pool = CheckPool(self.project.root, self.dbt_dir, self.jobs, len(tables))
            builder = self.builder = Builder(self)
            with self._timed("parse"):
                manifest = builder.parse()
            wh = Warehouse(self.mp, dbt_info(manifest))
            self._manifest, self._wh = manifest, wh
            self._contexts(wh, tables)
            self._convert(wh, self.items)
            with self._timed("sources"):
                self._declare_sources(wh, self.items)
            with self._timed("render"):
                self._render_and_write(self.items, manifest)
            with self._timed("closure"):
                builder.hold(self.items)
            # Checks read only the written files: they run in workers while dbt builds.
            pending = self._start_checks(wh, self.items)
            if self.build:
                builder.loop(self.items)
            with self._timed("check (waiting)"):
                self._finish_checks(pending)
            apply_gaps(self.items, self.accept_gaps)
            interrupts.hold()  # done: a Ctrl-C from here on cannot cut the document short
        except KeyboardInterrupt:
            interrupted = True  # (the session raises one interrupt; later ones are only counted)
            mark_interrupted(self.items, tables, self._revising)
        except Exception:
            # Ctrl-C can surface as another error: DuckDB turns it into "Query interrupted".
            if not interrupts.interrupted_since(self._sigints):
                raise
            interrupted = True
            mark_interrupted(self.items, tables, self._revising)
        finally:
            if self._pool is not None:
                self._pool.close(cancel=True)  # interrupted or failed: no worker outlives the run
            unparsable = self.builder.finish() if self.builder is not None else []
        doc.results = [i.result for i in self.items]
        doc.summary = summarize(self.items, time.perf_counter() - started, self.timings, self._workers(), self.dbt)
        doc.summary["project_errors"] = unparsable  # the user's files dbt could not parse (set aside)
        doc.summary["restored"] = self.builder.restored if self.builder is not None else []
        doc.summary["interrupted"] = interrupted or interrupts.interrupted_since(self._sigints)
        if doc.summary["interrupted"]:
            doc.summary["interrupted_during"] = self.stage
        return doc

    def _contexts(self, wh: Warehouse, tables: list[TableId]) -> list[Item]:
        items = self.items
        unknown = [str(t) for t in tables if not self.mp.knows_table(t)]
        if unknown:  # a name given on the command line that no catalog file describes
            expected = self.mp.root / "catalog" / "tables"
            raise InputError(f"no table catalog for {', '.join(unknown)}: expected <schema>.<table>.json in {expected}")
        with self._timed("contexts"):
            for n, table in enumerate(tables, 1):
                try:
                    ctx = build_context(wh, table)
                except escaping.UnsafeInputError as exc:  # bad input fails its own table only
                    items.append(Item(table=table, result=error_result(table, str(exc), exc.reason)))
                    continue
                except InputError as exc:  # this table's files are bad: it fails, the others go on
                    items.append(Item(table=table, result=error_result(table, str(exc), "invalid_input")))
                    continue
                except MigrateError as exc:
                    items.append(Item(table=table, result=error_result(table, str(exc), "not_ready")))
                    continue
                result = ItemResult(
                    item_id=table.key,
                    status="error",
                    output=Output(table_ref=ctx.table, model_name=ctx.model_name),
                    warnings=list(ctx.warnings),
                )
                items.append(Item(table=table, result=result, context=ctx))
                self.progress("contexts", n, len(tables))
        return items

    def _convert(self, wh: Warehouse, items: list[Item]) -> None:
        with self._timed("generate"):
            live = [i for i in items if i.context is not None]
            plan_versions_views(wh, [i.ctx for i in live])
            for n, item in enumerate(live, 1):
                conv = convert_context(item.ctx, wh)
                if not conv.ok and conv.error == "needs_llm" and self.llm_client is not None:
                    item.result.warnings.append(f"rules cannot convert ({conv.construct}): using the LLM")
                    conv = self._llm_first_answer(item, wh)
                item.conversion = conv
                item.result.warnings += conv.warnings
                if not conv.ok and conv.error in escaping.UNSAFE_REASONS:
                    item.result.reason = conv.error
                    item.result.errors.append(str(conv.construct))
                elif not conv.ok:
                    item.result.reason = conv.error
                    what = (
                        "rules cannot convert this procedure" if conv.error == "needs_llm" else "no usable LLM answer"
                    )
                    item.result.errors.append(f"{conv.error}: {what} ({conv.construct})")
                else:
                    item.result.warnings += restrict_givens(item.ctx, conv.relations)
                    item.result.output.generated.model_sql.generator = (
                        "llm" if conv.generator == "llm" else "deterministic"
                    )
                    item.result.output.generated.model_sql.uses_watermark = conv.uses_watermark
                self.progress("generate", n, len(live))

    def _declare_sources(self, wh: Warehouse, items: list[Item]) -> None:
        for item in items:
            problem = source_decls.unsafe_source(wh, item.conversion.relations) if item.conversion else None
            if item.conversion is not None and item.conversion.ok and problem is not None:
                item.conversion = Conversion(error=problem.reason, construct=str(problem))
                item.result.reason = problem.reason
                item.result.errors.append(str(problem))
        relations = staging.converted_relations(wh, items, self.dbt_dir, self.ledger)  # (+ wrappers written)
        missing = source_decls.missing_source_declarations(wh, relations)
        if not missing:
            return
        path = layout.sources_file(self.dbt_dir)
        existing = path.read_text(encoding="utf-8") if path.is_file() else None
        text = source_decls.render_sources_yml(existing, missing)
        if text is not None:
            for value in escaping.yaml_strings(yamlio.load(text)):  # unsafe_source vetted each name
                escaping.check_generated(value, what=f"source declarations ({path})")
            write_all(self.ledger, {path: text}, force=True)  # our own file: always ours to extend
            wh.dbt.declared_sources.update(source_decls.declared_sources_in(text))

    def _render_and_write(self, items: list[Item], manifest: Any) -> None:
        ready = [i for i in items if i.conversion and i.conversion.ok]
        if not ready:
            return
        payload = [render_item(i.ctx, i.conv) for i in ready]
        rendered, failures = render_isolating(lambda batch: render_models(self.dbt, batch, manifest=manifest), payload)
        for n, item in enumerate(ready, 1):
            if n - 1 in failures:  # this item alone makes the package's macro fail
                item.result.reason = "render_failed"
                item.result.errors.append(failures[n - 1])
                continue
            ctx = item.ctx
            r = rendered.get(ctx.model_name)
            if r is None:
                item.result.errors.append(f"render returned nothing for {ctx.model_name}")
                continue
            expected = ctx.materialization.materialized
            if r.materialized != expected:
                item.result.errors.append(
                    f"materialization mismatch: sidecar expects {expected}, package macro rendered {r.materialized}"
                )
                continue
            try:
                check_rendered(item, r)
                files = self._files_for(ctx, r, payload[n - 1])
                if self.builder is not None:  # paused by an earlier run: back in place, then rewritten
                    rel = relative(self.dbt_dir, layout.model_sql(self.dbt_dir, r.model_name))
                    auto.unpause_before_rewrite(self.builder.lc, rel, self.ledger)
                write_all(self.ledger, files, force=self.force)
            except UserEditedError as exc:
                item.result.errors.append(str(exc))
                item.result.reason = "user_edited"
                continue
            except escaping.UnsafeInputError as exc:
                item.result.errors.append(str(exc))
                item.result.reason = exc.reason
                continue
            except MigrateError as exc:
                item.result.errors.append(str(exc))
                continue
            item.paths = {
                "model_sql": next(p for p in files if p.suffix == ".sql"),
                "model_yaml": next(p for p in files if p.suffix == ".yml"),
            }
            item.selector = r.model_name
            if r.snapshot_yml:
                from .equivalence import snapshot_config

                item.snapshot_config = snapshot_config(r.snapshot_yml, ctx.model_name)
            self._record_generated(item, r)
            item.result.status = "partial" if self.build else "ok"
            self.progress("render", n, len(ready))

    def _files_for(self, ctx: Any, r: Any, payload: dict[str, Any]) -> dict[Path, str]:
        files: dict[Path, str] = {layout.model_sql(self.dbt_dir, r.model_name): r.model_sql}
        yml = layout.model_yaml(self.dbt_dir, r.model_name)
        files[yml] = merge_schema_yml(yml.read_text(encoding="utf-8") if yml.is_file() else None, r.schema_yml, yml)
        files.update(r.snapshot_files(self.dbt_dir, ctx.model_name))
        return files | stored_context.files(self.dbt_dir, ctx.table, ctx.model_name, payload)  # for dbt-only use

    def _record_generated(self, item: Item, r: Any) -> None:
        ctx, out = item.ctx, item.result.output
        out.artifact_paths = {k: str(v) for k, v in item.paths.items()}
        out.generated.model_sql.materialized = r.materialized
        y = out.generated.model_yaml
        y.has_model_description = bool(ctx.description)
        y.schema_tests_rendered = sorted({t.test for t in ctx.schema_tests if t.test})
        y.unit_tests_rendered = sum(1 for t in ctx.unit_tests if t.origin != "gap")
        y.gap_tests_rendered = sum(1 for t in ctx.unit_tests if t.origin == "gap")
        y.has_unit_tests = bool(ctx.unit_tests)

    # -- equivalence ---------------------------------------------------------------------------
    def _start_checks(self, wh: Warehouse, items: list[Item]) -> dict[int, Any]:
        from .equivalence import sources_of

        ready = [i for i in items if i.selector and i.context is not None]
        sources = sources_of(wh)
        with self._timed("check (submit)"):
            return {
                id(i): (i, i.conv.sql, self._checked(i, partial(self._pool.submit, wh, i.ctx, _written(i, sources))))
                for i in ready
            }

    def _finish_checks(self, pending: dict[int, Any]) -> None:
        try:
            for item, submitted_sql, fut in pending.values():
                report = self._checked(item, partial(self._pool.result, fut))
                # A model revised during the build loop was re-checked there; this report is stale.
                if item.conversion is not None and item.conversion.sql == submitted_sql:
                    item.result.output.equivalence = report
        finally:
            self._pool.close()

    def _check_equivalence(self, wh: Warehouse, items: list[Item]) -> None:
        from .equivalence import check_written, sources_of

        sources = sources_of(wh)
        for item in items:
            if item.selector and item.context is not None:
                written = _written(item, sources)
                item.result.output.equivalence = self._checked(
                    item,
                    partial(lambda c, w: check_written(wh, c, self.dbt_dir, written=w).to_dict(), item.ctx, written),
                )

    def _checked(self, item: Item, check: Callable[[], Any]) -> Any:
        """One item's check; when the check itself fails, that item's report says so (a gap: nothing
        proven) and the others go on. A Ctrl-C that surfaced as an error stops the run."""
        try:
            return check()
        except Exception as exc:
            if interrupts.interrupted_since(self._sigints):
                raise
            detail = f"the equivalence check itself failed: {type(exc).__name__}: {exc}"[:500]
            item.result.warnings.append(detail)
            return {"verdict": "gap", "checks": [{"check": "equivalence", "status": "gap", "detail": detail}]}

    # -- LLM ----------------------------------------------------------------------------------
    def _accounting(self, item: Item) -> Any:
        from .llm.client import Accounting

        if item.result.output.llm is None:
            item.result.output.llm = Accounting(model=self.llm.model).as_dict()
        acc = Accounting(**item.result.output.llm)
        return acc

    def _llm_first_answer(self, item: Item, wh: Warehouse) -> Conversion:
        """Ask until an answer passes the check (each rejection is a failed iteration, its reason
        fed back with the next question)."""
        from .llm.correction import attempt, rejection_feedback

        client = self.llm_client
        if client is None:
            raise RuntimeError("internal: the LLM path ran without an LLM client")
        acc = self._accounting(item)
        conv = Conversion(error="needs_llm")
        feedback = None
        for n in range(self.max_iterations):
            conv = attempt(client, item.ctx, wh, acc, feedback)
            item.result.warnings += conv.warnings
            if conv.ok or conv.error == "llm_unavailable":
                break
            item.result.output.execution.self_correction_iterations = n + 1
            feedback = rejection_feedback(conv)
        item.result.output.llm = acc.as_dict()
        return conv

    def _revise(self, item: Item, iteration: int) -> bool:
        """With an LLM: feed back what failed and take a corrected answer (checked)."""
        if self.llm_client is None or item.context is None or item.conversion is None or self._wh is None:
            return False
        from .llm.correction import attempt, feedback_for

        acc = self._accounting(item)
        conv = attempt(self.llm_client, item.context, self._wh, acc, feedback_for(item.conversion, item.result))
        item.result.output.llm = acc.as_dict()
        item.result.warnings += conv.warnings
        if not conv.ok:
            item.result.errors.append(f"{conv.error}: {conv.construct}")
            return False
        item.conversion = conv
        item.result.output.generated.model_sql.generator = "llm"
        return True

    def _workers(self) -> int:
        return self._pool.workers if self._pool is not None else 0


def _written(item: Item, sources: dict[tuple[str, str], str]) -> Any:
    """What the equivalence check needs to know of a model this run wrote."""
    from .equivalence import Written

    return Written(item.paths["model_sql"], item.snapshot_config, sources)


def interrupted_before_start(project: Project, tables: list[TableId], wall: float) -> RunDocument:
    """The document of a run interrupted while it was loading, before any stage began."""
    items = [
        Item(table=t, result=error_result(t, "interrupted before this table was reached", "interrupted"))
        for t in tables
    ]
    doc = RunDocument(results=[i.result for i in items])
    doc.summary = summarize(items, wall, {}, 0, DbtProject(project.dbt_dir))
    doc.summary.update(interrupted=True, interrupted_during="start")
    return doc


def write_run(project: Project, doc: RunDocument) -> Path:
    path = doc.write(project.runs_dir)
    update_item_index(layout.item_index(project.root), doc)
    return path
