"""Pause, restore and status of a group: the I/O around the pure core in ``lifecycle``.

One lenient dbt parse gives the project (every node, every ref/source that does not resolve);
dbt's static extractor reads the ``.skip`` files; readiness is then pure set work. dbt runs again
only to verify what was changed (and to find culprits when that verification fails).

Why one module of ~600 lines: pause, restore and status share one view of the project (the lenient
parse, the index, the skip files and the state document) and one commit protocol (write, verify
with dbt, roll back on failure). Split per command, each part would rebuild that view or pass half
of it around; the pure decisions already live in ``readiness``, the files in ``files``.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_write
from ..dbt import (
    DbtProject,
    ExtractionFailed,
    jinja_syntax_error,
    manifest_inventory,
    saved_manifest_inventory,
    static_dependencies,
)
from ..errors import InputError
from ..layout import item_index
from ..project import Project
from ..rules import MIGRATED_TAG
from . import files, git, state
from . import readiness as core


def _now() -> str:
    return _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


@dataclass
class Parsed:
    inventory: object
    unresolved: list
    index: core.ProjectIndex


@dataclass
class GroupView:
    """A group as the project shows it now."""

    group: str
    active: list[str]
    paused: list[core.PausedModel]
    verdicts: dict[str, core.Verdict]
    doc_path: Path
    doc_text: str | None
    block: state.StateBlock | None

    @property
    def total(self) -> int:
        return len(self.active) + len(self.paused)


@dataclass
class RestoreReport:
    group: str
    source: str  # "state document", "skip files (no state document)", "nothing"
    doc_path: str
    verdicts: dict[str, core.Verdict]
    resumed: list[str] = field(default_factory=list)
    reskipped: dict[str, str] = field(default_factory=dict)
    still_paused: list[str] = field(default_factory=list)
    completed: int = 0
    total: int = 0
    status: str = state.PAUSED
    changed_files: list[str] = field(default_factory=list)
    dry_run: bool = False
    build: dict | None = None
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> list[str]:
        return sorted(n for n, v in self.verdicts.items() if v.status == core.READY)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 100

    def to_json(self) -> dict:
        return {
            "group": self.group,
            "source": self.source,
            "state_document": self.doc_path,
            "status": self.status,
            "dry_run": self.dry_run,
            "progress": {
                "completed": self.completed,
                "total": self.total,
                "percent": self.percent,
            },
            "ready": self.ready,
            "resumed": self.resumed,
            "reskipped": self.reskipped,
            "still_paused": self.still_paused,
            "models": {n: verdict_json(v) for n, v in sorted(self.verdicts.items())},
            "changed_files": self.changed_files,
            "build": self.build,
            "commit": self.commit,
            "warnings": self.warnings,
        }


@dataclass
class PauseReport:
    group: str
    paused: list[str]  # paused by this call
    verdicts: dict[str, core.Verdict]  # every paused model of the group
    completed: list[str]
    total: int
    state_document: str | None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "group": self.group,
            "paused": self.paused,
            "all_paused": {n: verdict_json(v) for n, v in sorted(self.verdicts.items())},
            "completed": self.completed,
            "total": self.total,
            "state_document": self.state_document,
            "warnings": self.warnings,
        }


@dataclass
class GroupStatus:
    group: str
    total: int
    complete: list[str]
    paused: list[str]
    verdicts: dict[str, core.Verdict]
    state_document: str | None
    documented_status: str | None
    unresolved_active: list[str]
    reasons: dict[str, str] = field(default_factory=dict)  # paused model -> why a run paused it
    ok: list[str] = field(default_factory=list)  # models whose last run ended ok
    failed: dict[str, str] = field(default_factory=dict)  # model (or item) -> why its last run failed

    def named(self, status: str) -> list[str]:
        return sorted(n for n, v in self.verdicts.items() if v.status == status)

    def to_json(self) -> dict:
        return {
            "group": self.group,
            "total": self.total,
            "complete": self.complete,
            "paused": self.paused,
            "ready": self.named(core.READY),
            "blocked": self.named(core.BLOCKED),
            "investigate": self.named(core.INVESTIGATE),
            "models": {
                n: {**verdict_json(v), "paused_by_run": self.reasons.get(n)} for n, v in sorted(self.verdicts.items())
            },
            "state_document": self.state_document,
            "documented_status": self.documented_status,
            "unresolved_active": self.unresolved_active,
            "ok": self.ok,
            "failed": self.failed,
        }


def verdict_json(v: core.Verdict) -> dict:
    return {
        "status": v.status,
        "missing": v.missing_labels,
        "present": [d.label for d in v.present],
        "waits_on": v.waits_on,
        "provided_by": v.provided_by,
        "reason": v.reason,
    }


class Lifecycle:
    """Pause / restore / status for one migration project."""

    def __init__(self, project: Project, dbt: DbtProject | None = None):
        self.project = project
        self.dbt_dir = project.require_dbt_project()
        self.layout = files.load_layout(self.dbt_dir)
        self.dbt = dbt or DbtProject(self.dbt_dir)

    # -- reading -------------------------------------------------------------------------------
    def parse(self, outcome=None) -> Parsed:
        outcome = outcome if outcome is not None else self.dbt.parse_lenient()
        if outcome.manifest is None:
            detail = outcome.errors[0] if outcome.errors else "no manifest returned"
            raise InputError(
                f"dbt cannot parse {self.dbt_dir}: {detail.strip()}; fix that first "
                "(run `dbt parse` there for the full message)"
            )
        inventory = manifest_inventory(outcome.manifest)
        broken = {u.unique_id for u in outcome.unresolved}
        return Parsed(inventory, outcome.unresolved, core.build_index(inventory, exclude=broken))

    def doc_path(self, group: str) -> Path:
        return state.state_path(self.project.dimensions_dir, group)

    def _documents(self) -> dict[str, tuple[Path, str, state.StateBlock | None]]:
        docs = {}
        base = self.project.dimensions_dir
        if base.is_dir():
            for sub in sorted(p for p in base.iterdir() if p.is_dir()):
                path = state.state_path(base, sub.name)
                if path.is_file():
                    text = files.read_text(path)
                    docs[sub.name] = (path, text, state.read_block(text))
        return docs

    def paused_models(self, docs: dict | None = None) -> list[core.PausedModel]:
        """Every ``.sql.skip`` file, its dependencies (dbt-extractor) and its groups."""
        docs = self._documents() if docs is None else docs
        named_by: dict[str, set[str]] = {}
        for group, (_, text, block) in docs.items():
            names = {p.name for p in block.paused} if block else state.mentioned_names(text)
            for n in names:
                named_by.setdefault(n, set()).add(group)
        out = []
        for path in files.skip_files(self.layout):
            rel = path.relative_to(self.dbt_dir).as_posix()
            name = files.model_name_of(path)
            model = core.PausedModel(name, rel)
            try:
                found = static_dependencies(files.read_text(path))
                model.deps = core.dependencies_from(found["refs"], found["sources"])
                model.groups |= core.groups_from_configs(found["configs"])
            except ExtractionFailed as exc:
                broken = jinja_syntax_error(files.read_text(path))
                model.unreadable = (
                    f"dbt cannot parse its Jinja: {broken}"
                    if broken
                    else f"dbt's static extractor cannot read its Jinja ({exc}); check it by hand"
                )
            sidecar = files.sidecar_for(path)
            if sidecar.is_file():
                model.groups |= files.sidecar_tags(files.read_sidecar(sidecar))
            model.groups |= files.folder_tags(self.layout, rel)
            model.groups |= named_by.get(name, set())
            out.append(model)
        return out

    def view(self, group: str, parsed: Parsed, paused_all: list[core.PausedModel], docs: dict) -> GroupView:
        active = sorted(n for n, tags in parsed.index.groups_of.items() if group in tags)
        mine = [m for m in paused_all if group in m.groups and m.name not in parsed.index.names]
        elsewhere = {m.name: m.groups for m in paused_all if group not in m.groups}
        verdicts = core.readiness(mine, parsed.index, elsewhere)
        path, text, block = docs.get(group, (self.doc_path(group), None, None))
        return GroupView(group, active, mine, verdicts, path, text, block)

    # -- pause -----------------------------------------------------------------------------------
    def pause(self, group: str) -> PauseReport:
        parsed = self.parse()
        plan = core.plan_pause(group, parsed.inventory, parsed.unresolved)
        docs = self._documents()
        already = [m for m in self.paused_models(docs) if group in m.groups]
        if not plan.members and not already:
            raise InputError(
                f"no models tagged '{group}' in {self.dbt_dir}: check the tag "
                "(`migrate status` lists groups in progress)"
            )
        if plan.blockers_outside:
            needs = "; ".join(f"{m} needs {', '.join(n)}" for m, n in sorted(plan.blockers_outside.items()))
            raise InputError(
                f"pausing '{group}' would break models outside it ({needs}); nothing changed. "
                "Pause their groups first, or tag them with this group"
            )
        paused_now: list[str] = []
        snapshot = self._snapshot(files.yaml_files(self.layout))
        try:
            for _ in range(10):  # repeat until the group parses (dynamic Jinja can hide a ref from one pass)
                for item in plan.to_pause:
                    sql = self.dbt_dir / item.path
                    for p in (sql, sql.with_name(sql.name + files.SKIP), files.sidecar_for(sql)):
                        snapshot.setdefault(p, p.read_bytes() if p.is_file() else None)
                    self._skip_model(item.path, item.name)
                    paused_now.append(item.name)
                if not plan.to_pause:
                    break
                parsed = self.parse()
                plan = core.plan_pause(group, parsed.inventory, parsed.unresolved)
        except BaseException:
            self._revert(snapshot)  # all or nothing: a failed pause leaves every file as it was
            raise
        docs = self._documents()
        view = self.view(group, parsed, self.paused_models(docs), docs)
        warnings = [
            f"{m} (outside '{group}') still does not resolve {', '.join(d)}: pause its group too"
            for m, d in sorted(plan.broken_outside.items())
        ]
        changed = False
        if paused_now or (view.doc_text is None and view.paused):
            log = state.LogEntry(
                at=_now(),
                action="pause",
                paused=sorted(paused_now),
                still_paused=sorted(m.name for m in view.paused),
                next_action=self._next_action(view),
            )
            changed = self._write_doc(view, state.PAUSED if view.paused else state.COMPLETE, log)
        return PauseReport(
            group=group,
            paused=sorted(paused_now),
            verdicts=dict(view.verdicts),
            completed=view.active,
            total=view.total,
            state_document=str(view.doc_path) if changed or view.doc_text is not None else None,
            warnings=warnings,
        )

    def _skip_model(self, rel_sql: str, model: str, candidates: list[Path] | None = None) -> list[Path]:
        """Move a model's YAML entries into its sidecar, then rename it to ``.sql.skip``.
        ``candidates``: the YAML files that may hold them (default: every YAML file)."""
        sql = self.dbt_dir / rel_sql
        moved, touched = [], []
        for yml in files.yaml_files(self.layout) if candidates is None else candidates:
            text = files.read_text(yml)
            if not files.entries_for(text, yml, model):
                continue
            new_text, entries = files.cut_entries(text, yml, model)
            moved.append((yml, new_text, entries))
        if moved:
            sidecar = files.sidecar_for(sql)
            seq = time.time_ns()  # restore puts entries back in reverse pause order: exact bytes
            atomic_write(
                sidecar,
                files.render_sidecar(
                    model,
                    [
                        {"file": y.relative_to(self.dbt_dir).as_posix(), "entries": [{**x, "seq": seq} for x in e]}
                        for y, _, e in moved
                    ],
                ),
            )
            touched.append(sidecar)
            for yml, new_text, _ in moved:
                atomic_write(yml, new_text)
                touched.append(yml)
        sql.replace(sql.with_name(sql.name + files.SKIP))
        return touched + [sql, sql.with_name(sql.name + files.SKIP)]

    def _unskip_models(self, models: list[core.PausedModel]) -> None:
        """Rename back to ``.sql`` and put YAML entries back, latest-paused first (a stack)."""
        pending = []
        for m in models:
            skip = self.dbt_dir / m.path
            sidecar = files.sidecar_for(skip)
            if sidecar.is_file():
                for moved in files.read_sidecar(sidecar)["moved"]:
                    pending += [(e.get("seq", 0), moved["file"], e) for e in moved["entries"]]
        for _, rel, entry in sorted(pending, key=lambda t: -t[0]):  # stable: a model's own order kept
            yml = self.dbt_dir / rel
            current = files.read_text(yml) if yml.is_file() else None
            atomic_write(yml, files.insert_entries(current, yml, [entry]))
        for m in models:
            skip = self.dbt_dir / m.path
            files.sidecar_for(skip).unlink(missing_ok=True)
            skip.replace(skip.with_name(skip.name[: -len(files.SKIP)]))

    def _touched_by(self, model: core.PausedModel) -> list[Path]:
        skip = self.dbt_dir / model.path
        paths = [skip, skip.with_name(skip.name[: -len(files.SKIP)])]
        sidecar = files.sidecar_for(skip)
        if sidecar.is_file():
            paths.append(sidecar)
            paths += [self.dbt_dir / m["file"] for m in files.read_sidecar(sidecar)["moved"]]
        return paths

    # -- restore ---------------------------------------------------------------------------------
    def plan_restore(self, group: str) -> tuple[GroupView | None, Parsed | None, str]:
        docs = self._documents()
        paused_all = self.paused_models(docs)
        has_doc = group in docs
        if not has_doc and not any(group in m.groups for m in paused_all):
            return None, None, "nothing"
        parsed = self._saved_parse() or self.parse()  # dbt's last manifest when no file changed since
        mine_active = {u.name for u in parsed.unresolved}
        if mine_active:
            first = parsed.unresolved[0]
            raise InputError(
                f"the project does not parse now: {first.path} ({first.name}) needs "
                f"{first.target_kind} '{first.target_name}', which does not exist; "
                f"pause its group first (`migrate pause <group>`); nothing changed"
            )
        view = self.view(group, parsed, paused_all, docs)
        source = "state document" if has_doc else "skip files (no state document)"
        return view, parsed, source

    def restore(
        self,
        group: str,
        *,
        dry_run: bool = False,
        build: bool = False,
        commit: bool = False,
        allow_dirty: bool = False,
        confirm: Callable[[RestoreReport], bool] | None = None,
    ) -> RestoreReport:
        view, parsed, source = self.plan_restore(group)
        doc_path = str(self.doc_path(group))
        if view is None:
            return RestoreReport(group, source, doc_path, {})
        report = RestoreReport(
            group,
            source,
            str(view.doc_path),
            view.verdicts,
            dry_run=dry_run,
            total=view.total,
            completed=len(view.active),
        )
        if view.doc_text is not None and view.block is None:
            report.warnings.append(
                f"{view.doc_path} has no machine-readable block: read it for the model "
                "names it mentions; its text is kept as it is"
            )
        order = core.restore_order(view.verdicts)
        report.still_paused = sorted(m.name for m in view.paused)
        report.status = state.PAUSED if view.paused else state.COMPLETE
        if dry_run or not order:
            return report
        if confirm is not None and not confirm(report):
            report.dry_run = True
            report.warnings.append("not confirmed: nothing changed")
            return report

        by_name = {m.name: m for m in view.paused}
        touched_by = {n: self._touched_by(by_name[n]) for n in order}
        touched = [p for n in order for p in touched_by[n]] + [view.doc_path]
        repo = None
        if commit:
            repo = git.repo_root(self.dbt_dir)
            others = self._foreign_changes(repo, touched)
            if others and not allow_dirty:
                shown = ", ".join(str(p) for p in others[:5]) + (" ..." if len(others) > 5 else "")
                raise InputError(
                    f"--commit refused: uncommitted changes outside this restore ({shown}); "
                    "commit or stash them, or pass --allow-dirty; nothing changed"
                )
            git.switch_branch(repo, f"{self.project.config.git.branch_prefix}{group}")

        kept, reskipped, last = self._restore_with_culprits(order, by_name, view.verdicts)
        report.resumed = kept
        report.reskipped = reskipped
        report.changed_files = sorted({str(p) for n in kept for p in touched_by[n]})
        if kept:
            parsed = self.parse(last)
            docs = self._documents()
            view = self.view(group, parsed, self.paused_models(docs), docs)
            report.verdicts = {**report.verdicts, **view.verdicts}
            report.still_paused = sorted(m.name for m in view.paused)
            report.completed, report.total = len(view.active), view.total
            report.status = state.COMPLETE if not view.paused else state.RESUMED
            log = state.LogEntry(
                at=_now(),
                action="restore",
                resumed=kept,
                reskipped=reskipped,
                still_paused=report.still_paused,
                next_action=self._next_action(view),
            )
            self._write_doc(view, report.status, log)
            report.changed_files.append(str(view.doc_path))
        if build:
            report.build = self.build(group)
        if commit and kept and repo is not None:
            msg = self._commit_message(group, kept, report.still_paused, reskipped)
            report.commit = git.commit_paths(repo, [p for p in touched if self._inside(p, repo)], msg)
        return report

    def _restore_with_culprits(self, order: list[str], by_name: dict, verdicts: dict):
        """Restore ``order``; when the project then fails to parse, re-skip only the culprits."""
        snapshot = self._snapshot([p for n in order for p in self._touched_by(by_name[n])])
        reskipped: dict[str, str] = {}

        def apply(names: list[str]):
            self._revert(snapshot)
            self._unskip_models([by_name[n] for n in names])
            return self.dbt.parse_lenient()

        def failure(outcome) -> str | None:
            if outcome.manifest is None or not outcome.success:
                return (outcome.errors[0] if outcome.errors else "dbt parse failed").strip().splitlines()[-1].strip()
            if outcome.unresolved:
                u = outcome.unresolved[0]
                return f"{u.target_kind} '{u.target_name}' does not resolve"
            return None

        def drop(culprit: str, why: str, current: list[str]) -> list[str]:
            gone = core.dependents_closure([culprit], verdicts, current)
            for g in sorted(gone):
                reskipped[g] = why if g == culprit else f"waits on re-skipped {culprit}"
            return [n for n in current if n not in gone]

        current = list(order)
        outcome = apply(current)
        why = failure(outcome)
        if why is not None:  # culprits dbt names directly: unresolved refs, or the exception's node
            path_to = {str(Path(by_name[n].path).with_suffix("")): n for n in current}
            named = {
                path_to[u.path]: f"{u.target_kind} '{u.target_name}' does not resolve"
                for u in outcome.unresolved
                if u.path in path_to
            }
            named.update({path_to[p]: why for p in outcome.exception_paths if p in path_to})
            for n, reason in named.items():
                if n in current:
                    current = drop(n, reason, current)
            if named:
                outcome = apply(current)
                why = failure(outcome)
        while why is not None and current:
            # Bisect for the shortest failing prefix (the order is dependencies first).
            if failure(apply([])) is not None:
                self._revert(snapshot)
                raise InputError(
                    f"the project does not parse even without restoring anything: {why}; "
                    "fix it, then run restore again; nothing changed"
                )
            lo, hi, reason = 1, len(current), why
            while lo < hi:
                mid = (lo + hi) // 2
                r = failure(apply(current[:mid]))
                if r is None:
                    lo = mid + 1
                else:
                    hi, reason = mid, r
            current = drop(current[lo - 1], f"dbt parse failed after restoring it: {reason}", current)
            outcome = apply(current)
            why = failure(outcome)
        return current, reskipped, outcome

    def _snapshot(self, paths: list[Path]) -> dict[Path, bytes | None]:
        return {p: (p.read_bytes() if p.is_file() else None) for p in dict.fromkeys(paths)}

    @staticmethod
    def _revert(snapshot: dict[Path, bytes | None]) -> None:
        for p, data in snapshot.items():
            if data is None:
                if p.exists():
                    p.unlink()
            elif not p.is_file() or p.read_bytes() != data:
                atomic_write(p, data.decode("utf-8"))

    def _foreign_changes(self, repo: Path, touched: list[Path]) -> list[Path]:
        ours = {p.resolve() for p in touched}
        own_output = [self.dbt_dir / "target", self.dbt_dir / "logs", self.dbt_dir / ".user.yml"]
        out = []
        for p in git.dirty_paths(repo):
            if p in ours or any(p == o or o in p.parents for o in own_output):
                continue
            out.append(p)
        return out

    @staticmethod
    def _inside(p: Path, repo: Path) -> bool:
        try:
            p.resolve().relative_to(repo)
            return True
        except ValueError:
            return False

    @staticmethod
    def _commit_message(group: str, resumed: list[str], still: list[str], reskipped: dict) -> str:
        lines = [
            f"migrate restore {group}: resume {len(resumed)} model(s)",
            "",
            f"Resumed: {', '.join(resumed) or 'none'}",
            f"Still paused: {', '.join(still) or 'none'}",
        ]
        if reskipped:
            lines.append("Re-skipped: " + ", ".join(f"{k} ({v})" for k, v in reskipped.items()))
        return "\n".join(lines) + "\n"

    def build(self, group: str) -> dict:
        outcome = self.dbt.build(select=[f"tag:{group}"])
        tests = [r for r in outcome.results if r.resource_type in {"test", "unit_test"}]
        models = [r for r in outcome.results if r.resource_type in {"model", "snapshot", "seed"}]
        return {
            "success": outcome.success,
            "models": {"passed": sum(r.ok for r in models), "failed": sum(not r.ok for r in models)},
            "tests": {
                "passed": sum(r.ok for r in tests),
                "failed": sum(not r.ok for r in tests),
                "failed_names": [r.name for r in tests if not r.ok],
            },
            "errors": outcome.errors[:5],
        }

    # -- status ----------------------------------------------------------------------------------
    def status(self, group: str | None = None) -> list[GroupStatus]:
        docs = self._documents()
        paused_all = self.paused_models(docs)
        parsed = self._saved_parse() or self.parse()
        from ..results import read_item_index  # (pydantic: only status needs it)

        items = read_item_index(item_index(self.project.root))
        groups = [group] if group else sorted(set(docs) | {g for m in paused_all for g in m.groups})
        if items and group is None and MIGRATED_TAG not in groups:
            groups.append(MIGRATED_TAG)  # every model a run generates carries it
        out = []
        for g in groups:
            view = self.view(g, parsed, paused_all, docs)
            reasons = {p.name: p.reason for p in view.block.paused if p.reason} if view.block else {}
            mine = items if g == MIGRATED_TAG else {}
            out.append(
                GroupStatus(
                    group=g,
                    total=view.total,
                    complete=view.active,
                    paused=sorted(m.name for m in view.paused),
                    verdicts=dict(view.verdicts),
                    state_document=str(view.doc_path) if view.doc_text is not None else None,
                    documented_status=view.block.status if view.block else None,
                    unresolved_active=sorted({f"{u.name}: {u.target_name}" for u in parsed.unresolved if g in u.tags}),
                    reasons=reasons,
                    ok=sorted(i["model"] or k for k, i in mine.items() if i.get("status") == "ok"),
                    failed={
                        i["model"] or k: f"{i.get('reason') or i['status']}: {i.get('why', '')}"
                        for k, i in sorted(mine.items())
                        if i.get("status") in ("error", "partial")
                    },
                )
            )
        return out

    def _saved_parse(self) -> Parsed | None:
        """The project as dbt's last saved manifest shows it, when no file changed since (no dbt
        run: ``migrate status`` on thousands of models answers in about a second)."""
        newest = files.newest_change(self.layout)
        inventory = saved_manifest_inventory(self.dbt_dir, newest)
        if inventory is None:
            return None
        return Parsed(inventory, [], core.build_index(inventory))

    # -- state document ----------------------------------------------------------------------------
    @staticmethod
    def _next_action(view: GroupView) -> str:
        g = view.group
        if not view.paused:
            return f"build and test: `dbt build --select tag:{g}`"
        blocked = [v for v in view.verdicts.values() if v.status != core.READY]
        if len(blocked) < len(view.verdicts):
            return f"run `migrate restore {g}`: some paused models are ready"
        own = {m.name for m in view.paused}
        missing = sorted(
            {d.name for v in blocked for d in v.missing if d.kind == "ref" and d.name not in own}
            | {f"{d.name}.{d.table}" for v in blocked for d in v.missing if d.kind == "source"}
        )
        return f"migrate the missing dependencies ({', '.join(missing[:8])}), then `migrate restore {g}`"

    def _write_doc(
        self, view: GroupView, status: str, log: state.LogEntry | None, reasons: dict[str, str] | None = None
    ) -> bool:
        prior = view.block.log if view.block else []
        # A run's reason for a pause stays with the model until it is restored.
        kept = {p.name: p.reason for p in view.block.paused if p.reason} if view.block else {}
        reasons = {**kept, **(reasons or {})}
        block = state.StateBlock(
            group=view.group,
            status=status,
            total=view.total,
            completed=view.active,
            paused=[
                state.PausedEntry(
                    name=m.name,
                    path=m.path,
                    missing=view.verdicts[m.name].missing_labels
                    or ([f"(unreadable: {view.verdicts[m.name].reason})"] if view.verdicts[m.name].reason else []),
                    present=[d.label for d in view.verdicts[m.name].present],
                    provided_by=view.verdicts[m.name].provided_by,
                    moved_yaml=(
                        files.sidecar_for(self.dbt_dir / m.path).relative_to(self.dbt_dir).as_posix()
                        if files.sidecar_for(self.dbt_dir / m.path).is_file()
                        else None
                    ),
                    reason=reasons.get(m.name),
                )
                for m in sorted(view.paused, key=lambda m: m.name)
            ],
            log=prior + ([log] if log else []),
        )
        text = state.update_document(view.doc_text, block, _now(), log)
        if text == view.doc_text:
            return False
        atomic_write(view.doc_path, text)
        return True
