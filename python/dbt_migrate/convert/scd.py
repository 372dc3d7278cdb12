"""SCD2 loaders recognised on the sqlglot tree, and the dbt snapshot that replaces them.

A type-2 loader closes the current version of a changed key and inserts the new one. Four shapes
are recognised among the ``migrate`` statements (source dialect trees):

- ``merge_expire_insert``: MERGE ... WHEN MATCHED AND <change> THEN UPDATE SET <valid_to/flag>,
  plus an INSERT of the keys left without a current row;
- ``merge_output_insert``: INSERT ... SELECT ... FROM (MERGE ... OUTPUT $action ...) WHERE action = 'UPDATE';
- ``update_close_insert``: UPDATE <close-off> FROM target JOIN source, then INSERT of the new versions;
- ``insert_not_exists_update``: INSERT ... WHERE NOT EXISTS (<current row equal to it>), then the
  UPDATE closing the versions that changed.

What dbt needs is the **source side** of the load: the SELECT the new versions are inserted from,
without its reads of the target (the anti-join on the current row is what a snapshot does) and
without the version columns (valid from / valid to / current flag), which the snapshot keeps
under their legacy names (``snapshot_meta_column_names``, ``dbt_valid_to_current`` for an
end-of-time sentinel); a legacy name that needs quoting (``Valid To``) stays ``dbt_valid_to`` in
the snapshot, which dbt's target check can match, and ``<model>_versions`` renames it. The
strategy is ``check`` on the columns the change predicate compares, or ``timestamp`` when the
profile's watermark (or the version start the loader copies from the source) is a column of that
SELECT. A current flag becomes a column of that view over the snapshot (``<model>_versions``,
what dependents read); a close-off of keys missing from the source is ``hard_deletes: invalidate``.
The target's one identity / sequence key (a per-version INT the facts look up and store) is a
column of the source-side select, ``dbt_migrate.surrogate_integer()`` of the version's identity
(``convert.surrogates``); dbt's ``dbt_scd_id`` keeps its own name beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..names import normalize_name
from .derive import NotConvertible, _from_insert, _from_merge, _lift_with, _table_key, parse_sql
from .variables import check_resolved, declared_constants, inline_constants

_TIME_FUNCTIONS = {"SYSDATETIME", "SYSUTCDATETIME", "GETUTCDATE", "SYSDATETIMEOFFSET", "NOW"}
_FROM_WORDS = ("validfrom", "valid_from", "startdate", "start_date", "effectivefrom", "effective_from", "from")


@dataclass
class CloseOff:
    """One write that ends current versions: the columns it sets and the predicates it uses."""

    alias: str  # how the close-off addresses the target
    sets: dict[str, exp.Expr]  # column -> value
    condition: exp.Expr | None  # when the version is closed (change predicate, current filter)
    match: exp.Expr | None  # how target rows meet source rows (MERGE ON, UPDATE join ON)
    missing_keys: bool = False  # closes keys the source no longer has


@dataclass
class Scd2Load:
    """A recognised loader: the source-side query and the snapshot configuration."""

    shape: str
    query: exp.Query  # source dialect, version columns removed, no read of the target
    unique_key: list[str]
    strategy: str  # check | timestamp
    check_cols: list[str] | str | None = None
    updated_at: str | None = None
    valid_from: str | None = None  # legacy name for dbt_valid_from (None: dbt's own name)
    valid_to: str | None = None
    sentinel: exp.Expr | None = None  # the end-of-time value of a current version
    current_flag: str | None = None
    current_value: exp.Expr | None = None
    closed_value: exp.Expr | None = None
    hard_deletes: str | None = None
    surrogate: str | None = None  # the legacy per-version INT key: surrogate_integer() of the version

    @property
    def version_columns(self) -> list[str]:
        """Legacy columns the snapshot (or the versions view) writes, not the source-side select."""
        return [c for c in (self.valid_from, self.valid_to, self.current_flag, self.surrogate) if c]


def _is_time(node: exp.Expr) -> bool:
    if isinstance(node, (exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentDatetime)):
        return True
    if isinstance(node, exp.Cast):
        return _is_time(node.this)
    return isinstance(node, exp.Anonymous) and str(node.this).upper() in _TIME_FUNCTIONS


def _is_constant(node: exp.Expr) -> bool:
    return isinstance(node, (exp.Literal, exp.Boolean)) or (
        isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal)
    )


def _is_literal(node: exp.Expr) -> bool:
    """A constant, or a constant cast to a type (``CAST('9999-12-31' AS DATE)``)."""
    return _is_constant(node) or (isinstance(node, exp.Cast) and _is_constant(node.this))


def _conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    if node is None:
        return []
    node = node.unnest() if isinstance(node, exp.Paren) else node
    return list(node.flatten()) if isinstance(node, exp.And) else [node]


def _reads(node: exp.Expr, target_key: str) -> bool:
    return any(_table_key(t) == target_key for t in node.find_all(exp.Table))


def _of_alias(col: exp.Expr, alias: str) -> bool:
    return isinstance(col, exp.Column) and col.table.lower() == alias.lower()


def _sets(update_sets: list[exp.Expr]) -> dict[str, exp.Expr]:
    out: dict[str, exp.Expr] = {}
    for eq in update_sets:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
            raise NotConvertible("UPDATE SET", eq.sql("tsql"))
        out[eq.this.name] = eq.expression
    return out


def _merge_parts(merge: exp.Merge, target_key: str) -> tuple[list[CloseOff], exp.Query | None]:
    alias = merge.this.alias_or_name
    closes: list[CloseOff] = []
    load = None
    whens = merge.args.get("whens")
    for when in whens.expressions if whens else []:
        then = when.args.get("then")
        if isinstance(then, exp.Update) and when.args.get("matched"):
            closes.append(CloseOff(alias, _sets(then.expressions), when.args.get("condition"), merge.args.get("on")))
        elif isinstance(then, exp.Update) and when.args.get("source"):
            closes.append(CloseOff(alias, _sets(then.expressions), when.args.get("condition"), None, True))
        elif isinstance(then, exp.Insert):
            load = _from_merge(merge)
    return closes, load


def _update_close(update: exp.Update, target_key: str) -> CloseOff | None:
    """An UPDATE of the target (``UPDATE t SET ... FROM target t JOIN ...`` or ``UPDATE target``)."""
    from_ = update.args.get("from_") or update.args.get("from")
    tables: list[exp.Expr] = [update.this]
    joins: list[exp.Join] = list(update.args.get("joins") or [])
    if from_ is not None:
        tables.append(from_.this)
        joins += list(from_.this.args.get("joins") or [])
    tables += [j.this for j in joins]
    updated = update.this.alias_or_name.lower()
    target = next(
        (
            t
            for t in tables
            if isinstance(t, exp.Table) and _table_key(t) == target_key and t.alias_or_name.lower() == updated
        ),
        None,
    )
    if target is None and _table_key(update.this) == target_key:
        target = update.this
    if target is None:
        return None
    alias = target.alias_or_name
    match = exp.and_(*[j.args["on"] for j in joins if j.args.get("on") is not None]) if joins else None
    where = update.args.get("where")
    condition = where.this if where is not None else None
    missing = not joins and any(
        isinstance(c, exp.Not) and isinstance(c.this, exp.Exists) for c in _conjuncts(condition)
    )
    return CloseOff(alias, _sets(update.expressions), condition, match, missing)


def _strip_target_reads(query: exp.Query, target_key: str) -> exp.Query:
    """The new-version SELECT without its anti-join on the target: joins to the target and WHERE
    conjuncts reading it (NOT EXISTS on the current row, ``t.key IS NULL`` after a LEFT JOIN)."""
    query = query.copy()
    if not isinstance(query, exp.Select):
        raise NotConvertible("SCD2 load", "the new versions are not a plain SELECT")
    aliases: set[str] = set()
    kept = []
    for j in query.args.get("joins") or []:
        if isinstance(j.this, exp.Table) and _table_key(j.this) == target_key:
            aliases.add(j.this.alias_or_name.lower())
        else:
            kept.append(j)
    query.set("joins", kept or None)
    where = query.args.get("where")
    if where is not None:
        keep = [
            c
            for c in _conjuncts(where.this)
            if not _reads(c, target_key) and not any(col.table.lower() in aliases for col in c.find_all(exp.Column))
        ]
        query.set("where", exp.Where(this=exp.and_(*keep)) if keep else None)
    if _reads(query, target_key):
        raise NotConvertible("SCD2 load", "the new versions read the target beyond the current-row check")
    return query


def _target_columns(node: exp.Expr | None, alias: str, *ops: type[exp.Expr]) -> list[str]:
    """Target columns compared (``ops``) with a column of another relation in ``node``."""
    out: list[str] = []
    for cmp in node.find_all(*ops) if node is not None else []:
        sides = [cmp.this, cmp.expression]
        for mine, other in (sides, sides[::-1]):
            foreign = isinstance(other, exp.Column) and not _of_alias(other, alias)
            if _of_alias(mine, alias) and foreign and mine.name not in out:
                out.append(mine.name)
    return out


def _find_loads(trees: list[exp.Expr], target_key: str) -> tuple[str, list[CloseOff], list[exp.Query]]:
    closes: list[CloseOff] = []
    loads: list[exp.Query] = []
    kinds: list[str] = []
    for tree in trees:
        if isinstance(tree, exp.Merge) and _table_key(tree.this) == target_key:
            c, load = _merge_parts(tree, target_key)
            closes += c
            loads += [load] if load is not None else []
            kinds.append("merge")
        elif isinstance(tree, exp.Insert) and _table_key(tree.this) == target_key:
            source = tree.expression
            inner = source.find(exp.Merge) if isinstance(source, exp.Query) else None
            if inner is not None and _table_key(inner.this) == target_key:
                c, load = _merge_parts(inner, target_key)
                closes += c
                loads += [load] if load is not None else []
                kinds.append("merge_output")
            else:
                loads.append(_from_insert(tree))
                kinds.append("insert")
        elif isinstance(tree, exp.Update):
            close = _update_close(tree, target_key)
            if close is not None:
                closes.append(close)
                kinds.append("update")
    if "merge_output" in kinds:
        shape = "merge_output_insert"
    elif "merge" in kinds:
        shape = "merge_expire_insert"
    elif kinds and kinds[0] == "insert":
        shape = "insert_not_exists_update"
    else:
        shape = "update_close_insert"
    return shape, closes, loads


def _projection(query: exp.Select, name: str) -> exp.Expr | None:
    for p in query.expressions:
        if p.alias_or_name.lower() == name.lower():
            return p.unalias() if isinstance(p, exp.Alias) else p
    return None


def recognise_scd2(statements: list[str], target: str, dialect: str, watermark: str | None = None) -> Scd2Load | None:
    """The SCD2 loader among ``statements``, or None when they are not one of the four shapes."""
    target_key = normalize_name(target)
    trees = [parse_sql(sql, dialect) for sql in statements]
    constants = declared_constants(trees)
    trees = [check_resolved(inline_constants(t, constants)) for t in trees if not isinstance(t, exp.Declare)]
    shape, closes, loads = _find_loads(trees, target_key)
    versioning = [c for c in closes if not c.missing_keys]
    if not versioning or not loads:
        return None
    first = versioning[0]
    valid_to = [col for col, v in first.sets.items() if not _is_constant(v)]
    flags = [col for col, v in first.sets.items() if _is_constant(v)]
    if len(valid_to) > 1 or len(flags) > 1 or not (valid_to or flags):
        return None  # sets business columns: a type-1 update, not a close-off
    ctes, query = _lift_with(loads[0])
    query = _strip_target_reads(query, target_key)
    if not isinstance(query, exp.Select):
        return None
    load = Scd2Load(shape=shape, query=query, unique_key=[], strategy="check")
    meta: set[str] = set()
    if valid_to:
        load.valid_to = _output_name(query, valid_to[0])
        meta.add(load.valid_to.lower())
        value = _projection(query, valid_to[0])
        if value is not None and _is_literal(value):
            load.sentinel = value
        elif value is not None and not isinstance(value, exp.Null):
            load.sentinel = _sentinel_from(first.condition, first.alias, valid_to[0])
    if flags:
        load.current_flag = _output_name(query, flags[0])
        meta.add(load.current_flag.lower())
        load.closed_value = first.sets[flags[0]]
        load.current_value = _projection(query, flags[0])
    start = _valid_from(query, meta, first.sets.get(valid_to[0]) if valid_to else None)
    keep_start = False
    if start is not None:
        value = _projection(query, start)
        if value is not None and _is_time(value):
            load.valid_from = start
            meta.add(start.lower())
        else:
            keep_start = True
    kept = [p for p in query.expressions if p.alias_or_name.lower() not in meta]
    query.set("expressions", kept)
    names = [p.alias_or_name for p in kept]
    lower = {n.lower(): n for n in names}
    load.unique_key = [
        lower[c.lower()]
        for c in _target_columns(first.match, first.alias, exp.EQ)
        or _target_columns(first.condition, first.alias, exp.EQ)
        if c.lower() in lower
    ]
    if not load.unique_key:
        return None
    compared = _target_columns(
        first.condition, first.alias, exp.NEQ, exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeNEQ
    )
    if not compared:
        compared = _compared_in_anti_join(loads[0], target_key)
    check = [lower[c.lower()] for c in compared if c.lower() in lower and lower[c.lower()] not in load.unique_key]
    if watermark and watermark.lower() in lower:
        load.strategy, load.updated_at = "timestamp", lower[watermark.lower()]
    elif keep_start and start is not None:
        load.strategy, load.updated_at = "timestamp", lower[start.lower()]
    else:
        # Every business column when the predicate names none ("all" would also compare the audit columns).
        load.check_cols = check or [n for n in names if n not in load.unique_key]
    if any(c.missing_keys for c in closes):
        load.hard_deletes = "invalidate"
    if ctes:
        query.set("with_", exp.With(expressions=ctes))
    load.query = query
    return load


def _compared_in_anti_join(query: exp.Query, target_key: str) -> list[str]:
    """``NOT EXISTS (select 1 from target t where t.k = s.k and t.Name = s.Name ...)``: the columns
    a new version is compared on."""
    out: list[str] = []
    for exists in query.find_all(exp.Exists):
        for table in exists.find_all(exp.Table):
            if _table_key(table) == target_key:
                out += [c for c in _target_columns(exists, table.alias_or_name, exp.EQ) if c not in out]
    return out


def _output_name(query: exp.Select, column: str) -> str:
    for p in query.expressions:
        if p.alias_or_name.lower() == column.lower():
            return p.alias_or_name
    raise NotConvertible("SCD2 load", f"the close-off sets {column}, which the new versions do not write")


def _sentinel_from(condition: exp.Expr | None, alias: str, column: str) -> exp.Expr | None:
    """``t.ValidTo = '9999-12-31'`` in the close-off's condition: the value of an open version."""
    for c in _conjuncts(condition):
        if isinstance(c, exp.EQ):
            for mine, other in ((c.this, c.expression), (c.expression, c.this)):
                if isinstance(mine, exp.Column) and mine.name.lower() == column.lower() and _is_literal(other):
                    return other
    return None


def _valid_from(query: exp.Select, meta: set[str], closed_with: exp.Expr | None) -> str | None:
    """The version-start column: stamped with the load time, or copied from the source column the
    close-off also ends the old version with (``ValidTo = src.UpdatedAt`` / ``ValidFrom = e.UpdatedAt``)."""
    named = [p for p in query.expressions if p.alias_or_name.lower() not in meta]
    for p in named:
        if _is_time(p.unalias() if isinstance(p, exp.Alias) else p):
            return p.alias_or_name
    if isinstance(closed_with, exp.Column):
        for p in named:
            value = p.unalias() if isinstance(p, exp.Alias) else p
            word = p.alias_or_name.lower().replace(" ", "")
            copied = isinstance(value, exp.Column) and value.name.lower() == closed_with.name.lower()
            if copied and any(word.endswith(w) or word.startswith("valid") for w in _FROM_WORDS):
                return p.alias_or_name
    return None
