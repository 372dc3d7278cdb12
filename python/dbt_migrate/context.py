"""Assembling the context for one target table (pure: catalogs in, a context dict out).

The context is what `migrate context --table T` prints and what the package's `generate_model`
macros read (docs/render-contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .catalog import MigrationProject, TableCatalog
from .convert.dialects import dialect_for_adapter
from .convert.relations import Resolver
from .convert.types import target_type
from .ddl import DdlColumn, parse_procedures, parse_tables
from .errors import InputError, NotReadyError
from .jinja_escape import escape_values
from .names import model_name_for, model_names, normalize_name

# Mirrors dbt_migrate.materialization_for; render.py checks the macro's answer against it.
MATERIALIZATIONS = {
    "dim_scd2": "snapshot",
    "dim_scd1": "incremental",
    "fact_transaction": "incremental",
    "fact_accumulating_snapshot": "incremental",
    "dim_non_scd": "table",
    "dim_junk": "table",
    "fact_periodic_snapshot": "table",
    "fact_aggregate": "table",
}
KEYED = {"dim_scd1", "dim_scd2", "fact_accumulating_snapshot"}
MIGRATED_TAG = "dbt_migrate"


@dataclass
class DbtInfo:
    """What the dbt project says: adapter, declared sources, models it already has."""

    adapter_type: str = "duckdb"
    declared_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    models: set[str] = field(default_factory=set)

    @property
    def dialect(self) -> str:
        return dialect_for_adapter(self.adapter_type)


class Warehouse:
    """A migration project plus its parsed DDL: shared by every table's context."""

    def __init__(self, project: MigrationProject, dbt: DbtInfo | None = None):
        self.project = project
        self.dbt = dbt or DbtInfo()
        self.source_dialect = project.manifest.dialect
        self.ddl_tables: dict[str, list[DdlColumn]] = parse_tables(project.ddl_text("tables.sql"), self.source_dialect)
        self.ddl_procedures: dict[str, str] = parse_procedures(project.ddl_text("procedures.sql"), self.source_dialect)
        self.targets = model_names(t.key for t in project.targets)
        self._names_cache: dict[str, str] | None = None
        for model in self.dbt.models:
            self.targets.setdefault(model, model)

    # Views of the DDL every item's conversion and check reads: derived once per warehouse, not
    # once per item (a whole-warehouse batch would otherwise redo them N times).
    @cached_property
    def ddl_column_names(self) -> dict[str, set[str]]:
        """Normalized table name -> lower-case column names."""
        return {k: {c.name.lower() for c in cols} for k, cols in self.ddl_tables.items()}

    @cached_property
    def ddl_column_lists(self) -> dict[str, list[str]]:
        """Normalized table name -> column names as written, in order."""
        return {k: [c.name for c in cols] for k, cols in self.ddl_tables.items()}

    @cached_property
    def ddl_type_schema(self) -> dict[str, dict[str, dict[str, str]]]:
        """``{schema: {table: {column: sql_type}}}`` for sqlglot's type inference."""
        from .convert.semantics import schema_from_ddl

        return schema_from_ddl(self.ddl_tables)

    @cached_property
    def model_keys(self) -> dict[str, str]:
        """Model name -> legacy table key: catalog targets first (``targets`` lists them before the
        models dbt already has), then those models."""
        models: dict[str, str] = {}
        for key, model in self.targets.items():
            models.setdefault(model, key)
        return models

    def resolver(self, target: str, incremental: bool) -> Resolver:
        return Resolver(
            targets=dict(self.targets),
            declared_sources=dict(self.dbt.declared_sources),
            written_names=self._written_names(),
            current=normalize_name(target),
            incremental=incremental,
        )

    def _written_names(self) -> dict[str, str]:
        """Table names as the procedure catalogs write them (case kept), for new source declarations."""
        if self._names_cache is not None:
            return self._names_cache
        names: dict[str, str] = {}
        for proc in self.project.procedures.values():
            for ref in proc.references.tables.in_scope:
                names.setdefault(normalize_name(f"{ref.schema_}.{ref.name}"), f"{ref.schema_}.{ref.name}")
        self._names_cache = names
        return names

    def columns_of(self, key: str) -> list[str] | None:
        """Columns a relation has: a target's model output, or a source's DDL/catalog columns."""
        key = normalize_name(key)
        table = self.project.tables.get(key)
        if table is not None and table.is_target:
            return produced_columns(table)
        if key in self.ddl_tables:
            return [c.name for c in self.ddl_tables[key]]
        if table is not None and table.columns:
            return [c.name for c in table.columns]
        cols: list[str] = []
        for proc in self.project.procedures.values():
            for ref in proc.references.tables.in_scope:
                if normalize_name(f"{ref.schema_}.{ref.name}") == key:
                    cols += [c.name for c in ref.columns if c.name not in cols]
        return cols or None


def identity_columns(table: TableCatalog) -> set[str]:
    cols = {c.name.lower() for c in table.columns if c.is_identity}
    cols |= {a.column.lower() for a in table.auto_increment_columns}
    return cols


def produced_columns(table: TableCatalog) -> list[str]:
    """A migrated model produces the table's columns except warehouse-generated identity keys."""
    skip = identity_columns(table)
    return [c.name for c in table.columns if c.name.lower() not in skip]


def unique_key_for(table: TableCatalog) -> list[str]:
    profile = table.profile
    assert profile is not None
    if profile.natural_key:
        return list(profile.natural_key)
    pk = profile.primary_key.columns if profile.primary_key else []
    identity = identity_columns(table)
    return [c for c in pk if c.lower() not in identity]


def entity_key_for(table: TableCatalog) -> list[str]:
    """Columns the entity-integrity tests check: the PK unless it is a generated identity."""
    profile = table.profile
    assert profile is not None
    pk = list(profile.primary_key.columns) if profile.primary_key else []
    identity = identity_columns(table)
    if pk and not any(c.lower() in identity for c in pk):
        return pk
    return list(profile.natural_key) or [c for c in pk if c.lower() not in identity]


def build_context(wh: Warehouse, table_name: str) -> dict[str, Any]:
    mp = wh.project
    table = mp.table(table_name)
    path = mp.root / "catalog" / "tables" / f"{table.key}.json"
    if table.profile is None:
        raise NotReadyError(
            f"{table.schema_}.{table.name} has no profile in {path}: run the profiling step upstream "
            "(it sets profile.classification) before generating"
        )
    writer_name = table.scoping.selected_writer if table.scoping else None
    if not writer_name:
        raise NotReadyError(
            f"{table.schema_}.{table.name} has no selected writer (scoping.selected_writer in {path}): "
            "run scoping upstream first"
        )
    proc = mp.procedure(writer_name)
    if proc is None:
        expected = mp.root / "catalog" / "procedures" / f"{normalize_name(writer_name)}.json"
        raise InputError(f"writer {writer_name} of {table.schema_}.{table.name} has no catalog: expected {expected}")
    statements = proc.migrate_statements
    if not statements:
        raise NotReadyError(
            f"writer {writer_name} has no statements with action 'migrate' "
            f"({mp.root / 'catalog' / 'procedures'}): nothing to convert"
        )

    profile = table.profile
    classification = profile.classification.resolved_kind
    materialized = MATERIALIZATIONS[classification]
    incremental = materialized == "incremental"
    resolver = wh.resolver(f"{table.schema_}.{table.name}", incremental)
    model_name = wh.targets.get(table.key) or model_name_for(table.name)
    refactored = (proc.refactor.refactored_sql if proc.refactor else None) or (
        table.refactor.refactored_sql if table.refactor else None
    )
    warnings: list[str] = []

    source_tables = []
    for ref in proc.references.tables.in_scope:
        key = normalize_name(f"{ref.schema_}.{ref.name}")
        if key == table.key and not ref.is_selected:
            continue
        rel = resolver.resolve(f"{ref.schema_}.{ref.name}")
        source_tables.append({
            "relation": f"{ref.schema_}.{ref.name}", "kind": rel.kind, "jinja": rel.jinja,
            "columns": [c.name for c in ref.columns],
        })

    return {
        "table": f"{table.schema_}.{table.name}",
        "model_name": model_name,
        "description": (
            f"{table.schema_}.{table.name} migrated from {proc.schema_}.{proc.name} "
            f"({classification.replace('_', ' ')})."
        ),
        "writer": f"{proc.schema_}.{proc.name}",
        "tags": [MIGRATED_TAG],
        "profile": profile.model_dump(mode="json", by_alias=True),
        "materialization": {
            "classification": classification,
            "materialized": materialized,
            "unique_key": unique_key_for(table) if classification in KEYED else None,
            "watermark": profile.watermark[0] if profile.watermark else None,
        },
        "statements": [s.model_dump(mode="json") for s in proc.statements],
        "proc_body": wh.ddl_procedures.get(proc.key, ""),
        "columns": [
            {
                "name": c.name, "sql_type": c.sql_type,
                "data_type": target_type(c.sql_type or "", wh.source_dialect, wh.dbt.dialect),
                "is_nullable": c.is_nullable, "is_identity": c.name.lower() in identity_columns(table),
            }
            for c in table.columns
        ],
        "source_tables": source_tables,
        "schema_tests": schema_tests(wh, table, resolver),
        "unit_tests": unit_tests(wh, table, resolver, warnings, incremental=incremental),
        "refactored_sql": refactored,
        "needs_llm": proc.needs_llm,
        "routing_reasons": proc.routing_reasons,
        "target_dialect": wh.dbt.dialect,
        "source_dialect": wh.source_dialect,
        "warnings": warnings,
    }


def schema_tests(wh: Warehouse, table: TableCatalog, resolver: Resolver) -> list[dict[str, Any]]:
    profile = table.profile
    assert profile is not None
    tests: list[dict[str, Any]] = []
    key = entity_key_for(table)
    if len(key) == 1:
        tests += [{"kind": "entity_integrity", "column": key[0], "test": t} for t in ("unique", "not_null")]
    elif key:
        tests += [{"kind": "entity_integrity", "column": c, "test": "not_null"} for c in key]
        tests.append({"kind": "entity_integrity", "columns": key, "test": "unique_combination_of_columns"})
    for fk in profile.foreign_keys:
        rel = resolver.resolve(fk.references_source_relation)
        if rel.kind == "this":
            continue
        tests.append({
            "kind": "referential_integrity", "column": fk.column, "test": "relationships",
            "to": rel.jinja_call, "field": fk.references_column,
        })
    for pii in profile.pii_actions:
        tests.append({"kind": "pii", "column": pii.column, "action": pii.suggested_action})
    return tests


def unit_tests(wh: Warehouse, table: TableCatalog, resolver: Resolver, warnings: list[str],
               incremental: bool = False) -> list[dict[str, Any]]:
    """Every test-spec scenario with ``expect``, in dbt's shape. Expectations are copied unchanged.

    Given rows may carry columns the input relation does not have (an identity surrogate of an
    upstream target, which the migrated model does not produce): those input columns are left out
    of the fixture, and a warning says so. Nothing in ``expect`` is ever changed.
    """
    spec = wh.project.test_spec(f"{table.schema_}.{table.name}")
    if spec is None:
        return []
    rendered = []
    for test in spec.unit_tests:
        if test.expect is None:
            continue
        given = []
        for g in test.given:
            rel = resolver.resolve(g.table)
            known = wh.columns_of(g.table)
            rows = [dict(r) for r in g.rows]
            if known is not None:
                allowed = {c.lower() for c in known}
                dropped = sorted({k for r in rows for k in r if k.lower() not in allowed})
                if dropped:
                    rows = [{k: v for k, v in r.items() if k.lower() in allowed} for r in rows]
                    warnings.append(
                        f"unit test {test.name}: given {g.table} columns {', '.join(dropped)} are not produced "
                        f"by {rel.jinja_call} (identity surrogate or unknown column); left out of the fixture"
                    )
            given.append({"input": rel.jinja_call, "rows": [escape_values(r) for r in rows]})
        entry: dict[str, Any] = {
            "name": test.name, "origin": "test_spec", "given": given,
            "expect": {"rows": [escape_values(dict(r)) for r in test.expect.rows]},
        }
        if test.description:
            entry["description"] = test.description
        if incremental:
            # The legacy procedure's scenarios describe a full load; dbt would otherwise call the
            # real is_incremental() inside the unit test.
            entry["overrides"] = {"macros": {"is_incremental": False}}
        rendered.append(entry)
    return rendered
