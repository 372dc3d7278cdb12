"""The load shapes of one target, read off its writer's statements (sqlglot trees): which columns
a MERGE or an anti-join matches on, what a DELETE removes, which column is compared with a
cutoff or with the target's own maximum, what a GROUP BY groups by. Pure functions; the
classification (``classify``) decides with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from ..convert.derive import _table_key
from ..convert.scd import _conjuncts, _target_columns
from .procedure import Analysed


@dataclass
class Shape:
    """What the writes of one target do."""

    kinds: list[str] = field(default_factory=list)  # insert, update, delete, merge, truncate, select_into
    merge_keys: list[str] = field(default_factory=list)  # MERGE ON: target columns
    anti_join_keys: list[str] = field(default_factory=list)  # NOT EXISTS / LEFT JOIN ... IS NULL on the target
    slice_columns: list[str] = field(default_factory=list)  # DELETE ... WHERE col IN (SELECT ...)
    delete_all: bool = False  # DELETE without WHERE
    cutoff: str | None = None  # target column compared with a cutoff (DELETE window, WHERE > MAX(target), > @var)
    cutoff_how: str = ""
    group_by: list[str] = field(default_factory=list)  # target columns the load groups by
    lineage: dict[str, tuple[str, str]] = field(default_factory=dict)  # target column -> (input key, column)
    update_sets: list[str] = field(default_factory=list)  # target columns UPDATEs (and MERGE's) set


def _insert_columns(tree: exp.Insert) -> list[str]:
    return [c.name for c in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []


def _select_of(tree: exp.Expr) -> exp.Select | None:
    source = tree.expression if isinstance(tree, exp.Insert) else tree
    while isinstance(source, exp.Subquery):
        source = source.this
    if isinstance(source, exp.SetOperation):
        source = source.left
    return source if isinstance(source, exp.Select) else None


def _aliases(select: exp.Select) -> dict[str, str]:
    """Alias (lower) -> table key of the tables the SELECT reads directly."""
    out: dict[str, str] = {}
    for t in select.find_all(exp.Table):
        if t.find_ancestor(exp.Select) is select:
            key = _table_key(t)
            if key:
                out[t.alias_or_name.lower()] = key
    return out


def _projection_map(tree: exp.Insert, select: exp.Select) -> dict[int, str]:
    """Projection index -> the target column it fills (by the INSERT column list, else by name)."""
    columns = _insert_columns(tree)
    if columns and len(columns) == len(select.expressions):
        return dict(enumerate(columns))
    return {i: p.alias_or_name for i, p in enumerate(select.expressions) if p.alias_or_name}


def _fed_by(mapping: dict[int, str], select: exp.Select, column: exp.Column) -> str | None:
    """The target column a source column is loaded into (a projection that is that column)."""
    for i, p in enumerate(select.expressions):
        value = p.unalias() if isinstance(p, exp.Alias) else p
        if not isinstance(value, exp.Column) or value.name.lower() != column.name.lower():
            continue
        if not column.table or not value.table or value.table.lower() == column.table.lower():
            return mapping.get(i)
    return None


def _is_cutoff_value(node: exp.Expr, target_key: str) -> str | None:
    """How a compared value is a cutoff: the target's own MAX, a variable, a constant."""
    if isinstance(node, (exp.Subquery, exp.Select)):
        select = node.this if isinstance(node, exp.Subquery) else node
        own = isinstance(select, exp.Select) and any(_table_key(t) == target_key for t in select.find_all(exp.Table))
        if own and select.find(exp.Max) is not None:
            return "the target's own MAX"
        if isinstance(select, exp.Select) and select.find(exp.Max) is not None:
            return "a MAX read from another table"
        return "a value read from a control table" if isinstance(select, exp.Select) else None
    if node.find(exp.Column) is not None:
        return None
    if node.find(exp.Parameter) is not None:
        return "a variable"
    if isinstance(node, (exp.Literal, exp.Cast)) or node.find(exp.Func) is not None:
        return "a constant or a date expression"
    return None


def _shown(node: exp.Expr) -> str:
    text = " ".join(node.sql("tsql").split())
    return text if len(text) <= 80 else text[:77] + "..."


def _compared(condition: exp.Expr | None) -> list[tuple[exp.Column, exp.Expr, exp.Expr]]:
    """``col > x`` / ``col >= x`` (either way round) conjuncts: (the column, what it is compared
    with, the comparison)."""
    out: list[tuple[exp.Column, exp.Expr, exp.Expr]] = []
    for c in _conjuncts(condition):
        if isinstance(c, (exp.GT, exp.GTE)) and isinstance(c.this, exp.Column):
            out.append((c.this, c.expression, c))
        elif isinstance(c, (exp.LT, exp.LTE)) and isinstance(c.expression, exp.Column):
            out.append((c.expression, c.this, c))
    return out


def _anti_join_keys(select: exp.Select, target_key: str) -> list[str]:
    keys: list[str] = []
    for exists in select.find_all(exp.Exists):
        if not isinstance(exists.parent, exp.Not):
            continue
        for table in exists.find_all(exp.Table):
            if _table_key(table) == target_key:
                keys += [k for k in _target_columns(exists, table.alias_or_name, exp.EQ) if k not in keys]
    for join in select.args.get("joins") or []:
        if isinstance(join.this, exp.Table) and _table_key(join.this) == target_key and join.side == "LEFT":
            keys += [k for k in _target_columns(join.args.get("on"), join.this.alias_or_name, exp.EQ) if k not in keys]
    return keys


def read_shape(statements: list[Analysed], target_key: str) -> Shape:
    """The shape of the migrate statements writing ``target_key``."""
    shape = Shape()
    for a in statements:
        if a.action != "migrate" or a.written is None or a.written.key != target_key or a.tree is None:
            continue
        tree = a.tree
        shape.kinds.append(a.write_kind or "")
        if isinstance(tree, exp.Merge):
            alias = tree.this.alias_or_name
            for when in tree.find_all(exp.When):
                then = when.args.get("then")
                if isinstance(then, exp.Update):
                    shape.update_sets += [e.this.name for e in then.expressions if isinstance(e.this, exp.Column)]
            shape.merge_keys += [
                k for k in _target_columns(tree.args.get("on"), alias, exp.EQ) if k not in shape.merge_keys
            ]
        elif isinstance(tree, exp.Delete):
            read_delete(shape, tree, target_key)
        elif isinstance(tree, exp.Update):
            shape.update_sets += [
                e.this.name for e in tree.expressions if isinstance(e, exp.EQ) and isinstance(e.this, exp.Column)
            ]
        elif isinstance(tree, exp.Insert):
            read_insert(shape, tree, target_key)
    return shape


def read_delete(shape: Shape, tree: exp.Delete, target_key: str) -> None:
    where = tree.args.get("where")
    if where is None:
        shape.delete_all = True
        return
    for c in _conjuncts(where.this):
        if isinstance(c, exp.In) and isinstance(c.this, exp.Column) and c.args.get("query") is not None:
            shape.slice_columns.append(c.this.name)
    for column, value, cmp in _compared(where.this):
        how = _is_cutoff_value(value, target_key)
        if how and shape.cutoff is None:
            shape.cutoff = column.name
            shape.cutoff_how = f"the DELETE before the load removes the rows where {_shown(cmp)} ({how})"


def read_insert(shape: Shape, tree: exp.Insert, target_key: str) -> None:
    select = _select_of(tree)
    if select is None:
        return
    mapping = _projection_map(tree, select)
    aliases = _aliases(select)
    for i, p in enumerate(select.expressions):
        value = p.unalias() if isinstance(p, exp.Alias) else p
        if isinstance(value, exp.Column) and i in mapping:
            key = (
                aliases.get(value.table.lower())
                if value.table
                else (next(iter(aliases.values())) if len(aliases) == 1 else None)
            )
            if key and key != target_key:
                shape.lineage[mapping[i]] = (key, value.name)
    shape.anti_join_keys += [k for k in _anti_join_keys(select, target_key) if k not in shape.anti_join_keys]
    group = select.args.get("group")
    if group is not None:
        grouped = {g.sql("tsql").lower() for g in group.expressions}
        for i, p in enumerate(select.expressions):
            value = p.unalias() if isinstance(p, exp.Alias) else p
            if value.sql("tsql").lower() in grouped and i in mapping:
                shape.group_by.append(mapping[i])
    where = select.args.get("where")
    for column, value, cmp in _compared(where.this if where is not None else None):
        how = _is_cutoff_value(value, target_key)
        if how and shape.cutoff is None:
            fed = _fed_by(mapping, select, column)
            shape.cutoff = fed or (column.name if how == "the target's own MAX" else None)
            shape.cutoff_how = f"the load reads the rows where {_shown(cmp)} ({how})"
