"""Deriving the model's SELECT from a writer's ``migrate`` statements (source dialect trees)."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from ..names import normalize_name
from .errors import NotConvertible
from .variables import check_resolved, declared_constants, inline_constants


def parse_sql(sql: str, dialect: str) -> exp.Expr:
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError as exc:  # a parse or a tokenizer error
        raise NotConvertible("unparseable SQL", (str(exc).splitlines() or [""])[0]) from exc
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
    if isinstance(table, exp.Table) and not _staging_name(table):
        return normalize_name(f"{table.db}.{table.name}" if table.db else table.name)
    return None


def _staging_name(node: exp.Expression) -> str | None:
    """``#temp`` tables and ``@table`` variables: name of the CTE that replaces them."""
    table = node.this if isinstance(node, exp.Schema) else node
    if not isinstance(table, exp.Table):
        return None
    ident = table.this
    if isinstance(ident, exp.Parameter) or (isinstance(ident, exp.Identifier) and ident.args.get("temporary")):
        return ident.name.lstrip("#@").lower()
    if isinstance(ident, exp.Identifier) and ident.name.startswith(("#", "@")):
        return ident.name.lstrip("#@").lower()
    return None


def _lift_with(query: exp.Query) -> tuple[list[exp.CTE], exp.Query]:
    """Split ``WITH ... <query>`` into its CTEs and the bare query."""
    with_ = query.args.get("with_") or query.args.get("with")
    if not with_:
        return [], query
    query = query.copy()
    query.set("with_", None)
    query.set("with", None)
    return [c.copy() for c in with_.expressions], query


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
    query.set(
        "expressions",
        [
            p if p.alias_or_name == col and not isinstance(p, exp.Literal) else exp.alias_(p.unalias(), col)
            for p, col in zip(projections, columns)
        ],
    )
    return query


def _values_to_select(values: exp.Values) -> exp.Query:
    rows = [exp.select(*row.expressions) for row in values.expressions]
    query: exp.Query = rows[0]
    for row in rows[1:]:
        query = exp.union(query, row, distinct=False)
    return query


def _from_insert(stmt: exp.Insert) -> exp.Query:
    source = stmt.expression
    with_ = stmt.args.get("with_") or stmt.args.get("with")
    if with_ and isinstance(source, exp.Query):
        source = source.copy()
        source.set("with_", with_.copy())
    if isinstance(source, exp.Values):
        source = _values_to_select(source)
    if not isinstance(source, exp.Query):
        raise NotConvertible("INSERT without SELECT")
    return _alias_projections(source, _insert_columns(stmt.this))


def _from_merge(stmt: exp.Merge) -> exp.Query:
    """MERGE ... USING: the rows the merge writes are the USING rows through the INSERT mapping."""
    using = stmt.args.get("using")
    # sqlglot's parser rejects a MERGE without USING ("Expected table name").
    assert using is not None, "a parsed MERGE always has USING"
    whens = stmt.args.get("whens")
    insert = None
    for when in whens.expressions if whens else []:
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
    with_ = stmt.args.get("with_") or stmt.args.get("with")
    query = _from_merge_using(using, alias, columns, values)
    if with_ is not None:  # WITH x AS (...) MERGE ... USING x: the CTE goes with the rows
        query.set("with_", with_.copy())
    return query


def _from_merge_using(using: exp.Expr, alias: str, columns: list[str], values: list[exp.Expr]) -> exp.Query:
    if isinstance(using, exp.Subquery):
        inner = using.this
        if isinstance(inner, exp.Select) and all(
            isinstance(v, exp.Column) and v.table.lower() == alias.lower() for v in values
        ):
            # Common case: VALUES (src.a, src.b): select the USING query's columns by name.
            by_name = {p.alias_or_name.lower(): p for p in inner.expressions}
            if all(v.name.lower() in by_name for v in values):
                inner = inner.copy()
                inner.set(
                    "expressions", [_named(by_name[v.name.lower()].copy(), col) for v, col in zip(values, columns)]
                )
                return inner
        source: exp.Expr = exp.Subquery(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier(alias)))
    else:
        source = using.copy()
    return exp.select(*[_named(v.copy(), col) for v, col in zip(values, columns)]).from_(source)


def _named(node: exp.Expr, column: str) -> exp.Expr:
    if node.alias_or_name == column and not isinstance(node, exp.Literal):
        return node
    return exp.alias_(node.unalias(), column)


def _from_select_into(stmt: exp.Select) -> exp.Query:
    stmt = stmt.copy()
    stmt.set("into", None)
    return stmt


def _rename_staging(tree: exp.Expr) -> None:
    """References to ``#temp`` / ``@table`` become references to their CTE."""
    for table in list(tree.find_all(exp.Table)):
        name = _staging_name(table)
        if name:
            alias = table.alias or name
            table.replace(exp.Table(this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(alias))))


def _target_alias(update: exp.Update, target_key: str) -> tuple[str, exp.From | None]:
    """The alias under which an UPDATE addresses the target, and its FROM (if any)."""
    from_ = update.args.get("from_") or update.args.get("from")
    tables = [from_.this] if from_ is not None else []
    tables += [j.this for j in (from_.this.args.get("joins") or [])] if from_ is not None else []
    tables += [j.this for j in (update.args.get("joins") or [])]
    updated = update.this.name.lower()
    for t in tables:
        if (
            isinstance(t, exp.Table)
            and _table_key(t) == target_key
            and (t.alias_or_name.lower() == updated or not from_)
        ):
            return t.alias_or_name, from_
    if _table_key(update.this) == target_key:
        return update.this.alias_or_name, from_
    raise NotConvertible("UPDATE of another table", update.this.sql("tsql"))


def _apply_update(
    current: exp.Query, update: exp.Update, target_key: str, ctes: list[exp.CTE], taken: set[str]
) -> exp.Query:
    """Rows after ``UPDATE target SET ... FROM target JOIN ...``: the rows loaded so far, LEFT JOINed
    to the update's inputs, each SET column ``CASE WHEN <matched> THEN <new> ELSE <old> END``.
    ``matched`` is the INNER JOIN conditions plus the WHERE (a LEFT JOIN row matches them only when
    the UPDATE would have touched it)."""
    alias, from_ = _target_alias(update, target_key)
    update = update.copy()
    from_ = update.args.get("from_") or update.args.get("from")
    for ref in update.find_all(exp.Column):  # silver.DimSku.SkuID -> DimSku.SkuID
        if ref.args.get("db") and normalize_name(f"{ref.db}.{ref.table}") == target_key:
            ref.set("db", None)
            ref.set("table", exp.to_identifier(alias))
    columns = _output_columns(current)
    name = "loaded"
    n = 2
    while name in taken:
        name, n = f"loaded_{n}", n + 1
    taken.add(name)
    ctes.append(exp.CTE(this=current, alias=exp.TableAlias(this=exp.to_identifier(name))))
    matched: list[exp.Expression] = []
    joins: list[exp.Join] = []
    join_nodes = list((from_.this.args.get("joins") or []) if from_ is not None else [])
    join_nodes += list(update.args.get("joins") or [])
    first = from_.this if from_ is not None else None
    if first is not None and not (
        isinstance(first, exp.Table) and _table_key(first) == target_key and first.alias_or_name == alias
    ):
        # UPDATE target SET ... FROM other WHERE <cond>: the target meets ``other`` where <cond> holds.
        first = first.copy()
        first.set("joins", None)
        where = update.args.get("where")
        on = where.this.copy() if where is not None else exp.true()
        join_nodes.insert(0, exp.Join(this=first, on=on, side="LEFT"))
    for j in join_nodes:
        j = j.copy()
        kind = (j.args.get("kind") or "").upper()
        side = (j.args.get("side") or "").upper()
        if side in ("", "INNER") and kind in ("", "INNER"):
            if j.args.get("on") is None:
                raise NotConvertible("UPDATE ... FROM with a join without ON", j.sql("tsql"))
            matched.append(j.args["on"].copy())
            j.set("kind", None)
            j.set("side", "LEFT")
        elif side != "LEFT":
            raise NotConvertible("UPDATE ... FROM with a " + (side or kind) + " join", j.sql("tsql"))
        joins.append(j)
    if update.args.get("where") is not None:
        matched.append(update.args["where"].this.copy())
    sets: dict[str, exp.Expression] = {}
    for eq in update.expressions:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
            raise NotConvertible("UPDATE SET", eq.sql("tsql"))
        sets[eq.this.name.lower()] = eq.expression
    unknown = set(sets) - {c.lower() for c in columns}
    if unknown:
        raise NotConvertible("UPDATE of a column the load does not write", ", ".join(sorted(unknown)))
    condition = exp.and_(*matched) if matched else None
    projections: list[exp.Expr] = []
    for col in columns:
        old = exp.column(col, table=alias)
        new = sets.get(col.lower())
        if new is None:
            projections.append(old)
            continue
        value = exp.Case(ifs=[exp.If(this=condition, true=new.copy())], default=old) if condition else new.copy()
        projections.append(exp.alias_(value, col))
    query = exp.select(*projections).from_(
        exp.Table(this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(alias)))
    )
    for j in joins:
        query = query.join(j)
    return query


def _output_columns(query: exp.Query) -> list[str]:
    while isinstance(query, exp.SetOperation):
        query = query.left
    if not isinstance(query, exp.Select) or any(isinstance(p, exp.Star) for p in query.expressions):
        raise NotConvertible("UPDATE after a load whose columns are unknown")
    return [p.alias_or_name for p in query.expressions]


def derive_select(statements: list[str], target: str, dialect: str) -> exp.Query:
    """The SELECT equivalent to the migrate statements that write ``target``.

    INSERT ... SELECT / VALUES, MERGE ... USING and SELECT ... INTO are read; TRUNCATE and DELETE
    mark a reload and add no rows. Several writes of the target are combined with UNION ALL;
    writes of ``#temp`` tables and ``@table`` variables become CTEs the later statements read;
    an UPDATE of the target (``UPDATE ... FROM target JOIN ...``) rewrites the rows loaded before it.
    """
    target_key = normalize_name(target)
    ctes: list[exp.CTE] = []
    taken: set[str] = set()
    current: exp.Query | None = None

    def add_ctes(found: list[exp.CTE]) -> None:
        for cte in found:
            if cte.alias.lower() in taken:
                raise NotConvertible("CTE name reused across statements", cte.alias)
            taken.add(cte.alias.lower())
            ctes.append(cte)

    trees = [parse_sql(sql, dialect) for sql in statements]
    constants = declared_constants(trees)
    input_updates: dict[str, tuple[str, dict[str, exp.Expr]]] = {}
    for tree in trees:
        tree = check_resolved(inline_constants(tree, constants))
        query: exp.Query | None = None
        staging: str | None = None
        if isinstance(tree, exp.Insert):
            staging = _staging_name(tree.this)
            if staging is None and _table_key(tree.this) != target_key:
                continue
            query = _from_insert(tree)
        elif isinstance(tree, exp.Merge):
            if _table_key(tree.this) not in (target_key, None):
                continue
            query = _from_merge(tree)
        elif isinstance(tree, exp.Select) and tree.args.get("into") is not None:
            into = tree.args["into"].this
            staging = _staging_name(into)
            if staging is None and _table_key(into) != target_key:
                continue
            query = _from_select_into(tree)
        elif isinstance(tree, exp.Update) and _input_update(tree, target_key, input_updates):
            continue
        elif isinstance(tree, exp.Update):
            _rename_staging(tree)
            if current is None:
                raise NotConvertible("UPDATE before any load", "the UPDATE changes rows this model does not produce")
            current = _apply_update(current, tree, target_key, ctes, taken)
            continue
        elif isinstance(tree, (exp.TruncateTable, exp.Delete, exp.Drop, exp.Create, exp.Declare)):
            continue
        elif isinstance(tree, exp.Query) and len(statements) == 1:
            query = tree  # a view's body (or a slice that is one SELECT): the rows it returns
        elif isinstance(tree, exp.Command):
            raise NotConvertible(tree.name.upper() or "command", "statement sqlglot reads as an opaque command")
        else:
            raise NotConvertible(tree.key.upper(), "no rule for this statement type yet")
        _apply_input_updates(query, input_updates)
        _rename_staging(query)
        found, query = _lift_with(query)
        add_ctes(found)
        if staging is not None:
            add_ctes([exp.CTE(this=query, alias=exp.TableAlias(this=exp.to_identifier(staging)))])
            continue
        current = query if current is None else exp.union(current, query, distinct=False)
    if current is None:
        raise NotConvertible("no write", f"no migrate statement writes {target}")
    if ctes:
        current = current.copy()
        current.set("with_", exp.With(expressions=ctes))
    return current


def _input_update(update: exp.Update, target_key: str, found: dict[str, tuple[str, dict[str, exp.Expr]]]) -> bool:
    """``UPDATE s SET s.c = <expr> FROM input AS s`` of an input (not the target), with no join or
    filter: recorded in ``found`` (input key -> (alias, column -> value)); True when it is one."""
    from_ = update.args.get("from_") or update.args.get("from")
    updated = update.this.alias_or_name.lower()
    table = from_.this if from_ is not None else update.this
    if from_ is not None and not (isinstance(table, exp.Table) and table.alias_or_name.lower() == updated):
        return False
    key = _table_key(table) if isinstance(table, exp.Table) else None
    if key is None or key == target_key:
        return False
    if update.args.get("where") is not None or update.args.get("joins") or table.args.get("joins"):
        raise NotConvertible("UPDATE of an input with a join or filter", update.sql("tsql")[:80])
    sets: dict[str, exp.Expr] = {}
    for eq in update.expressions:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
            raise NotConvertible("UPDATE SET", eq.sql("tsql"))
        sets[eq.this.name.lower()] = eq.expression
    found[key] = (table.alias_or_name, sets)
    return True


def _apply_input_updates(query: exp.Expr, updates: dict[str, tuple[str, dict[str, exp.Expr]]]) -> None:
    """Reads of an input an earlier UPDATE rewrote see the rewritten values: each updated column
    read from it becomes the UPDATE's expression (its alias renamed to the reading one)."""
    for table in list(query.find_all(exp.Table)) if updates else []:
        key = _table_key(table)
        select = table.find_ancestor(exp.Select)
        if key not in updates or select is None:
            continue
        alias, sets = updates[key]
        reading = table.alias_or_name
        from_ = select.args.get("from_") or select.args.get("from")
        single = from_ is not None and not select.args.get("joins") and not from_.this.args.get("joins")
        for col in list(select.find_all(exp.Column)):
            if col.find_ancestor(exp.Select) is not select or col.name.lower() not in sets:
                continue
            if not (col.table.lower() == reading.lower() or (not col.table and single)):
                continue
            value = sets[col.name.lower()].copy()
            for inner in value.find_all(exp.Column):
                if inner.table.lower() == alias.lower():
                    inner.set("table", exp.to_identifier(reading))
            col.replace(exp.alias_(value, col.name) if col.parent is select else value)


def drop_self_reads(query: exp.Query, target: str) -> list[str]:
    """Remove WHERE conjuncts whose subquery reads the target itself (the legacy watermark, e.g.
    ``CreatedAt > (SELECT MAX(CreatedAt) FROM target)``): the incremental model's watermark
    filter replaces them. Returns the removed conditions (source SQL) for the warnings."""
    key = normalize_name(target)
    removed: list[str] = []
    for where in list(query.find_all(exp.Where)):
        conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        keep = []
        for c in conjuncts:
            reads_target = any(
                _table_key(t) == key for sub in c.find_all(exp.Subquery, exp.Exists) for t in sub.find_all(exp.Table)
            )
            if reads_target and any(isinstance(n, (exp.GT, exp.GTE)) for n in c.walk()):
                removed.append(c.sql("tsql"))
            else:
                keep.append(c)
        if len(keep) == len(conjuncts):
            continue
        if keep:
            where.set("this", exp.and_(*keep))
        else:
            where.pop()
    return removed
