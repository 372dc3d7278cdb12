"""The inputs both sides of a data run need: the test-spec scenarios, the sandbox's input tables
(typed from the DDL, else from the catalogs) and the legacy SELECT as DuckDB runs it. Shared by
the equivalence check and ``refactor_check`` (which must not import the package, whose
``check_table`` builds contexts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..convert import legacy_query
from ..convert.types import normalize_types, target_type
from ..names import normalize_name
from . import structural
from .edges import Column, Scenario, TableDef

if TYPE_CHECKING:
    from ..contracts import Context
    from ..warehouse import Warehouse


def table_defs(wh: Warehouse, keys: set[str], givens: list[Scenario]) -> dict[str, TableDef]:
    defs = {}
    for key in sorted(keys):
        cols: list[Column] = []
        ddl = wh.ddl_tables.get(key)
        if ddl:
            cols = [
                Column(c.name, target_type(c.sql_type, wh.source_dialect, "duckdb") or "varchar", c.is_nullable)
                for c in ddl
            ]
        else:
            names = wh.columns_of(key) or sorted({k for g in givens for r in g.rows.get(key, []) for k in r})
            typed = catalog_types(wh, key)
            cols = [Column(n, typed.get(n.lower(), "varchar")) for n in names]
        if not cols:
            continue
        keycols = {c.name.lower() for c in cols if c.name.lower().endswith(("id", "key", "code", "number"))}
        table = wh.project.tables.get(key)
        for pk in table.primary_keys if table is not None else []:
            keycols |= {c.lower() for c in pk.columns}
        defs[key] = TableDef(key, cols, keycols)
    return defs


def catalog_types(wh: Warehouse, key: str) -> dict[str, str]:
    """Lower-case column -> DuckDB type from the table's catalog (its source-dialect types), for a
    table the DDL does not have (another target, a seed, a source extracted without DDL)."""
    table = wh.project.tables.get(key)
    if table is None or "columns" in table.problems:
        return {}
    return {
        c.name.lower(): target_type(c.sql_type, wh.source_dialect, "duckdb") or "varchar"
        for c in table.columns
        if c.sql_type
    }


def givens_of(wh: Warehouse, table: str) -> list[Scenario]:
    spec = wh.project.test_spec(table)
    if spec is None:
        return []
    out = []
    for test in spec.unit_tests:
        rows = {normalize_name(g.table): [dict(r) for r in g.rows] for g in test.given}
        expect = [dict(r) for r in test.expect.rows] if test.expect is not None else None
        out.append(Scenario(f"given: {test.name}", rows, expect))
    return out


def legacy_duckdb_tree(ctx: Context, wh: Warehouse, fallback: Any) -> Any:
    """The legacy SELECT as DuckDB runs it with T-SQL semantics made explicit (string ``+``,
    integer division, APPLY); ``fallback`` (the plain transpilation) when that is not available."""
    try:
        return structural.legacy_tree(normalize_types(legacy_query(ctx, wh, structural.DIALECT)))
    except Exception:
        return fallback


def duckdb_sql(tree: Any, self_target: str | None) -> str:
    """The legacy tree's SQL, without its filters on its own target when ``self_target`` is given."""
    tree = tree.copy()
    if self_target:
        tree, _ = structural.strip_self_filters(tree, self_target)
    structural.mark_recursive(tree)
    return tree.sql(structural.DIALECT)


def legacy_duckdb_sql(ctx: Context, wh: Warehouse, fallback: Any, self_target: str | None) -> str:
    """``legacy_duckdb_tree`` as DuckDB SQL (see ``duckdb_sql``)."""
    return duckdb_sql(legacy_duckdb_tree(ctx, wh, fallback), self_target)
