"""A migration project plus what the dbt project says: shared by every table's context and check.

``DbtInfo`` is plain data read from dbt's manifest by ``dbt.dbt_info``; ``Warehouse`` adds the
parsed DDL and the table -> model naming, derived once per run, not once per table.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from . import escaping
from .catalog import MigrationProject, TableCatalog
from .convert.dialects import dialect_for_adapter
from .convert.relations import Relation, Resolver
from .ddl import DdlColumn, parse_procedures, parse_tables
from .layout import versions_model
from .names import model_names, normalize_name


@dataclass
class DbtInfo:
    """What the dbt project says: adapter, declared sources, models it already has."""

    adapter_type: str = "duckdb"
    declared_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    models: set[str] = field(default_factory=set)
    seeds: set[str] = field(default_factory=set)

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
        # context.check_input's answers: table key -> why a target reading it cannot be generated.
        self.input_problems: dict[str, str | None] = {}
        for model in self.dbt.models:
            self.targets.setdefault(model, model)
        # SCD2 targets read through their ``<model>_versions`` view (the legacy table's shape over
        # the snapshot): those the dbt project has, and this run's (``convert.plan_versions_views``).
        self.versions_reads: dict[str, str] = {
            key: versions_model(model)
            for key, model in self.targets.items()
            if key != model and versions_model(model) in self.dbt.models
        }

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
        for key, model in self.read_through_models.items():
            models[model] = key  # (``targets`` also lists every dbt model under its own name)
        for key, view in self.versions_reads.items():
            models[view] = key  # an SCD2 snapshot's view is the legacy table too
        return models

    def read_through_versions(self, key: str, view: str) -> None:
        """Dependents of SCD2 target ``key`` read its ``<model>_versions`` view (``view``)."""
        self.versions_reads[key] = view
        self.__dict__.pop("model_keys", None)  # derived from it

    @cached_property
    def read_through_models(self) -> dict[str, str]:
        """Tables the dbt project reads through a model of its own, normalized name -> model:
        seeds (``is_seed`` catalogs, ``ref('<seed>')``) and staging wrappers
        (``stg_<source>__<table>``, pure pass-through models of a source the team already has)."""
        planned = {key: model for key, (model, _) in self.planned_wrappers.items()}
        return {**staging_wrappers(self.dbt), **planned, **self.seeds}

    @cached_property
    def planned_wrappers(self) -> dict[str, tuple[str, Relation]]:
        """With ``--staging-wrappers``: the wrappers dbt-migrate creates for confirmed sources
        (``is_source``) the project does not wrap yet, normalized name -> (wrapper model, the source
        relation it passes through). Names that are not safe as model names get no wrapper."""
        if not os.environ.get(STAGING_WRAPPERS_ENV):
            return {}
        have = staging_wrappers(self.dbt)
        plain = Resolver(declared_sources=dict(self.dbt.declared_sources), written_names=self._written_names())
        planned: dict[str, tuple[str, Relation]] = {}
        for table in self.project.tables.values():
            if not table.is_source or table.key in have or table.seed_name:
                continue
            rel = plain.resolve(f"{table.schema_}.{table.name}")
            model = f"stg_{str(rel.source_name).lower()}__{str(rel.table_name).lower()}"
            try:  # the names the wrapper and its source declaration are written with
                escaping.check_relation_parts(rel.source_name, rel.table_name, model, field=f"wrapper of {rel.key}")
                for c in self.columns_of(rel.key) or []:
                    escaping.check_name(c, field=f"a column of {rel.key}")
            except escaping.UnsafeInputError:
                continue  # read as a plain source(); the unsafe name fails where it is used
            if WRAPPER.fullmatch(model):
                planned[table.key] = (model, rel)
        return planned

    @cached_property
    def seeds(self) -> dict[str, str]:
        """Seed tables (``is_seed``), normalized name -> seed name."""
        return {t.key: t.seed_name for t in self.project.tables.values() if t.seed_name}

    def resolver(self, target: str, incremental: bool) -> Resolver:
        return Resolver(
            targets=dict(self.targets),
            declared_sources=dict(self.dbt.declared_sources),
            written_names=self._written_names(),
            refs=dict(self.read_through_models),
            versions=dict(self.versions_reads),
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
        cols: dict[str, None] = {}  # ordered and deduplicated in linear time
        for proc in self.project.procedures.values():
            for ref in proc.references.tables.in_scope:
                if normalize_name(f"{ref.schema_}.{ref.name}") == key:
                    cols.update(dict.fromkeys(c.name for c in ref.columns))
        return list(cols) or None


WRAPPER = re.compile(r"stg_([a-z0-9_]+?)__([a-z0-9_]+)")
STAGING_WRAPPERS_ENV = "DBT_MIGRATE_STAGING_WRAPPERS"  # set by --staging-wrappers


def staging_wrappers(dbt: DbtInfo) -> dict[str, str]:
    """The dbt project's staging wrappers ``stg_<source>__<table>``: normalized legacy name (the
    declared source's schema.table, else ``<source>.<table>``) -> the wrapper model."""
    by_source = {(s.lower(), t.lower()): key for key, (s, t) in dbt.declared_sources.items()}
    wrappers: dict[str, str] = {}
    for model in sorted(dbt.models):
        m = WRAPPER.fullmatch(model)
        if m is not None:
            source, table = m.groups()
            wrappers[by_source.get((source, table), f"{source}.{table}")] = model
    return wrappers


def identity_columns(table: TableCatalog) -> set[str]:
    cols = {c.name.lower() for c in table.columns if c.is_identity}
    cols |= {a.column.lower() for a in table.auto_increment_columns}
    return cols


def produced_columns(table: TableCatalog) -> list[str]:
    """A migrated model produces the table's columns except warehouse-generated identity keys."""
    skip = identity_columns(table)
    return [c.name for c in table.columns if c.name.lower() not in skip]
