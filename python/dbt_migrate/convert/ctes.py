"""Shaping a query into dbt style: import CTEs, logical CTEs, a ``final`` CTE, ``select * from final``.

All edits are on the sqlglot tree. Places where Jinja must appear (``{{ source() }}``, the
watermark filter, ``dbt.current_timestamp()``) hold placeholder identifiers that ``style.model_text``
swaps for Jinja at the very end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlglot import exp

from ..names import normalize_name
from .relations import Relation, Resolver
from .watermarks import place_after_join

PLACEHOLDER_PREFIX = "__dbtm_"

_E = TypeVar("_E", bound=exp.Expr)


@dataclass
class Shaped:
    tree: exp.Query
    placeholders: dict[str, str] = field(default_factory=dict)  # identifier -> Jinja text
    relations: list[Relation] = field(default_factory=list)
    uses_watermark: bool = False
    watermark_target: str | None = None  # the CTE the filter went into
    unfiltered_because: str | None = None  # why a joined model has no watermark filter


def _placeholder(shaped: Shaped, jinja: str) -> str:
    for name, text in shaped.placeholders.items():
        if text == jinja:
            return name
    name = f"{PLACEHOLDER_PREFIX}{len(shaped.placeholders)}__"
    shaped.placeholders[name] = jinja
    return name


def _cte_names(tree: exp.Expr) -> set[str]:
    return {cte.alias.lower() for cte in tree.find_all(exp.CTE)}


def _is_physical(table: exp.Table, ctes: set[str]) -> bool:
    if not isinstance(table.this, exp.Identifier):
        return False  # table functions, UNNEST, ...
    return bool(table.db) or table.name.lower() not in ctes


def _table_name(table: exp.Table) -> str:
    return f"{table.db}.{table.name}" if table.db else table.name


def _is_import_cte(cte: exp.CTE, ctes: set[str]) -> exp.Table | None:
    """A CTE that is just ``select * from <physical table>`` is already an import CTE."""
    body = cte.this
    if not isinstance(body, exp.Select) or len(body.expressions) != 1 or not isinstance(body.expressions[0], exp.Star):
        return None
    if any(body.args.get(k) for k in ("joins", "where", "group", "having", "qualify", "order", "limit", "distinct")):
        return None
    source = body.args.get("from_") or body.args.get("from")
    table = source.this if source else None
    if isinstance(table, exp.Table) and _is_physical(table, ctes):
        return table
    return None


def _is_self_referencing(cte: exp.CTE) -> bool:
    """T-SQL writes recursive CTEs without RECURSIVE; most targets need the keyword."""
    name = cte.alias.lower()
    return any(not t.db and t.name.lower() == name for t in cte.this.find_all(exp.Table))


def _leftmost(query: exp.Expr) -> exp.Expr:
    while isinstance(query, exp.SetOperation):
        query = query.left
    return query


def name_set_operation_branches(tree: exp.Expr) -> None:
    """Every branch of a UNION / INTERSECT / EXCEPT names its outputs like the first one does
    (explicit ``as`` everywhere; the names are the ones the set operation produces anyway)."""
    for setop in list(tree.find_all(exp.SetOperation)):
        first = _leftmost(setop)
        if not isinstance(first, exp.Select) or any(isinstance(p, exp.Star) for p in first.expressions):
            continue
        names = [p.alias_or_name for p in first.expressions]
        for branch in (setop.left, setop.right):
            if isinstance(branch, exp.Subquery):
                branch = branch.this
            if not isinstance(branch, exp.Select) or branch is first or len(branch.expressions) != len(names):
                continue
            branch.set(
                "expressions",
                [
                    p
                    if (p.alias_or_name == name and not isinstance(p.unalias(), exp.Literal)) or not name
                    else exp.alias_(p.unalias(), name)
                    for p, name in zip(branch.expressions, names)
                ],
            )


def apply_joins_for(tree: _E, dialect: str) -> _E:
    """CROSS/OUTER APPLY for targets without APPLY: ``[left] join lateral (...) on true``.

    sqlglot writes OUTER APPLY as LEFT JOIN LATERAL without the ``on`` clause DuckDB and Postgres
    require; T-SQL targets keep APPLY."""
    if dialect == "tsql":
        return tree
    for join in tree.find_all(exp.Join):
        lateral = join.this
        if not isinstance(lateral, exp.Lateral) or lateral.args.get("cross_apply") is None:
            continue
        outer = lateral.args["cross_apply"] is False
        lateral.set("cross_apply", None)
        join.set("side", "LEFT" if outer else None)
        join.set("kind", None if outer else "INNER")
        join.set("on", exp.true())
    return tree


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate = f"{name}_{n}"
        n += 1
    taken.add(candidate.lower())
    return candidate


def _hoist_subqueries(body: exp.Query, taken: set[str]) -> list[exp.CTE]:
    """Derived tables in FROM/JOIN become CTEs (innermost first), replaced by their name."""
    hoisted: list[exp.CTE] = []
    subqueries = [s for s in body.find_all(exp.Subquery) if isinstance(s.parent, (exp.From, exp.Join))]
    for sub in reversed(subqueries):  # deepest last in BFS order: reverse gives innermost first
        if not isinstance(sub.this, exp.Query) or sub.args.get("lateral"):
            continue
        alias = sub.alias or "subquery"
        name = _unique(alias.lower(), taken)
        inner = sub.this
        hoisted.append(exp.CTE(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier(name))))
        table = exp.Table(this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(alias)))
        if sub.args.get("pivots"):  # PIVOT / UNPIVOT applied to the derived table stay on it
            table.set("pivots", [p.copy() for p in sub.args["pivots"]])
        sub.replace(table)
    return hoisted


def shape_query(
    query: exp.Query,
    resolver: Resolver,
    *,
    watermark: str | None = None,
    table_columns: dict[str, set[str]] | None = None,
    audit_columns: tuple[str, ...] = ("_dbt_run_id",),
    change_columns: Mapping[str, str | None] | None = None,
    reread_unfiltered: bool = True,
) -> Shaped:
    """Return the query in import / logical / final shape with Jinja placeholders.

    ``change_columns`` (input key -> its change column or None): the model is re-read when any input
    changes, so with several inputs the watermark filter goes after their join (see
    ``watermarks``). Without it, the filter goes on the input carrying the watermark column (an
    append-only fact whose legacy procedure filters its driving table the same way). When the
    filter cannot go after the join, the model has none (it re-reads its inputs) or, with
    ``reread_unfiltered`` false (an append model: re-reading would duplicate rows), keeps the
    driving-table filter; ``unfiltered_because`` says why either way."""
    query = query.copy()
    shaped = Shaped(tree=query)
    with_ = query.args.get("with_") or query.args.get("with")
    query.set("with_", None)
    query.set("with", None)
    ctes: list[exp.CTE] = list(with_.expressions) if with_ else []
    recursive = bool(with_ and with_.args.get("recursive")) or any(_is_self_referencing(c) for c in ctes)
    taken = _cte_names(query) | {c.alias.lower() for c in ctes}
    cte_set = set(taken)

    # Existing import CTEs are kept (their table becomes the Jinja relation).
    imports: dict[str, exp.CTE] = {}
    logical: list[exp.CTE] = []
    for cte in ctes:
        table = _is_import_cte(cte, cte_set)
        key = normalize_name(_table_name(table)) if table is not None else None
        if key and key not in imports:
            imports[key] = cte
        else:
            logical.append(cte)

    # Every other physical table reference reads through an import CTE.
    new_imports: dict[str, exp.CTE] = {}
    bodies: list[exp.Expr] = [c.this for c in logical] + [query]
    for body in bodies:
        for table in list(body.find_all(exp.Table)):
            if not _is_physical(table, cte_set):
                continue
            key = normalize_name(_table_name(table))
            import_cte = imports.get(key) or new_imports.get(key)
            if import_cte is None:
                rel = resolver.resolve(_table_name(table))
                name = _unique(rel.short_name, taken)
                import_cte = exp.CTE(
                    this=exp.select("*").from_(exp.Table(this=exp.to_identifier(_table_name(table)))),
                    alias=exp.TableAlias(this=exp.to_identifier(name)),
                )
                new_imports[key] = import_cte
            alias = table.alias or table.name
            table.replace(
                exp.Table(this=exp.to_identifier(import_cte.alias), alias=exp.TableAlias(this=exp.to_identifier(alias)))
            )
    all_imports = {**imports, **new_imports}
    for cte in all_imports.values():
        src = cte.this.args.get("from_") or cte.this.args.get("from")
        rel = resolver.resolve(_table_name(src.this))
        shaped.relations.append(rel)
        src.set("this", exp.Table(this=exp.to_identifier(_placeholder(shaped, rel.jinja))))

    # Derived tables become CTEs placed right before the CTE (or final) that used them.
    ordered_logical: list[exp.CTE] = []
    for cte in logical:
        ordered_logical += _hoist_subqueries(cte.this, taken)
        ordered_logical.append(cte)
    ordered_logical += _hoist_subqueries(query, taken)

    final = _final_cte(query, ordered_logical, taken)
    if watermark and change_columns is not None and len(all_imports) > 1:
        _place_after_join(shaped, watermark, all_imports, final, ordered_logical, change_columns)
    if watermark and not shaped.uses_watermark and (shaped.unfiltered_because is None or not reread_unfiltered):
        _place_watermark(shaped, watermark, all_imports, final, table_columns or {}, ordered_logical, taken)
    _add_audit_columns(shaped, final, audit_columns)

    everything = list(all_imports.values()) + ordered_logical + [final]
    for cte in everything:
        name_set_operation_branches(cte)
    result = exp.select("*").from_("final")
    result.set("with_", exp.With(expressions=everything, recursive=recursive))
    shaped.tree = result
    return shaped


def _final_cte(query: exp.Query, logical: list[exp.CTE], taken: set[str]) -> exp.CTE:
    """The ``final`` CTE: an existing ``final`` when the body is ``select * from final``."""
    if (
        isinstance(query, exp.Select)
        and len(query.expressions) == 1
        and isinstance(query.expressions[0], exp.Star)
        and not any(query.args.get(k) for k in ("joins", "where", "group", "having", "order", "limit", "distinct"))
        and logical
        and logical[-1].alias.lower() == "final"
    ):
        src = query.args.get("from_") or query.args.get("from")
        if src is not None and isinstance(src.this, exp.Table) and src.this.name.lower() == "final":
            return logical.pop()
    if isinstance(query, exp.SetOperation):
        # Audit columns cannot be appended to a set operation: name it, then select from it.
        name = _unique("unioned", taken)
        logical.append(exp.CTE(this=query, alias=exp.TableAlias(this=exp.to_identifier(name))))
        query = exp.select("*").from_(name)
    if "final" in taken and not any(c.alias.lower() == "final" for c in logical):
        taken.discard("final")
    if any(c.alias.lower() == "final" for c in logical):
        # The source already has a 'final' step that is not last: keep it under another name.
        for c in logical:
            if c.alias.lower() == "final":
                new = _unique("final_step", taken)
                for t in query.find_all(exp.Table):
                    if t.name.lower() == "final" and not t.db:
                        t.set("this", exp.to_identifier(new))
                for other in logical:
                    for t in other.this.find_all(exp.Table):
                        if t.name.lower() == "final" and not t.db:
                            t.set("this", exp.to_identifier(new))
                c.set("alias", exp.TableAlias(this=exp.to_identifier(new)))
    taken.add("final")
    return exp.CTE(this=query, alias=exp.TableAlias(this=exp.to_identifier("final")))


def _place_watermark(
    shaped: Shaped,
    column: str,
    imports: dict[str, exp.CTE],
    final: exp.CTE,
    table_columns: dict[str, set[str]],
    logical: list[exp.CTE],
    taken: set[str],
) -> None:
    """Filter the import CTE of the table that carries the watermark column; else the final CTE."""
    jinja = "{{ dbt_migrate.watermark_filter('" + column + "') }}"
    condition = exp.column(_placeholder(shaped, jinja))
    for key, cte in imports.items():
        if column.lower() in table_columns.get(key, set()):
            cte.set("this", cte.this.where(condition))
            shaped.uses_watermark, shaped.watermark_target = True, cte.alias
            return
    body = final.this
    if isinstance(body, exp.Select) and not body.args.get("group"):
        # The rows the load computes become a CTE; ``final`` keeps those past the watermark.
        name = _unique("rows_to_load", taken)
        logical.append(exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name))))
        final.set("this", exp.select("*").from_(name).where(condition))
        shaped.uses_watermark, shaped.watermark_target = True, "final"


def _place_after_join(
    shaped: Shaped,
    column: str,
    imports: dict[str, exp.CTE],
    final: exp.CTE,
    logical: list[exp.CTE],
    change_columns: Mapping[str, str | None],
) -> None:
    """One filter on every input's change column where the inputs are joined; none (the model
    re-reads its inputs) when that cannot be done, with the reason kept for the warning."""

    def condition(changed: tuple[str, ...]) -> exp.Expr:
        listed = ", ".join(f"'{c}'" for c in changed)
        jinja = "{{ dbt_migrate.watermark_filter('" + column + "', changed_columns=[" + listed + "]) }}"
        return exp.column(_placeholder(shaped, jinja))

    placed = place_after_join(
        [c.this for c in logical] + [final.this],
        {key: cte.alias for key, cte in imports.items()},
        change_columns,
        condition,
    )
    if placed.select is None:
        shaped.unfiltered_because = placed.reason
        return
    shaped.uses_watermark = True
    shaped.watermark_target = next(
        (c.alias for c in [*logical, final] if any(s is placed.select for s in c.this.find_all(exp.Select))), "final"
    )


def _add_audit_columns(shaped: Shaped, final: exp.CTE, columns: tuple[str, ...]) -> None:
    body = final.this
    if not isinstance(body, exp.Select):
        return
    extra = []
    if "_dbt_run_id" in columns:
        # A placeholder, not a string literal: style.finish wraps Jinja-looking literals in raw blocks.
        extra.append(exp.alias_(exp.column(_placeholder(shaped, "'{{ invocation_id }}'")), "_dbt_run_id"))
    if "_loaded_at" in columns:
        extra.append(exp.alias_(exp.column(_placeholder(shaped, "{{ dbt.current_timestamp() }}")), "_loaded_at"))
    body.set("expressions", list(body.expressions) + extra)
