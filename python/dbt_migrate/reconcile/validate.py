"""Checking a plan against the project before anything is loaded: every file exists and is readable,
every table is a migrated target that a model produces, every source is one the dbt project
declares, every column a rule names exists in the legacy file's header (or relation). All problems
are reported at once, each naming its plan entry (InputError, exit 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog import MigrationProject
from ..errors import InputError
from ..escaping import name_problem
from ..layout import versions_model
from ..names import TableId, model_names
from . import files
from .plan import DataRef, Plan, TableRules
from .spec import AUDIT_COLUMNS


@dataclass
class Target:
    """A plan table: its legacy id as written, and the model (or snapshot) that produces it."""

    table: str
    model: str
    relation: dict[str, Any]  # database, schema, identifier


@dataclass
class Checked:
    plan: Plan
    path: Path
    adapter: str
    targets: dict[str, Target]
    sources: dict[str, dict[str, Any]]  # plan source id -> the declared source (manifest)
    headers: dict[str, list[str]] = field(default_factory=dict)  # resolved file path -> column names

    def file(self, ref: DataRef) -> Path:
        assert ref.path is not None
        p = Path(ref.path)
        return p if p.is_absolute() else (self.path.parent / p).resolve()


def relation_refs(plan: Plan) -> list[dict[str, Any]]:
    """The relations a plan names ({relation: ...}), to describe before checking their columns."""
    seen: dict[str, dict[str, Any]] = {}
    for r in plan.rounds:
        for ref in list(r.sources.values()) + list(r.legacy.values()):
            if ref.relation and ref.relation not in seen:
                tid = TableId.parse(ref.relation)
                seen[ref.relation] = {"name": ref.relation, "schema": tid.schema, "identifier": tid.name}
    return list(seen.values())


def _find_source(sources: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    tid = TableId.parse(text)
    for s in sources:
        for schema, name in ((s["source_name"], s["name"]), (s["schema"], s["identifier"])):
            if f"{schema}.{name}".lower() == tid.key:
                return s
    return None


def _columns_named(rules: TableRules) -> list[tuple[str, str]]:
    """(entry, legacy column) for every column a table's rules name on the legacy side."""
    out = [("key", c) for c in rules.key]
    out += [("column_map", c) for c in rules.column_map]
    out += [("transform.legacy", c) for c in rules.transform.legacy]
    for entry, rule in (("ignore_case", rules.ignore_case), ("ignore_whitespace", rules.ignore_whitespace)):
        if isinstance(rule, list):
            out += [(entry, c) for c in rule]
    out += [("tolerance", c) for c in rules.tolerance]
    out += [("thresholds.columns", c) for c in rules.thresholds.columns]
    if rules.aggregate:
        out += [("aggregate.group_by", c) for c in rules.aggregate.group_by]
        out += [("aggregate.measures", c) for c in rules.aggregate.measures]
    if rules.scd2:
        out += [("scd2.business_key", c) for c in rules.scd2.business_key]
        out += [("scd2.valid_from", rules.scd2.valid_from), ("scd2.valid_to", rules.scd2.valid_to)]
        if rules.scd2.current_flag:
            out.append(("scd2.current_flag", rules.scd2.current_flag))
    return out


def check(
    plan: Plan,
    path: Path,
    mp: MigrationProject,
    relations: dict[str, Any],
    described: dict[str, Any],
) -> Checked:
    """``relations``: ``dbt.relations_of(manifest)``; ``described``: the ``{relation: ...}`` entries'
    columns (``_reconcile_describe``). Raises InputError listing every problem."""
    where = path.name
    problems: list[str] = []
    targets: dict[str, Target] = {}
    ids = {t.key: t.id for t in mp.targets}
    default_models = model_names(list(ids))
    nodes = relations["nodes"]
    for table, rules in plan.tables.items():
        entry = f"{where}: tables.{table}"
        tid = TableId.parse(table)
        if tid.key not in ids:
            problems.append(f"{entry}: not a migrated target of {mp.root / 'catalog' / 'tables'}")
            continue
        model = rules.model or default_models[tid.key]
        if rules.model is None and versions_model(model) in nodes:
            model = versions_model(model)  # an SCD2 snapshot's current-flag view is the legacy table's shape
        if model not in nodes:
            problems.append(
                f"{entry}: no model produces it (dbt has no model or snapshot {model!r}; run "
                f"`migrate run --table {table}` first, or set model:)"
            )
            continue
        if "data" in plan.reports_for(table) and not (rules.key or rules.scd2):
            problems.append(f"{entry}: the data report needs a key (key: [...]) or scd2")
        targets[tid.key] = Target(table=table, model=model, relation=nodes[model])
    sources: dict[str, dict[str, Any]] = {}
    headers: dict[str, list[str]] = {}
    checked = Checked(
        plan=plan, path=path, adapter=relations["adapter"], targets=targets, sources=sources, headers=headers
    )
    for n, rnd in enumerate(plan.rounds, start=1):
        here = f"{where}: rounds[{n}] ({rnd.name})"
        for sid, ref in rnd.sources.items():
            source = _find_source(relations["sources"], sid)
            if source is None:
                problems.append(f"{here}: sources.{sid}: not a source the dbt project declares")
                continue
            sources[TableId.parse(sid).key] = source
            cols = _columns(checked, ref, f"{here}: sources.{sid}", described, problems)
            declared = {c.lower() for c in source["columns"]}
            missing = [c for c in cols or [] if declared and c.lower() not in declared]
            if missing:
                problems.append(
                    f"{here}: sources.{sid}: {', '.join(missing)} not a column of the source "
                    f"(declared: {', '.join(source['columns'])})"
                )
        for table, ref in rnd.legacy.items():
            key = TableId.parse(table).key
            if key not in {TableId.parse(t).key for t in plan.tables}:
                problems.append(f"{here}: legacy.{table}: not one of the plan's tables")
                continue
            cols = _columns(checked, ref, f"{here}: legacy.{table}", described, problems)
            if cols is None or key not in targets:
                continue
            _check_rules(plan, table_key_name(plan, key), cols, mp, f"{here}: legacy.{table}", problems)
    if not problems and not any(r.legacy for r in plan.rounds):
        problems.append(f"{where}: no round names a legacy table: nothing to compare")
    if problems:
        raise InputError("reconcile plan rejected (nothing was loaded):\n  " + "\n  ".join(problems))
    return checked


def table_key_name(plan: Plan, key: str) -> str:
    return next(t for t in plan.tables if TableId.parse(t).key == key)


def _columns(
    checked: Checked, ref: DataRef, entry: str, described: dict[str, Any], problems: list[str]
) -> list[str] | None:
    if ref.relation is not None:
        info = described.get(ref.relation)
        if info is None:
            problems.append(f"{entry}: relation {ref.relation} does not exist in the warehouse")
            return None
        return [c["name"] for c in info["columns"]]
    p = checked.file(ref)
    if not p.is_file():
        problems.append(f"{entry}: file {ref.path} not found (looked at {p})")
        return None
    key = str(p)
    if key not in checked.headers:
        try:
            checked.headers[key] = files.header(p)
        except InputError as exc:
            problems.append(f"{entry}: {exc}")
            return None
    cols = checked.headers[key]
    bad = [f"{c!r} ({problem})" for c in cols if (problem := name_problem(c))]
    if bad:
        problems.append(f"{entry}: {ref.path}: unusable column names: {', '.join(bad)}")
        return None
    return cols


def _check_rules(
    plan: Plan, table: str, cols: list[str], mp: MigrationProject, entry: str, problems: list[str]
) -> None:
    rules = plan.tables[table]
    have = {c.lower() for c in cols}
    shown = ", ".join(cols)
    for name, column in _columns_named(rules):
        if column.lower() not in have:
            problems.append(f"{entry}: tables.{table}.{name}: {column} is not a column of it (columns: {shown})")
    catalog = {c.name.lower() for c in mp.table(table).columns} if mp.knows_table(table) else set()
    for column in plan.excluded_for(table):
        if column.lower() not in have | catalog | AUDIT_COLUMNS:
            problems.append(
                f"{entry}: tables.{table}.exclude_columns: {column} is neither a column of it (columns: {shown}) "
                "nor of the target's catalog"
            )
