"""``analyse(discovered) -> Analysis``: every procedure read statement by statement, every table
scoped to its writer and profiled by rules. Pure: objects in, catalog bodies out, no I/O.

Stages: ``statements`` splits a procedure into statements, ``procedure`` decides each one's action
and references, ``routing`` its mode, ``scoping`` writers -> targets (slices of multi-target
writers), ``classify`` (over ``shapes``) each target's profile. Views get the view profile
(``stg`` / ``mart``). Every inferred field says ``source: "discover"`` and why, in one line.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp

from .classify import profile
from .model import Analysis, Discovered, Problem, SqlObject, TableFacts, TableInference
from .procedure import Analysed, TableName, analyse_statements
from .routing import routing
from .scoping import SOURCE, Writer, WriterIndex, find_targets, scoping, slices
from .statements import split_body


def analyse(discovered: Discovered) -> Analysis:
    writers: list[tuple[SqlObject, Writer, dict[str, Any]]] = []
    problems: list[Problem] = []
    for obj in discovered.procedures():
        body = split_body(obj.sql)
        if body.error is not None:
            problems.append(Problem(obj.file, obj.line, f"procedure cannot be tokenized: {body.error}", obj.fqn))
        statements = analyse_statements(obj, body.statements)
        for a in statements:
            if a.unparsed is not None and a.action == "migrate":
                line = obj.line + a.raw.line - 1
                problems.append(Problem(obj.file, line, f"statement {a.index} cannot be parsed: {a.unparsed}", obj.fqn))
        writer = Writer(obj.schema, obj.name, statements, file=obj.file, line=obj.line)
        find_targets(writer)
        route = routing(body, statements)
        doc: dict[str, Any] = {
            "schema": obj.schema,
            "name": obj.name,
            "source": SOURCE,
            "references": references(statements, discovered.tables),
            "statements": [statement_doc(a, obj) for a in statements],
            "mode": route.mode,
            "mode_rationale": route.rationale,
            "needs_llm": route.mode == "llm_required" or body.error is not None,
            "needs_enrich": route.mode == "call_graph_enrich",
            "routing_reasons": route.reasons + (["unparsed_statement"] if body.error is not None else []),
            "targets": [t.written for t in writer.targets],
        }
        if body.error is not None:
            doc["mode"], doc["mode_rationale"] = "llm_required", f"the body cannot be tokenized: {body.error}"
        sliced = slices(writer)
        if sliced is not None:
            doc["table_slices"] = sliced
        writers.append((obj, writer, doc))
    index = WriterIndex([w for _, w, _ in writers])
    target_keys = set(index.loading)
    tables: dict[str, TableInference] = {}
    source_keys = declared_keys(discovered.tables)
    # Two passes: the second re-profiles the targets that read another target, once every
    # target's natural key is known (its foreign keys, an aggregate's grain).
    later: list[str] = []
    for key in sorted(set(discovered.tables) | index.keys):
        tables[key] = table_inference(key, discovered, index, target_keys, source_keys, problems)
        known = _business_key(tables[key].profile)
        if len(known) == 1:
            source_keys.setdefault(key, known)
        if _reads_a_target(key, index, target_keys):
            later.append(key)
    for key in later:
        tables[key] = table_inference(key, discovered, index, target_keys, source_keys, problems)
    return Analysis(
        procedures={obj.fqn: doc for obj, _, doc in writers}, tables=tables, problems=list(dict.fromkeys(problems))
    )


def table_inference(
    key: str,
    discovered: Discovered,
    index: WriterIndex,
    targets: set[str],
    source_keys: dict[str, list[str]],
    problems: list[Problem],
) -> TableInference:
    facts = discovered.tables.get(key)
    if facts is not None and facts.kind == "view":
        return TableInference(scoping={}, profile=view_profile(facts))
    block = scoping(key, index)
    prof: dict[str, Any] = {}
    mine = index.loading.get(key, [])
    if mine:
        target = next(t for t in mine[0].targets if t.key == key)
        try:
            prof = profile(mine[0].statements, target, facts, targets, source_keys)
        except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
            w = mine[0]
            problems.append(Problem(w.file, w.line, f"{key}: not profiled ({type(exc).__name__}: {exc})", key))
            return TableInference(scoping=block, profile={})
        if len(mine) > 1:
            prof["classification"]["rationale"] += f" (read from {mine[0].display}, one of {len(mine)} writers)"
    return TableInference(scoping=block, profile=prof)


def _business_key(profile: dict[str, Any]) -> list[str]:
    """A target's key as other tables' foreign keys name it: its natural key, else its primary key
    unless that is a generated surrogate."""
    natural = (profile.get("natural_key") or {}).get("columns") or []
    if natural:
        return list(natural)
    pk = profile.get("primary_key") or {}
    return [] if pk.get("primary_key_type") == "surrogate" else list(pk.get("columns") or [])


def _reads_a_target(key: str, index: WriterIndex, target_keys: set[str]) -> bool:
    for w in index.loading.get(key, []):
        for a in w.statements:
            if (
                a.written is not None
                and a.written.key == key
                and any(r.key in target_keys and r.key != key for r in a.reads)
            ):
                return True
    return False


def declared_keys(tables: dict[str, TableFacts]) -> dict[str, list[str]]:
    """Table key -> its declared single-column key that is not a generated surrogate."""
    out: dict[str, list[str]] = {}
    for key, facts in tables.items():
        generated = {c.name.lower() for c in facts.columns if c.identity}
        for columns in (facts.primary_key, *facts.unique_keys):
            if len(columns) == 1 and columns[0].lower() not in generated:
                out[key] = list(columns)
                break
    return out


def statement_doc(a: Analysed, obj: SqlObject) -> dict[str, Any]:
    return {
        "index": a.index,
        "type": a.type,
        "action": a.action,
        "source": SOURCE,
        "sql": a.raw.sql,
        "rationale": a.rationale,
        "line": obj.line + a.raw.line - 1,
    }


def _entry(name: TableName, selected: bool, updated: bool) -> dict[str, Any]:
    return {"schema": name.schema or "dbo", "name": name.name, "is_selected": selected, "is_updated": updated}


def references(statements: list[Analysed], tables: dict[str, TableFacts]) -> dict[str, Any]:
    """What the ``migrate`` statements read and write (bookkeeping statements' tables left out)."""
    found: dict[str, tuple[TableName, bool, bool]] = {}
    out_of_scope: list[dict[str, Any]] = []
    functions: dict[str, TableName] = {}
    procedures: dict[str, TableName] = {}

    def add(name: TableName, selected: bool, updated: bool) -> None:
        if name.server or name.database:
            reason = "another server" if name.server else "another database"
            entry = {"schema": name.schema, "name": name.name, "database": name.database, "server": name.server}
            if {**entry, "reason": reason} not in out_of_scope:
                out_of_scope.append({**entry, "reason": reason})
            return
        old = found.get(name.key, (name, False, False))
        found[name.key] = (old[0], old[1] or selected, old[2] or updated)

    for a in statements:
        if a.action != "migrate":
            continue
        if a.written is not None:
            add(a.written, isinstance(a.tree, exp.Merge), True)
        for r in a.reads:
            add(r, True, False)
        for f in a.functions:
            functions.setdefault(f.key, f)
        if a.calls is not None:
            procedures.setdefault(a.calls.key, a.calls)
    in_tables = [_entry(*v) for k, v in found.items() if (tables.get(k) is None or tables[k].kind != "view")]
    in_views = [_entry(*v) for k, v in found.items() if tables.get(k) is not None and tables[k].kind == "view"]
    return {
        "tables": {"in_scope": in_tables, "out_of_scope": out_of_scope},
        "views": {"in_scope": in_views, "out_of_scope": []},
        "functions": {
            "in_scope": [{"schema": f.schema, "name": f.name} for f in functions.values()],
            "out_of_scope": [],
        },
        "procedures": {
            "in_scope": [{"schema": p.schema, "name": p.name} for p in procedures.values()],
            "out_of_scope": [],
        },
        "source": SOURCE,
        "rationale": "tables the migrate statements read (is_selected) and write (is_updated)",
    }


def view_profile(facts: TableFacts) -> dict[str, Any]:
    """``mart`` for aggregation, window functions or several tables joined; else ``stg``."""
    try:
        tree = sqlglot.parse_one(facts.select_sql or "", read="tsql")
    except sqlglot.errors.SqlglotError:
        tree = None
    if tree is None:
        return {}
    reasons = []
    if tree.find(exp.Group) is not None or tree.find(exp.AggFunc) is not None:
        reasons.append("aggregates")
    if tree.find(exp.Window) is not None:
        reasons.append("uses window functions")
    if len({t.name.lower() for t in tree.find_all(exp.Table)}) > 1:
        reasons.append("joins several tables")
    kind = "mart" if reasons else "stg"
    why = f"the view {', '.join(reasons)}" if reasons else "a thin select over one relation"
    return {"status": "ok", "classification": kind, "source": SOURCE, "rationale": why}
