"""Structural comparison: legacy query and model, both as DuckDB trees, feature by feature.

Pure functions: trees (and the target's column list / materialization) in, ``Check`` records out.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from ..rules import MATERIALIZATIONS
from .features import Analyzer, Features
from .report import Check, Status

if TYPE_CHECKING:
    from ..contracts import Materialization

DIALECT = "duckdb"


def legacy_tree(query: exp.Expr) -> exp.Expr:
    """The legacy SELECT (source dialect tree) re-read as DuckDB SQL, as the model is."""
    try:
        return sqlglot.parse_one(query.sql(DIALECT), read=DIALECT)
    except Exception:  # sqlglot writes something it cannot read back: compare the tree itself
        return query


def model_tree(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=DIALECT)


def strip_self_filters(tree: exp.Expr, target: str) -> tuple[exp.Expr, list[str]]:
    """WHERE conjuncts that read the target itself (``x > (select max(x) from target)``) are the
    legacy incremental filter, which a dbt model writes as ``watermark_filter``: removed."""
    from .features import conjuncts, table_key

    tree = tree.copy()
    removed: list[str] = []
    for select in list(tree.find_all(exp.Select)):
        where = select.args.get("where")
        if where is None:
            continue
        parts = conjuncts(where.this)
        keep = [p for p in parts if not any(table_key(t) == target for t in p.find_all(exp.Table))]
        if len(keep) != len(parts):
            removed += [p.sql(DIALECT) for p in parts if p not in keep]
            select.set("where", exp.Where(this=exp.and_(*keep)) if keep else None)
    return tree, removed


def mark_recursive(tree: exp.Expr) -> None:
    """T-SQL has no RECURSIVE keyword; DuckDB needs it on a WITH whose CTE reads itself."""
    for with_ in tree.find_all(exp.With):
        for cte in with_.expressions:
            name = cte.alias_or_name.lower()
            if any(not t.db and t.name.lower() == name for t in cte.this.find_all(exp.Table)):
                with_.set("recursive", True)


def features(tree: exp.Expr, schema: dict[str, list[str]]) -> Features:
    return Analyzer(tree, schema).features(tree)


def _names(items: Any, limit: int = 6) -> str:
    items = [str(i) for i in items]
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _counter_diff(a: Counter, b: Counter) -> tuple[list, list]:
    return sorted((a - b).elements(), key=str), sorted((b - a).elements(), key=str)


def compare(legacy: Features, model: Features, target_columns: list[str]) -> list[Check]:
    rewritten = legacy.rewritten - model.rewritten
    soft: Status = "divergence" if rewritten else "gap"
    why = f" (legacy {', '.join(sorted(rewritten))} rewritten; the data check judges it)" if rewritten else ""
    return [
        _tables(legacy, model),
        _columns(legacy, model, target_columns),
        _lineage(legacy, model, soft, why),
        _joins(legacy, model, soft, why),
        _predicates(legacy, model, soft, why),
        _grain(legacy, model, soft, why),
        _distinct(legacy, model, soft, why),
    ]


def _tables(legacy: Features, model: Features) -> Check:
    missing, extra = sorted(legacy.tables - model.tables), sorted(model.tables - legacy.tables)
    if not missing and not extra:
        return Check("tables", "match", f"reads {_names(sorted(legacy.tables))}")
    parts = [
        f"not read by the model: {_names(missing)}" if missing else "",
        f"read only by the model: {_names(extra)}" if extra else "",
    ]
    return Check("tables", "gap", "; ".join(p for p in parts if p))


def _columns(legacy: Features, model: Features, target_columns: list[str]) -> Check:
    expected = [c.lower() for c in target_columns] or legacy.outputs
    have = model.outputs
    missing = [c for c in expected if c not in have]
    dropped = [c for c in legacy.outputs if c not in have and c not in missing]
    extra = [c for c in have if c not in expected and c not in legacy.outputs]
    if missing or dropped:
        return Check("columns", "gap", f"missing from the model: {_names(missing + dropped)}")
    if extra:
        return Check("columns", "divergence", f"extra model columns: {_names(extra)}")
    order = [c for c in have if c in expected]
    if order != [c for c in expected if c in have]:
        return Check("columns", "divergence", "same columns in a different order (dbt writes by name)")
    return Check("columns", "match", f"{len(have)} columns as the target's insert list")


def _lineage(legacy: Features, model: Features, soft: Status, why: str) -> Check:
    gaps, diverged = [], []
    for name in legacy.outputs:
        lm = model.lineage.get(name)
        ll = legacy.lineage.get(name)
        if lm is None or ll is None:
            continue
        if not ll.resolved or not lm.resolved:
            if ll.text != lm.text:
                diverged.append(name)
            continue
        if ll.sources != lm.sources:
            only_l, only_m = sorted(ll.sources - lm.sources), sorted(lm.sources - ll.sources)
            gaps.append(f"{name} (legacy reads {_names(only_l) or '-'}, model reads {_names(only_m) or '-'})")
        elif ll.literals != lm.literals:
            a, b = _counter_diff(ll.literals, lm.literals)
            gaps.append(f"{name} (literals {_names(x[2:] for x in a) or '-'} -> {_names(x[2:] for x in b) or '-'})")
        elif ll.text != lm.text:
            diverged.append(name)
    if gaps:
        return Check("lineage", soft, "columns computed differently: " + "; ".join(gaps) + why)
    if diverged:
        return Check("lineage", "divergence", f"same inputs and constants, rewritten expressions: {_names(diverged)}")
    return Check("lineage", "match", "every column computed from the same columns and constants")


def _joins(legacy: Features, model: Features, soft: Status, why: str) -> Check:
    if legacy.joins == model.joins:
        n = sum(legacy.joins.values())
        return Check("joins", "match", f"{n} join(s): same tables, kinds and keys" if n else "no joins")
    only_l, only_m = _counter_diff(legacy.joins, model.joins)
    fmt = lambda j: f"{j[0]} JOIN {j[1]} ON {' AND '.join(j[2]) or '-'}"  # noqa: E731
    parts = [
        f"legacy only: {_names(fmt(j) for j in only_l)}" if only_l else "",
        f"model only: {_names(fmt(j) for j in only_m)}" if only_m else "",
    ]
    return Check("joins", soft, "; ".join(p for p in parts if p) + why)


def _predicates(legacy: Features, model: Features, soft: Status, why: str) -> Check:
    a, b = Counter(legacy.predicates), Counter(model.predicates)
    if a == b:
        if legacy.predicates != model.predicates:
            return Check("filters", "divergence", "same predicates, reordered")
        return Check("filters", "match", f"{len(a)} predicate(s) identical modulo syntax and operand order")
    only_l, only_m = _counter_diff(a, b)
    parts = [
        f"legacy only: {_names(only_l, 4)}" if only_l else "",
        f"model only: {_names(only_m, 4)}" if only_m else "",
    ]
    return Check("filters", soft, "; ".join(p for p in parts if p) + why)


def _grain(legacy: Features, model: Features, soft: Status, why: str) -> Check:
    if legacy.grain == model.grain:
        keys = [", ".join(k) for k in legacy.grain]
        return Check("grain", "match", f"GROUP BY {_names(keys, 3)}" if keys else "no aggregation grain")
    only_l, only_m = _counter_diff(legacy.grain, model.grain)
    parts = [
        f"legacy GROUP BY {_names(', '.join(k) for k in only_l)}" if only_l else "",
        f"model GROUP BY {_names(', '.join(k) for k in only_m)}" if only_m else "",
    ]
    return Check("grain", soft, "; ".join(p for p in parts if p) + why)


def _distinct(legacy: Features, model: Features, soft: Status = "gap", why: str = "") -> Check:
    if legacy.distinct == model.distinct:
        return Check("distinct", "match", _names(sorted(legacy.distinct.elements())) or "no DISTINCT / set operations")
    only_l, only_m = _counter_diff(legacy.distinct, model.distinct)
    return Check("distinct", soft, f"legacy {_names(only_l) or '-'} vs model {_names(only_m) or '-'}{why}")


def write_semantics(
    mat: Materialization, config: dict[str, Any], statement_types: list[str], snapshot: dict[str, Any] | None = None
) -> Check:
    """INSERT/MERGE/UPDATE intent and the profile's classification vs the model's config."""
    # The shape of a slice reload decides its materialization (context: incremental delete+insert).
    expected = (
        mat.materialized if mat.incremental_strategy else MATERIALIZATIONS.get(mat.classification, mat.materialized)
    )
    intent = "MERGE/UPDATE (upsert by key)" if {"merge", "update"} & set(statement_types) else "INSERT"
    if expected == "snapshot":
        if snapshot is None:
            return Check("write", "gap", f"{mat.classification} needs a snapshot; none is configured")
        actual, cfg = "snapshot", dict(snapshot)
    else:
        actual, cfg = str(config.get("materialized") or "view"), config
    if actual != expected:
        return Check("write", "gap", f"{intent} as {mat.classification} expects {expected}; the model is {actual}")
    want = [k.lower() for k in (mat.unique_key or [])]
    key = cfg.get("unique_key")
    have = [k.strip('"`[]').lower() for k in ([key] if isinstance(key, str) else list(key or []))]
    if want and sorted(want) != sorted(have):
        return Check("write", "gap", f"unique_key {have or 'none'} but the target's key is {want}")
    strategy = cfg.get("incremental_strategy")
    if actual == "incremental" and want and strategy not in ("merge", "delete+insert", None):
        return Check("write", "gap", f"{intent} by key needs a merge strategy; the model uses {strategy}")
    if actual == "incremental" and not want and intent.startswith("MERGE"):
        return Check("write", "gap", f"{intent} in the legacy code but the model appends without a unique key")
    detail = f"{intent} -> {actual}" + (f", unique_key {', '.join(have)}" if have else "")
    return Check("write", "match", detail)
