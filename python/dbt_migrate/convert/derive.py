"""Deriving the model's SELECT from a writer's ``migrate`` statements (source dialect trees)."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from ..names import normalize_name


class NotConvertible(Exception):
    """Rules cannot convert this; ``construct`` names what (dynamic SQL, cursor, ...)."""

    def __init__(self, construct: str, detail: str = ""):
        super().__init__(f"{construct}: {detail}" if detail else construct)
        self.construct = construct


def parse_sql(sql: str, dialect: str) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.ParseError as exc:
        raise NotConvertible("unparseable SQL", str(exc).splitlines()[0]) from exc
    if tree is None:
        raise NotConvertible("empty SQL")
    return tree


def parse_query(sql: str, dialect: str) -> exp.Query:
    tree = parse_sql(sql, dialect)
    if not isinstance(tree, exp.Query):
        raise NotConvertible("not a query", f"expected a SELECT, got {tree.key.upper()}")
    return tree


def _table_key(node: exp.Expression) -> str | None:
    table = node.this if isinstance(node, exp.Schema) else node
    if isinstance(table, exp.Table):
        return normalize_name(f"{table.db}.{table.name}" if table.db else table.name)
    return None


def _insert_columns(node: exp.Expression) -> list[str]:
    return [c.name for c in node.expressions] if isinstance(node, exp.Schema) else []


def _alias_projections(query: exp.Query, columns: list[str]) -> exp.Query:
    """Name the SELECT's outputs after the INSERT column list, by position."""
    if not columns:
        return query
    if isinstance(query, exp.SetOperation):
        # Column names of a set operation come from its left-most SELECT.
        _alias_projections(query.left, columns)
        return query
    if not isinstance(query, exp.Select):
        return query
    projections = query.expressions
    if any(isinstance(p, exp.Star) for p in projections) or len(projections) != len(columns):
        raise NotConvertible("column mapping", f"{len(columns)} insert columns for {len(projections)} select items")
    query.set("expressions", [
        p if p.alias_or_name == col and not isinstance(p, exp.Literal) else exp.alias_(p.unalias(), col)
        for p, col in zip(projections, columns)
    ])
    return query


def _values_to_select(values: exp.Values) -> exp.Query:
    rows = [exp.select(*row.expressions) for row in values.expressions]
    query: exp.Query = rows[0]
    for row in rows[1:]:
        query = exp.union(query, row, distinct=False)
    return query


def _from_insert(stmt: exp.Insert) -> exp.Query:
    source = stmt.expression
    if isinstance(source, exp.Values):
        source = _values_to_select(source)
    if not isinstance(source, exp.Query):
        raise NotConvertible("INSERT without SELECT")
    return _alias_projections(source, _insert_columns(stmt.this))


def _from_merge(stmt: exp.Merge) -> exp.Query:
    """MERGE ... USING: the rows the merge writes are the USING rows through the INSERT mapping."""
    using = stmt.args.get("using")
    whens = stmt.args.get("whens")
    insert = None
    for when in (whens.expressions if whens else []):
        then = when.args.get("then")
        if isinstance(then, exp.Insert) and not when.args.get("matched"):
            insert = then
    if insert is None:
        raise NotConvertible("MERGE without WHEN NOT MATCHED THEN INSERT")
    columns = [c.name for c in (insert.this.expressions if isinstance(insert.this, exp.Tuple) else [])]
    values = insert.expression.expressions if isinstance(insert.expression, exp.Tuple) else []
    if not columns or len(columns) != len(values):
        raise NotConvertible("MERGE insert mapping", "insert column list and VALUES differ in length")
    alias = using.alias or "src"
    if isinstance(using, exp.Subquery):
        inner = using.this
        if isinstance(inner, exp.Select) and all(
            isinstance(v, exp.Column) and v.table.lower() == alias.lower() for v in values
        ):
            # Common case: VALUES (src.a, src.b): select the USING query's columns by name.
            by_name = {p.alias_or_name.lower(): p for p in inner.expressions}
            if all(v.name.lower() in by_name for v in values):
                inner = inner.copy()
                inner.set("expressions", [
                    _named(by_name[v.name.lower()].copy(), col) for v, col in zip(values, columns)
                ])
                return inner
        source: exp.Expression = exp.Subquery(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier(alias)))
    else:
        source = using.copy()
    return exp.select(*[_named(v.copy(), col) for v, col in zip(values, columns)]).from_(source)


def _named(node: exp.Expression, column: str) -> exp.Expression:
    if node.alias_or_name == column and not isinstance(node, exp.Literal):
        return node
    return exp.alias_(node.unalias(), column)


def _from_select_into(stmt: exp.Select) -> exp.Query:
    stmt = stmt.copy()
    stmt.set("into", None)
    return stmt


def derive_select(statements: list[str], target: str, dialect: str) -> exp.Query:
    """The SELECT equivalent to the migrate statements that write ``target``.

    INSERT ... SELECT / VALUES, MERGE ... USING and SELECT ... INTO are read; TRUNCATE and DELETE
    mark a reload and add no rows. Several writes of the target are combined with UNION ALL.
    """
    target_key = normalize_name(target)
    queries: list[exp.Query] = []
    for sql in statements:
        tree = parse_sql(sql, dialect)
        if isinstance(tree, exp.Insert):
            if _table_key(tree.this) not in (target_key, None):
                continue
            queries.append(_from_insert(tree))
        elif isinstance(tree, exp.Merge):
            queries.append(_from_merge(tree))
        elif isinstance(tree, exp.Select) and tree.args.get("into") is not None:
            queries.append(_from_select_into(tree))
        elif isinstance(tree, (exp.TruncateTable, exp.Delete)):
            continue
        elif isinstance(tree, exp.Command):
            raise NotConvertible(tree.name.upper() or "command", "statement sqlglot reads as an opaque command")
        else:
            raise NotConvertible(tree.key.upper(), "no rule for this statement type yet")
    if not queries:
        raise NotConvertible("no write", f"no migrate statement writes {target}")
    result = queries[0]
    for q in queries[1:]:
        result = exp.union(result, q, distinct=False)
    return result
