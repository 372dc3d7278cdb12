"""Type-1 upserts and slice reloads recognised on the sqlglot tree.

- **Upsert** (``dim_scd1``, ``fact_accumulating_snapshot``): ``UPDATE t SET c = s.c ... FROM target t
  JOIN <input> s`` plus ``INSERT ... SELECT ... WHERE NOT EXISTS (<target row of the key>)`` (or
  ``LEFT JOIN target ... IS NULL``). The UPDATE writes the same values the INSERT would, so the rows
  the procedure leaves are the INSERT's SELECT without its anti-join, merged on the key: an
  incremental ``merge`` model of that SELECT.
- **Slice reload**: ``DELETE FROM target WHERE <col> IN (SELECT <col> FROM <input>)`` plus an INSERT
  of the input: every slice the input holds is replaced, the others are kept. That is dbt's
  ``delete+insert`` strategy with ``unique_key`` = the slice columns, whatever the classification's
  default materialization.
"""

from __future__ import annotations

from sqlglot import exp

from ..names import normalize_name
from .derive import NotConvertible, _from_insert, _table_key, parse_sql
from .scd import _conjuncts, _reads, _strip_target_reads, _update_close
from .variables import check_resolved, declared_constants, inline_constants


def _trees(statements: list[str], dialect: str) -> list[exp.Expr]:
    trees = [parse_sql(sql, dialect) for sql in statements]
    constants = declared_constants(trees)
    return [
        check_resolved(inline_constants(t, constants))
        for t in trees
        if not isinstance(t, (exp.Declare, exp.TruncateTable))
    ]


def _unqualified(node: exp.Expr) -> str:
    node = node.copy()
    for col in node.find_all(exp.Column):
        col.set("table", None)
    return node.sql("tsql").lower()


def recognise_upsert(statements: list[str], target: str, dialect: str) -> exp.Query | None:
    """The SELECT an UPDATE-then-INSERT (or INSERT-then-UPDATE) upsert writes, or None."""
    key = normalize_name(target)
    trees = _trees(statements, dialect)
    updates = [t for t in trees if isinstance(t, exp.Update)]
    inserts = [t for t in trees if isinstance(t, exp.Insert) and _table_key(t.this) == key]
    if len(inserts) != 1 or not updates or len(updates) + len(inserts) != len(trees):
        return None
    query = _from_insert(inserts[0])
    if not isinstance(query, exp.Select) or not _reads(query, key):
        return None
    new = {p.alias_or_name.lower(): (p.unalias() if isinstance(p, exp.Alias) else p) for p in query.expressions}
    for update in updates:
        close = _update_close(update, key)
        if close is None or close.missing_keys or close.match is None:
            return None
        for column, value in close.sets.items():
            written = new.get(column.lower())
            if written is None or _unqualified(written) != _unqualified(value):
                return None  # the UPDATE writes something the INSERT would not: not a plain upsert
    return _strip_target_reads(query, key)


def recognise_slice(statements: list[str], target: str, dialect: str) -> list[str] | None:
    """The slice columns of a DELETE-then-INSERT reload of ``target``, or None."""
    key = normalize_name(target)
    try:
        trees = _trees(statements, dialect)
    except NotConvertible:
        return None
    deletes = [t for t in trees if isinstance(t, exp.Delete) and _table_key(t.this) == key]
    loads = [t for t in trees if isinstance(t, exp.Insert) and _table_key(t.this) == key]
    if len(deletes) != 1 or not loads or trees.index(deletes[0]) > trees.index(loads[0]):
        return None
    where = deletes[0].args.get("where")
    columns: list[str] = []
    for c in _conjuncts(where.this if where is not None else None):
        query = c.args.get("query") if isinstance(c, exp.In) else None
        if not isinstance(c.this, exp.Column) or query is None or _reads(query, key):
            return None
        columns.append(c.this.name)
    return columns or None
