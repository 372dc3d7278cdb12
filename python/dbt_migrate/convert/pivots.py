"""PIVOT / UNPIVOT as portable SQL (conditional aggregation / UNION ALL), on the sqlglot tree.

Postgres has neither, and the targets that have them disagree on syntax; the rewrites below are
standard SQL every target runs, with T-SQL semantics: PIVOT groups by the input's remaining
columns and aggregates each IN value's rows (NULL when there are none); UNPIVOT drops NULLs.
Both need the input's columns, so they apply when the input is a derived table with a plain
select list (the usual T-SQL idiom); anything else is left to sqlglot's own transpilation.
"""

from __future__ import annotations

from typing import TypeVar

from sqlglot import exp

_E = TypeVar("_E", bound=exp.Expr)


def _input_columns(source: exp.Expression) -> list[str] | None:
    if not isinstance(source, exp.Subquery) or not isinstance(source.this, exp.Select):
        return None
    names = [p.alias_or_name for p in source.this.expressions]
    if any(isinstance(p, exp.Star) for p in source.this.expressions) or not all(names):
        return None
    return names


def _value_name(node: exp.Expression) -> str:
    return node.alias_or_name if not isinstance(node, exp.Literal) else node.name


def _from(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(name)))


def _pivot(source_name: str, pivot: exp.Pivot, columns: list[str]) -> exp.Select | None:
    aggs = pivot.expressions
    field = pivot.args.get("fields") or []
    if len(aggs) != 1 or len(field) != 1 or not isinstance(field[0], exp.In):
        return None
    agg = aggs[0].unalias()
    pivot_col = field[0].this
    values = field[0].expressions
    agg_args = [c.name.lower() for c in agg.find_all(exp.Column)]
    group = [c for c in columns if c.lower() not in agg_args and c.lower() != pivot_col.name.lower()]
    inner_alias = source_name
    projections: list[exp.Expr] = [exp.column(c, table=inner_alias) for c in group]
    for v in values:
        name = _value_name(v)
        cond = exp.EQ(this=exp.column(pivot_col.name, table=inner_alias), expression=exp.Literal.string(name))
        new_agg = agg.copy()
        for col in new_agg.find_all(exp.Column):
            col.replace(exp.Case(ifs=[exp.If(this=cond.copy(), true=exp.column(col.name, table=inner_alias))]))
        projections.append(exp.alias_(new_agg, name))
    query = exp.select(*projections).from_(_from(source_name))
    if group:
        query = query.group_by(*[exp.column(c, table=inner_alias) for c in group])
    return query


def _unpivot(source_name: str, pivot: exp.Pivot, columns: list[str]) -> exp.Query | None:
    field = pivot.args.get("fields") or []
    if len(pivot.expressions) != 1 or len(field) != 1 or not isinstance(field[0], exp.In):
        return None
    value_name = pivot.expressions[0].alias_or_name
    name_col = field[0].this.name
    unpivoted = [_value_name(v) for v in field[0].expressions]
    keep = [c for c in columns if c.lower() not in {u.lower() for u in unpivoted}]
    inner_alias = source_name
    branches = []
    for col in unpivoted:
        select = exp.select(
            *[exp.column(c, table=inner_alias) for c in keep],
            exp.alias_(exp.Literal.string(col), name_col),
            exp.alias_(exp.column(col, table=inner_alias), value_name),
        ).from_(_from(source_name))
        branches.append(
            select.where(exp.Not(this=exp.Is(this=exp.column(col, table=inner_alias), expression=exp.null())))
        )
    query: exp.Query = branches[0]
    for b in branches[1:]:
        query = exp.union(query, b, distinct=False)
    return query


def rewrite_pivots(tree: _E) -> _E:
    """Replace ``(<select>) AS src PIVOT/UNPIVOT (...) AS p`` by a derived table ``p`` over a new
    CTE ``src`` (placed before the CTE that reads it), so the input is written once."""
    if not isinstance(tree, exp.Query):
        return tree
    taken = {c.alias.lower() for c in tree.find_all(exp.CTE)}
    for source in list(tree.find_all(exp.Subquery)):
        pivots = source.args.get("pivots") or []
        columns = _input_columns(source) if len(pivots) == 1 else None
        if columns is None:
            continue
        pivot = pivots[0]
        name = base = (source.alias or "pivot_source").lower()
        n = 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        new = _unpivot(name, pivot, columns) if pivot.args.get("unpivot") else _pivot(name, pivot, columns)
        if new is None:
            continue
        taken.add(name)
        cte = exp.CTE(this=source.this.copy(), alias=exp.TableAlias(this=exp.to_identifier(name)))
        with_ = tree.args.get("with_")
        if with_ is None:
            with_ = exp.With(expressions=[])
            tree.set("with_", with_)
        enclosing = source.parent
        while enclosing is not None and not (isinstance(enclosing, exp.CTE) and enclosing.parent is with_):
            enclosing = enclosing.parent
        ctes = list(with_.expressions)
        ctes.insert(ctes.index(enclosing) if enclosing is not None else len(ctes), cte)
        with_.set("expressions", ctes)
        alias = pivot.alias or source.alias or "pivoted"
        source.replace(exp.Subquery(this=new, alias=exp.TableAlias(this=exp.to_identifier(alias))))
    return tree
