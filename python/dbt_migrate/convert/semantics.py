"""Source-dialect semantics made explicit on the tree, before the target dialect writes it.

Small transformation functions over the sqlglot tree (T-SQL in, still T-SQL out, but unambiguous
for every target):

- ``string_concatenation``: T-SQL ``+`` on strings becomes ``||`` (sqlglot ``DPipe``), decided by
  the types ``annotate_types`` infers from a schema built from ``ddl/tables.sql``;
- ``integer_division``: ``int / int`` truncates in T-SQL; it becomes ``IntDiv`` (``//`` on DuckDB,
  ``div`` on Postgres, ...);
- ``dbt_cross_db_macros``: T-SQL functions with a dbt cross-database macro (``DATEDIFF`` ->
  ``dbt.datediff``, ``DATEADD`` -> ``dbt.dateadd``, ``GETDATE`` -> ``dbt.current_timestamp``,
  ``TRY_CAST`` -> ``dbt.safe_cast``, ``CONCAT`` -> ``dbt.concat``) become placeholder columns whose
  Jinja ``style.model_text`` puts back at the very end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

MACRO_PREFIX = "__dbtm_m"
_TYPED = "dbtm_typed"

Schema = dict[str, dict[str, dict[str, str]]]  # schema -> table -> column -> type

_E = TypeVar("_E", bound=exp.Expr)


def schema_from_ddl(ddl_tables: dict[str, list[Any]]) -> Schema:
    """``{schema: {table: {column: sql_type}}}`` from parsed ``ddl/tables.sql`` (normalized keys)."""
    schema: Schema = {}
    for key, columns in ddl_tables.items():
        db, _, table = key.rpartition(".")
        schema.setdefault(db or "dbo", {})[table] = {c.name.lower(): (c.sql_type or "VARCHAR") for c in columns}
    return schema


Operands = dict[int, tuple[exp.DataType | None, exp.DataType | None]]


def _annotated(tree: exp.Expr, schema: Schema, dialect: str) -> tuple[Operands, list[exp.Add | exp.Div]] | None:
    """The ``+`` and ``/`` nodes of ``tree`` and their operand types (by position in that list),
    inferred on a qualified copy; the original nodes carry a tag so the copy maps back to them."""
    nodes = [n for n in tree.walk() if isinstance(n, (exp.Add, exp.Div))]
    if not nodes:
        return None
    for i, node in enumerate(nodes):
        node.meta[_TYPED] = i
    # sqlglot annotates ``schema`` as ``dict[str, object]`` (invariant); it only reads the mapping.
    sqlglot_schema = cast("dict[str, object]", schema)
    try:
        copy = qualify(
            tree.copy(),
            schema=sqlglot_schema,
            dialect=dialect,
            validate_qualify_columns=False,
            expand_stars=True,
            quote_identifiers=False,
            identify=False,
        )
        copy = annotate_types(copy, schema=sqlglot_schema, dialect=dialect)
    except Exception:
        return None
    types: Operands = {}
    ctes = _cte_column_types(copy)
    for typed in copy.walk():
        if isinstance(typed, (exp.Add, exp.Div)) and _TYPED in typed.meta:
            types[typed.meta[_TYPED]] = (_typed(typed.left, ctes), _typed(typed.right, ctes))
    for node in nodes:
        node.meta.pop(_TYPED, None)
    return types, nodes


def _cte_column_types(tree: exp.Expr) -> dict[str, dict[str, exp.DataType | None]]:
    """CTE name -> column -> type, from each CTE's first (anchor) SELECT: what a recursive CTE's
    own columns are, which ``annotate_types`` leaves unknown where the CTE reads itself."""
    out: dict[str, dict[str, exp.DataType | None]] = {}
    for cte in tree.find_all(exp.CTE):
        body = cte.this
        while isinstance(body, exp.SetOperation):
            body = body.left
        if isinstance(body, exp.Select):
            out[cte.alias_or_name.lower()] = {p.alias_or_name.lower(): p.type for p in body.expressions}
    return out


def _typed(node: exp.Expr, ctes: dict[str, dict[str, exp.DataType | None]]) -> exp.DataType | None:
    """``node.type``, or for a column of a CTE whose type is unknown, the CTE anchor's type."""
    t = node.type
    if (t is not None and not t.is_type(exp.DataType.Type.UNKNOWN)) or not isinstance(node, exp.Column):
        return t
    select = node.find_ancestor(exp.Select)
    for table in select.find_all(exp.Table) if select is not None else []:
        if table.alias_or_name.lower() == node.table.lower() and table.name.lower() in ctes:
            return ctes[table.name.lower()].get(node.name.lower(), t)
    return t


def _is_text(node: exp.Expr, t: exp.DataType | None) -> bool:
    if isinstance(node, exp.National) or (isinstance(node, exp.Literal) and node.is_string):
        return True
    if isinstance(node, exp.DPipe):
        return True
    return t is not None and t.is_type(*exp.DataType.TEXT_TYPES)


def _is_integer(t: exp.DataType | None) -> bool:
    return t is not None and t.is_type(*exp.DataType.INTEGER_TYPES)


def apply_operator_semantics(tree: _E, schema: Schema, dialect: str = "tsql") -> _E:
    """``+`` on strings -> concatenation; integer ``/`` integer -> integer division (in place)."""
    result = _annotated(tree, schema, dialect)
    if not result:
        return tree
    types, nodes = result
    # walk() is breadth-first: reversed, inner operators go first, so an outer '+' sees an inner
    # concatenation as text.
    for i, node in reversed(list(enumerate(nodes))):
        left_t, right_t = types.get(i, (None, None))
        if isinstance(node, exp.Add) and (_is_text(node.left, left_t) or _is_text(node.right, right_t)):
            node.replace(exp.DPipe(this=node.left, expression=node.right, safe=False))
        elif isinstance(node, exp.Div) and _is_integer(left_t) and _is_integer(right_t):
            node.replace(exp.IntDiv(this=node.left, expression=node.right))
    return tree


# --- dbt cross-database macros -------------------------------------------------------------------


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, (exp.TimeStrToTime, exp.TsOrDsToDate, exp.TsOrDsToTimestamp)) and node.this is not None:
        node = node.this
    return node


def _jinja_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MacroWriter:
    """Turns nodes into placeholder columns standing for a dbt macro call."""

    def __init__(self, dialect: str, prefix: str = MACRO_PREFIX):
        self.dialect = dialect
        self.prefix = prefix
        self.placeholders: dict[str, str] = {}

    def sql(self, node: exp.Expr) -> str:
        from .style import finish  # local: style imports nothing from here

        return finish(_unwrap(node).sql(dialect=self.dialect), self.dialect, {}).strip()

    def placeholder(self, jinja: str) -> exp.Column:
        for name, text in self.placeholders.items():
            if text == jinja:
                return exp.column(name)
        name = f"{self.prefix}{len(self.placeholders)}__"
        self.placeholders[name] = jinja
        return exp.column(name)


def _unit(node: exp.Expr) -> str:
    unit = node.args.get("unit")
    return (unit.name if unit is not None else "day").lower()


def _datediff(w: MacroWriter, node: exp.DateDiff) -> str:
    args = (_jinja_str(w.sql(node.expression)), _jinja_str(w.sql(node.this)), _jinja_str(_unit(node)))
    return "{{ dbt.datediff(" + ", ".join(args) + ") }}"


def _dateadd(w: MacroWriter, node: exp.DateAdd) -> str:
    args = (_jinja_str(_unit(node)), _jinja_str(w.sql(node.expression)), _jinja_str(w.sql(node.this)))
    return "{{ dbt.dateadd(" + ", ".join(args) + ") }}"


def _current_timestamp(w: MacroWriter, node: exp.Expr) -> str:
    return "{{ dbt.current_timestamp() }}"


def _safe_cast(w: MacroWriter, node: exp.TryCast) -> str:
    return (
        f"{{{{ dbt.safe_cast({_jinja_str(w.sql(node.this))}, {_jinja_str(node.to.sql(dialect=w.dialect).lower())}) }}}}"
    )


def _concat(w: MacroWriter, node: exp.Concat) -> str:
    # T-SQL CONCAT treats NULL as '' (dbt.concat does not everywhere): coalesce each argument.
    parts = [_jinja_str("coalesce(" + w.sql(e) + ", '')") for e in node.expressions]
    return "{{ dbt.concat([" + ", ".join(parts) + "]) }}"


MACROS: dict[type, Callable[[MacroWriter, Any], str]] = {
    exp.DateDiff: _datediff,
    exp.DateAdd: _dateadd,
    exp.CurrentTimestamp: _current_timestamp,
    exp.TryCast: _safe_cast,
    exp.Concat: _concat,
}


def _has_placeholder(node: exp.Expr, w: MacroWriter) -> bool:
    return any(isinstance(c, exp.Column) and c.name in w.placeholders for c in node.find_all(exp.Column))


def dbt_cross_db_macros(tree: _E, target_dialect: str) -> tuple[_E, dict[str, str]]:
    """Replace functions that have a dbt cross-database macro; returns the placeholders.

    Innermost calls first; a call whose arguments already hold a macro is left to sqlglot's own
    transpilation (Jinja cannot nest inside a macro's SQL-string argument)."""
    w = MacroWriter(target_dialect)
    for node in list(tree.walk(bfs=False))[::-1]:
        writer = next((fn for cls, fn in MACROS.items() if type(node) is cls), None)
        if writer is None or node is tree or _has_placeholder(node, w):
            continue
        node.replace(w.placeholder(writer(w, node)))
    return tree, w.placeholders


# --- the INSERT's conversion to the column type ----------------------------------------------------

_MONEY = {exp.DataType.Type.MONEY: "DECIMAL(19, 4)", exp.DataType.Type.SMALLMONEY: "DECIMAL(10, 4)"}
_ARITHMETIC = (exp.AggFunc, exp.Add, exp.Sub, exp.Mul, exp.Div)


def cast_to_column_types(query: exp.Query, column_types: dict[str, str], dialect: str) -> exp.Query:
    """T-SQL's INSERT converts each value to its column's type, so a computed decimal (a SUM, a
    product, a division) is rounded to the column's scale: made explicit as a CAST where it changes
    a value, i.e. on computed projections into DECIMAL / NUMERIC / MONEY columns (in place).

    Without it the model keeps the computation's own scale (PostgreSQL's numeric division gives 20
    digits) and differs from the legacy table by more than the column can hold."""
    if not isinstance(query, exp.Select):
        return query
    types = {name.lower(): sql_type for name, sql_type in column_types.items() if sql_type}
    for projection in query.expressions:
        name = projection.alias_or_name.lower()
        expr = projection.this if isinstance(projection, exp.Alias) else projection
        if name not in types or isinstance(expr, (exp.Column, exp.Literal, exp.Cast, exp.Null)):
            continue
        if not isinstance(expr, _ARITHMETIC) and expr.find(*_ARITHMETIC) is None:
            continue
        try:
            target = exp.DataType.build(types[name], dialect=dialect)
        except Exception:  # a type sqlglot cannot read: leave the value as computed
            continue
        if target.this in _MONEY:
            target = exp.DataType.build(_MONEY[target.this])
        elif target.this != exp.DataType.Type.DECIMAL:
            continue
        cast = exp.Cast(this=expr.copy(), to=target)
        if isinstance(projection, exp.Alias):
            projection.set("this", cast)
        else:
            projection.replace(exp.alias_(cast, projection.alias_or_name))
    return query
