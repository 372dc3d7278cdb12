"""What a query *does*, read off its sqlglot tree: tables, joins, predicates, grain, DISTINCT and
per-output-column lineage. Names the converter is free to change (CTE names, aliases, import
CTEs, derived tables hoisted into CTEs, a ``1 = 1`` watermark filter) do not show up here, so the
legacy query and the model can be compared feature by feature (see ``structural.py``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlglot import exp

AUDIT_COLUMNS = frozenset({"_dbt_run_id", "_loaded_at"})
# Constructs the converter rewrites into other shapes (APPLY -> join + row_number, PIVOT -> CASE
# aggregates): their structure is not expected to match; the data check judges them.
REWRITTEN = (exp.Lateral, exp.Pivot)


@dataclass(frozen=True)
class Origin:
    """What a FROM/JOIN item reads: a physical table, or a query (CTE or derived table)."""

    table: str | None = None
    body: exp.Expr | None = None


@dataclass
class Lineage:
    sources: frozenset[str]
    literals: Counter
    text: str
    resolved: bool = True


@dataclass
class Features:
    tables: set[str] = field(default_factory=set)
    outputs: list[str] = field(default_factory=list)
    lineage: dict[str, Lineage] = field(default_factory=dict)
    joins: Counter = field(default_factory=Counter)
    predicates: list[str] = field(default_factory=list)
    grain: Counter = field(default_factory=Counter)
    distinct: Counter = field(default_factory=Counter)
    rewritten: set[str] = field(default_factory=set)


def table_key(table: exp.Table) -> str:
    """The same key as ``names.normalize_name`` gives, read off an already parsed table."""
    return (f"{table.db}.{table.name}" if table.db else table.name).lower()


def _from_items(select: exp.Select) -> list[exp.Expr]:
    items = []
    src = select.args.get("from_") or select.args.get("from")
    if src is not None:
        items.append(src.this)
    items += [j.this for j in select.args.get("joins") or []]
    return items


def _is_true(node: exp.Expr) -> bool:
    node = _unparen(node)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.EQ):
        left, right = _unparen(node.left), _unparen(node.right)
        return isinstance(left, exp.Literal) and isinstance(right, exp.Literal) and left.this == right.this
    return False


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    if node is None:
        return []
    node = _unparen(node)
    if isinstance(node, exp.And):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def literal_key(lit: exp.Literal) -> str:
    if lit.is_string:
        return "s:" + lit.this
    try:
        return "n:" + str(Decimal(lit.this).normalize())
    except InvalidOperation:
        return "n:" + lit.this


class Analyzer:
    """Features of one query tree. ``schema``: physical table key -> column names."""

    def __init__(self, tree: exp.Expr, schema: dict[str, list[str]]):
        self.tree = tree
        self.schema = schema  # read only; a batch shares one mapping across every check
        self.ctes: dict[str, exp.Expr] = {}
        for cte in tree.find_all(exp.CTE):
            self.ctes.setdefault(cte.alias_or_name.lower(), cte.this)
        self._scopes: dict[int, dict[str, Origin]] = {}
        self._labels: dict[int, str] = {}
        self._bases: dict[int, frozenset[str]] = {}
        self._outputs: dict[int, list[str]] = {}
        self._projections: dict[int, tuple[dict[str, int], list[int]]] = {}

    # -- relations --------------------------------------------------------------------------
    def origin_of(self, item: exp.Expr, inside: frozenset[str] = frozenset()) -> Origin:
        if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
            name = item.name.lower()
            if not item.db and name in self.ctes and name not in inside:
                body = self.ctes[name]
                imported = self._import_table(body, inside | {name})
                return Origin(table=imported) if imported else Origin(body=body)
            return Origin(table=table_key(item))
        if isinstance(item, exp.Subquery):
            imported = self._import_table(item.this)
            return Origin(table=imported) if imported else Origin(body=item.this)
        return Origin(body=item)

    def _import_table(self, body: exp.Expr, inside: frozenset[str] = frozenset()) -> str | None:
        """``select * from <physical table> [where 1 = 1]`` reads the table itself."""
        if not isinstance(body, exp.Select) or len(body.expressions) != 1:
            return None
        if not isinstance(body.expressions[0], exp.Star):
            return None
        if any(
            body.args.get(k) for k in ("joins", "group", "having", "qualify", "order", "limit", "distinct", "with_")
        ):
            return None
        where = body.args.get("where")
        if where is not None and not all(_is_true(c) for c in conjuncts(where.this)):
            return None
        items = _from_items(body)
        if len(items) != 1:
            return None
        origin = self.origin_of(items[0], inside)
        return origin.table

    def scope(self, select: exp.Select) -> dict[str, Origin]:
        key = id(select)
        if key not in self._scopes:
            aliases: dict[str, Origin] = {}
            for item in _from_items(select):
                alias = (item.alias or (item.name if isinstance(item, exp.Table) else "")).lower()
                aliases[alias] = self.origin_of(item)
            self._scopes[key] = aliases
        return self._scopes[key]

    def base_tables(self, node: exp.Expr, seen: frozenset[int] = frozenset()) -> frozenset[str]:
        key = id(node)
        if key in self._bases:
            return self._bases[key]
        if key in seen:
            return frozenset()
        seen = seen | {key}
        out: set[str] = set()
        for table in node.find_all(exp.Table):
            origin = self.origin_of(table)
            if origin.table:
                out.add(origin.table)
            elif origin.body is not None and origin.body is not node:
                out |= self.base_tables(origin.body, seen)
        result = frozenset(out)
        self._bases[key] = result
        return result

    def label(self, origin: Origin) -> str:
        if origin.table:
            return origin.table
        # origin_of sets a table key or a body; a body-less one failed here before (None.find_all).
        assert origin.body is not None, "an Origin without a table has a body"
        key = id(origin.body)
        if key not in self._labels:
            self._labels[key] = "{" + ",".join(sorted(self.base_tables(origin.body))) + "}"
        return self._labels[key]

    def output_names(self, body: exp.Expr, seen: frozenset[int] = frozenset()) -> list[str]:
        key = id(body)
        if key in self._outputs:
            return self._outputs[key]
        if key in seen:
            return []
        seen = seen | {key}
        names: list[str] = []
        if isinstance(body, exp.SetOperation):
            names = self.output_names(body.left, seen)
        elif isinstance(body, exp.Select):
            for p in body.expressions:
                if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)):
                    qualifier = p.table.lower() if isinstance(p, exp.Column) else ""
                    for alias, origin in self.scope(body).items():
                        if qualifier and alias != qualifier:
                            continue
                        names += self._origin_columns(origin, seen)
                else:
                    names.append(p.alias_or_name.lower())
        elif isinstance(body, exp.Subquery):
            names = self.output_names(body.this, seen)
        self._outputs[key] = names
        return names

    def _origin_columns(self, origin: Origin, seen: frozenset[int] = frozenset()) -> list[str]:
        if origin.table:
            return [c.lower() for c in self.schema.get(origin.table, [])]
        return self.output_names(origin.body, seen) if origin.body is not None else []

    # -- columns ----------------------------------------------------------------------------
    def resolve_column(self, col: exp.Column) -> tuple[Origin | None, exp.Select | None]:
        """The FROM item a column reads, searching enclosing SELECTs outwards (correlation)."""
        qualifier = col.table.lower()
        name = col.name.lower()
        node = col.parent
        while node is not None:
            if isinstance(node, exp.Select):
                scope = self.scope(node)
                if qualifier:
                    if qualifier in scope:
                        return scope[qualifier], node
                else:
                    if len(scope) == 1:
                        return next(iter(scope.values())), node
                    for origin in scope.values():
                        if name in self._origin_columns(origin):
                            return origin, node
            node = node.parent
        return None, None

    def normalize(self, expr: exp.Expr) -> str:
        """Expression text with columns named by what they read and commutative operands sorted."""
        copy = expr.copy()
        originals = list(expr.find_all(exp.Column))
        copies = list(copy.find_all(exp.Column))
        for orig, new in zip(originals, copies):
            origin, _ = self.resolve_column(orig)
            label = self.label(origin) if origin else "?"
            copy = _swap(copy, new, exp.column(orig.name.lower(), table=label, quoted=True))
        for orig_table, new_table in zip(list(expr.find_all(exp.Table)), list(copy.find_all(exp.Table))):
            # a subquery inside a predicate: name what it reads, not the alias or import CTE
            copy = _swap(copy, new_table, exp.to_identifier(self.label(self.origin_of(orig_table)), quoted=True))
        return canonical(copy).sql("duckdb")

    def lineage(self, body: exp.Expr | None, name: str, depth: int = 0) -> Lineage:
        """Base columns and literals an output column of ``body`` is computed from (``None``, an
        origin without a body: unresolved)."""
        if depth > 12:
            return Lineage(frozenset(), Counter(), "?", resolved=False)
        if isinstance(body, exp.Subquery):
            return self.lineage(body.this, name, depth)
        if isinstance(body, exp.SetOperation):
            names = self.output_names(body)
            idx = names.index(name) if name in names else -1
            parts = [self._lineage_at(b, idx, depth) for b in _branches(body)]
            return Lineage(
                frozenset().union(*(p.sources for p in parts)),
                sum((p.literals for p in parts), Counter()),
                " | ".join(p.text for p in parts),
                all(p.resolved for p in parts),
            )
        if not isinstance(body, exp.Select):
            return Lineage(frozenset(), Counter(), "?", resolved=False)
        # The first projection that yields ``name``: a star before it, or the named one. Indexed once
        # per SELECT, so a wide table's lineage is linear in its columns, not quadratic.
        named, stars = self._projection_index(body)
        first_named = named.get(name, len(body.expressions))
        for i in stars:
            if i > first_named:
                break
            p = body.expressions[i]
            qualifier = p.table.lower() if isinstance(p, exp.Column) else ""
            for alias, origin in self.scope(body).items():
                if qualifier and alias != qualifier:
                    continue
                if name in self._origin_columns(origin):
                    return self._through(origin, name, depth)
        if first_named < len(body.expressions):
            p = body.expressions[first_named]
            return self._expr_lineage(p.unalias() if isinstance(p, exp.Alias) else p, depth)
        return Lineage(frozenset(), Counter(), "?", resolved=False)

    def _projection_index(self, body: exp.Select) -> tuple[dict[str, int], list[int]]:
        """Lower-case output name -> position of its first projection, and the positions of stars."""
        cached = self._projections.get(id(body))
        if cached is None:
            named: dict[str, int] = {}
            stars: list[int] = []
            for i, p in enumerate(body.expressions):
                if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)):
                    stars.append(i)
                else:
                    named.setdefault(p.alias_or_name.lower(), i)
            cached = self._projections[id(body)] = (named, stars)
        return cached

    def _lineage_at(self, body: exp.Expr, idx: int, depth: int) -> Lineage:
        names = self.output_names(body)
        if idx < 0 or idx >= len(names):
            return Lineage(frozenset(), Counter(), "?", resolved=False)
        return self.lineage(body, names[idx], depth + 1)

    def _through(self, origin: Origin, name: str, depth: int) -> Lineage:
        if origin.table:
            ref = f"{origin.table}.{name}"
            return Lineage(frozenset({ref}), Counter(), ref)
        return self.lineage(origin.body, name, depth + 1)

    def _expr_lineage(self, expr: exp.Expr, depth: int) -> Lineage:
        sources: set[str] = set()
        literals: Counter = Counter(literal_key(lit) for lit in expr.find_all(exp.Literal) if not _null_as_empty(lit))
        resolved = True
        copy = expr.copy()
        for orig, new in zip(list(expr.find_all(exp.Column)), list(copy.find_all(exp.Column))):
            origin, select = self.resolve_column(orig)
            if origin is None or isinstance(orig.this, exp.Star):
                resolved = resolved and isinstance(orig.this, exp.Star)
                continue
            inner_select = orig.find_ancestor(exp.Select)
            if inner_select is not None and inner_select is not select and _within(inner_select, expr):
                # A column of a scalar subquery's own FROM: a base read, not an output column.
                sub = (
                    self._through(origin, orig.name.lower(), depth)
                    if origin.table
                    else Lineage(frozenset({self.label(origin) + "." + orig.name.lower()}), Counter(), "")
                )
            else:
                sub = self._through(origin, orig.name.lower(), depth)
            sources |= sub.sources
            literals += sub.literals
            resolved = resolved and sub.resolved
            copy = _swap(copy, new, exp.column("(" + sub.text + ")" if sub.text else orig.name.lower(), quoted=True))
        for subquery in expr.find_all(exp.Subquery):
            for table in subquery.find_all(exp.Table):
                origin = self.origin_of(table)
                if origin.table:
                    sources.add(origin.table)
                else:
                    # as in label(): origin_of sets a table key or a body
                    assert origin.body is not None, "an Origin without a table has a body"
                    sources |= self.base_tables(origin.body)
        for orig_table, new_table in zip(list(expr.find_all(exp.Table)), list(copy.find_all(exp.Table))):
            copy = _swap(copy, new_table, exp.to_identifier(self.label(self.origin_of(orig_table)), quoted=True))
        return Lineage(frozenset(sources), literals, canonical(copy).sql("duckdb"), resolved)

    # -- whole-query features ---------------------------------------------------------------
    def features(self, final: exp.Expr) -> Features:
        f = Features()
        f.tables = set(self.base_tables(self.tree))
        f.outputs = [n for n in self.output_names(final) if n not in AUDIT_COLUMNS]
        for name in f.outputs:
            f.lineage[name] = self.lineage(final, name)
        f.rewritten = {type(n).__name__.lower() for n in self.tree.find_all(*REWRITTEN)}
        for select in self.tree.find_all(exp.Select):
            for join in select.args.get("joins") or []:
                kind = " ".join(x for x in (join.side, join.kind) if x).upper() or "INNER"
                kind = kind.replace("OUTER", "").strip() or "INNER"
                if join.args.get("on") is None and not join.args.get("using") and kind == "INNER":
                    kind = "CROSS"
                target = self.label(self.origin_of(join.this))
                keys = sorted(self.normalize(c) for c in conjuncts(join.args.get("on")) if not _is_true(c))
                using = sorted(u.name.lower() for u in join.args.get("using") or [])
                f.joins[(kind, target, tuple(keys + using))] += 1
            for part in ("where", "having", "qualify"):
                clause = select.args.get(part)
                if clause is not None:
                    f.predicates += [f"{part}: {self.normalize(c)}" for c in conjuncts(clause.this) if not _is_true(c)]
            group = select.args.get("group")
            if group is not None:
                keys = [self.normalize(g) for g in group.expressions]
                for kind in ("rollup", "cube", "grouping_sets"):
                    for g in group.args.get(kind) or []:
                        keys.append(f"{kind}:{self.normalize(g)}")
                f.grain[tuple(sorted(keys))] += 1
            if select.args.get("distinct"):
                f.distinct["select distinct"] += 1
        for op in self.tree.find_all(exp.SetOperation):
            distinct = op.args.get("distinct", True)
            f.distinct[f"{op.key} {'distinct' if distinct else 'all'}"] += 1
        return f


def _null_as_empty(lit: exp.Literal) -> bool:
    """``coalesce(x, '')``: T-SQL CONCAT's NULL-as-empty made explicit, not a constant of the logic."""
    return lit.is_string and lit.this == "" and isinstance(lit.parent, exp.Coalesce) and lit.arg_key == "expressions"


def _swap(root: exp.Expr, old: exp.Expr, new: exp.Expr) -> exp.Expr:
    if old is root:
        return new
    old.replace(new)
    return root


def _within(node: exp.Expr | None, root: exp.Expr) -> bool:
    while node is not None:
        if node is root:
            return True
        node = node.parent
    return False


def _branches(op: exp.SetOperation) -> list[exp.Expr]:
    out: list[exp.Expr] = []
    for side in (op.left, op.right):
        side = side.this if isinstance(side, exp.Subquery) else side
        out += _branches(side) if isinstance(side, exp.SetOperation) else [side]
    return out


_FLIP: dict[type[exp.Expr], type[exp.Binary]] = {exp.GT: exp.LT, exp.LT: exp.GT, exp.GTE: exp.LTE, exp.LTE: exp.GTE}
_COMMUTATIVE = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.Add, exp.Mul, exp.And, exp.Or)


def canonical(node: exp.Expr) -> exp.Expr:
    """Parentheses dropped, commutative operands sorted, ``b < a`` written ``a > b``."""

    def fix(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Paren):
            return n.this
        if isinstance(n, _COMMUTATIVE):
            left, right = n.left, n.right
            if left.sql() > right.sql():
                return type(n)(this=right, expression=left)
        if type(n) in _FLIP and isinstance(n, exp.Binary):  # every _FLIP key is a Binary
            left, right = n.left, n.right
            if left.sql() > right.sql():
                return _FLIP[type(n)](this=right, expression=left)
        return n

    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, canonical(value))
        elif isinstance(value, list):
            node.set(key, [canonical(v) if isinstance(v, exp.Expression) else v for v in value])
    return fix(node)
