"""Resolving physical tables to dbt relations: ``ref()`` for migrated targets, ``source()`` else."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..names import normalize_name, split_name


@dataclass(frozen=True)
class Relation:
    key: str  # normalized schema.table of the legacy table
    kind: str  # "source" | "ref" | "this"
    source_name: str | None = None
    table_name: str | None = None
    model_name: str | None = None

    @property
    def jinja_call(self) -> str:
        """The call without braces: ``source('bronze', 'Store')`` / ``ref('dimstore')`` / ``this``."""
        if self.kind == "ref":
            return f"ref('{self.model_name}')"
        if self.kind == "this":
            return "this"
        return f"source('{self.source_name}', '{self.table_name}')"

    @property
    def jinja(self) -> str:
        return "{{ " + self.jinja_call + " }}"

    @property
    def short_name(self) -> str:
        """Name for the import CTE that reads this relation."""
        if self.kind == "ref":
            return str(self.model_name)
        return split_name(self.key)[1].lower()


@dataclass
class Resolver:
    """Maps legacy table names to relations.

    ``targets``: normalized target name -> model name (tables with a profile, and models already
    in the dbt project). ``declared_sources``: normalized ``schema.table`` -> (source, table) as the
    dbt project declares them; matched case-insensitively and used as they are.
    """

    targets: dict[str, str] = field(default_factory=dict)
    declared_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    written_names: dict[str, str] = field(default_factory=dict)  # normalized -> name as the catalogs write it
    # Tables read through a model that is not a migrated target: seeds (``ref('<seed>')``) and
    # the team's staging wrappers (``ref('stg_bronze__product')``), normalized name -> model.
    refs: dict[str, str] = field(default_factory=dict)
    # SCD2 targets whose dependents read the ``<model>_versions`` view over the snapshot.
    versions: dict[str, str] = field(default_factory=dict)
    current: str | None = None  # the target being generated
    incremental: bool = False

    def resolve(self, name: str) -> Relation:
        key = normalize_name(name)
        if key == self.current:
            if self.incremental:
                return Relation(key=key, kind="this")
            # A full-refresh model reading its own target: the legacy code saw the old contents.
            return Relation(key=key, kind="ref", model_name=self.targets.get(key, split_name(name)[1].lower()))
        if key in self.versions:
            return Relation(key=key, kind="ref", model_name=self.versions[key])
        if key in self.targets:
            return Relation(key=key, kind="ref", model_name=self.targets[key])
        if key in self.refs:
            return Relation(key=key, kind="ref", model_name=self.refs[key])
        if key in self.declared_sources:
            src, tbl = self.declared_sources[key]
            return Relation(key=key, kind="source", source_name=src, table_name=tbl)
        schema, table = split_name(name)
        written = self.written_names.get(key)
        if written:
            table = split_name(written)[1]
        return Relation(key=key, kind="source", source_name=(schema or "dbo").lower(), table_name=table)
