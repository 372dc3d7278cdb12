"""Refactored SQL (and a multi-table writer's slice) is a hint, the ``migrate`` statements are the
record.

Upstream's ``refactored_sql`` is a cleaner SELECT than the one dbt-migrate derives from the
statements, so it is used when it says the same thing. Before that, ``refactor_defect`` checks it
against the statements: structurally (every column it reads exists in the table it reads it
from; it writes every column the statements write) and on data (both run on DuckDB over the
test-spec ``given`` rows and generated edge rows). A disagreement is returned as a sentence naming
the column and the statement, and the context derives from the statements instead.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

from .convert import NotConvertible, legacy_query
from .convert.derive import parse_sql
from .convert.types import normalize_types
from .names import normalize_name

if TYPE_CHECKING:
    from .catalog import Statement
    from .contracts import Context
    from .warehouse import Warehouse

SAMPLE_CHARS = 60


def _writing_statement(ctx: Context) -> str:
    """``statement N (Insert)``: the first migrate statement that writes the target."""
    target = normalize_name(ctx.table)
    for i, st in enumerate(ctx.statements):
        if st.action != "migrate":
            continue
        try:
            tree = parse_sql(st.sql, ctx.source_dialect)
        except NotConvertible:
            continue
        node = tree.this if isinstance(tree, (exp.Insert, exp.Merge)) else tree.args.get("into")
        table = node.this if isinstance(node, (exp.Schema, exp.Into)) else node
        if (
            isinstance(table, exp.Table)
            and normalize_name(f"{table.db}.{table.name}" if table.db else table.name) == target
        ):
            return f"statement {i} ({type(tree).__name__.upper()} INTO {ctx.table})"
        if isinstance(tree, exp.Query) and len(ctx.statements) == 1:
            return f"statement {i} (the view body)"
    return "the migrate statements"


def _outputs(query: exp.Query) -> list[str]:
    while isinstance(query, exp.SetOperation):
        query = query.left
    if not isinstance(query, exp.Select) or any(isinstance(p, exp.Star) for p in query.expressions):
        return []
    return [p.alias_or_name for p in query.expressions]


def unknown_columns(query: exp.Query, wh: Warehouse) -> list[str]:
    """``table.column`` for each column the query reads from a physical table that does not have it
    (tables whose columns are unknown are not judged)."""
    found: list[str] = []
    for scope in traverse_scope(query.copy()):
        tables = {name: src for name, src in scope.sources.items() if isinstance(src, exp.Table)}
        for column in scope.columns:
            if column.table:
                src = tables.get(column.table)
            elif len(scope.sources) == 1 and len(tables) == 1:
                src = next(iter(tables.values()))
            else:
                continue
            if src is None:
                continue
            key = normalize_name(f"{src.db}.{src.name}" if src.db else src.name)
            known = wh.columns_of(key)
            if known and column.name.lower() not in {c.lower() for c in known}:
                found.append(f"{src.db + '.' if src.db else ''}{src.name}.{column.name}")
    return sorted(set(found))


def _structural(ctx: Context, wh: Warehouse, refactored: exp.Query, derived: exp.Query, where: str) -> str | None:
    missing = unknown_columns(refactored, wh)
    if missing:
        return f"it reads column {', '.join(missing)}, which its source does not have ({where} is the record)"
    theirs = {c.lower() for c in _outputs(refactored)}
    ours = _outputs(derived)
    if theirs and ours:
        dropped = [c for c in ours if c.lower() not in theirs]
        if dropped:
            return f"it drops column {', '.join(dropped)}, which {where} writes"
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + "..."


def _data(ctx: Context, statements_ctx: Context, wh: Warehouse, where: str) -> str | None:
    """Both SELECTs (``ctx``'s hint, ``statements_ctx``'s record) on the given rows and edge rows;
    the first column whose values differ."""
    from .equivalence.data import Sandbox
    from .equivalence.edges import scenarios
    from .equivalence.inputs import givens_of as _givens
    from .equivalence.inputs import legacy_duckdb_sql as _legacy_duckdb_sql
    from .equivalence.inputs import table_defs as _table_defs

    self_target = normalize_name(ctx.table) if ctx.incremental else None
    try:
        sql_refactored = _legacy_duckdb_sql(ctx, wh, None, self_target)
        sql_statements = _legacy_duckdb_sql(statements_ctx, wh, None, self_target)
    except Exception:
        return None  # no DuckDB text for one of them: no data evidence either way
    givens = _givens(wh, ctx.table)
    keys = {normalize_name(f"{t.db}.{t.name}") for t in legacy_query(statements_ctx).find_all(exp.Table) if t.db}
    tables = _table_defs(wh, keys | {k for g in givens for k in g.rows}, givens)
    cases = scenarios(tables, [g for g in givens if all(k in tables for k in g.rows)])
    try:
        box = Sandbox(tables)
    except duckdb.Error:
        return None
    disagreement = None
    matches = {"statements": True, "refactored": True}  # each reproduces every expectation
    try:
        target = normalize_name(ctx.table)
        for case in cases:
            # The model rebuilds the target: its prior rows (a self-read the refactor may rightly
            # drop) are no evidence either way.
            box.load({k: v for k, v in case.rows.items() if k != target})
            try:
                ours = box.query(sql_statements)
                theirs = box.query(sql_refactored)
            except duckdb.Error:
                continue  # one of them does not run here: no evidence from this case
            if case.expect is not None:
                matches["statements"] &= _reproduces(ours, case.expect)
                matches["refactored"] &= _reproduces(theirs, case.expect)
            disagreement = disagreement or _first_difference(ours, theirs, case.name, where)
    finally:
        box.close()
    if disagreement and matches["refactored"] and not matches["statements"]:
        return None  # the refactor reproduces ground truth where the derived SELECT does not
    return disagreement


def _reproduces(result: tuple, expect: list[dict[str, Any]]) -> bool:
    from .equivalence.data import _multiset

    names, types, rows = result
    by = {n.lower(): t for n, t in zip(names, types)}
    columns = sorted({k.lower() for r in expect for k in r} & set(by))
    got = _multiset(names, types, rows, columns)
    want = _multiset(list(by), list(by.values()), expect, columns, dicts=True)
    return got == want and len(rows) == len(expect)


def _first_difference(ours: tuple, theirs: tuple, case: str, where: str) -> str | None:
    from .equivalence.data import _norm

    s_names, _, s_rows = ours
    r_names, _, r_rows = theirs
    r_index = {n.lower(): i for i, n in enumerate(r_names)}
    for i, name in enumerate(s_names):
        j = r_index.get(name.lower())
        if j is None:
            continue
        a_count = Counter(_norm(r[i]) for r in s_rows)
        b_count = Counter(_norm(r[j]) for r in r_rows)
        if a_count != b_count:
            got = next(iter((b_count - a_count).elements()), None)
            want = next(iter((a_count - b_count).elements()), None)
            return (
                f"it computes column {name} differently from {where}: on {case} it gives "
                f"{_shown(got)} where the statements give {_shown(want)}"
            )
    return None


def refactor_defect(ctx: Context, wh: Warehouse) -> str | None:
    """Why ``ctx.refactored_sql`` must not be used, or None to use it."""
    if not ctx.refactored_sql or not ctx.migrate_statements:
        return None
    return _hint_defect(ctx, ctx.model_copy(update={"refactored_sql": None}), wh)


def slice_defect(ctx: Context, writer_statements: list[Statement], wh: Warehouse) -> str | None:
    """Why a multi-table writer's slice (``ctx.statements``) must not be used, or None to use it:
    the same check, held against the writer's own ``migrate`` statements that write the target."""
    if not [s for s in writer_statements if s.action == "migrate"]:
        return None
    record = ctx.model_copy(update={"statements": writer_statements, "refactored_sql": None})
    return _hint_defect(ctx.model_copy(update={"refactored_sql": None}), record, wh)


def _hint_defect(hint: Context, record: Context, wh: Warehouse) -> str | None:
    try:
        theirs = normalize_types(legacy_query(hint))
        ours = normalize_types(legacy_query(record))
    except NotConvertible:
        return None  # one of them cannot be read by rules: nothing to hold the other against
    where = _writing_statement(record)
    return _structural(hint, wh, theirs, ours, where) or _data(hint, record, wh, where)
