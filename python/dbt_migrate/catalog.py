"""Typed contracts and loaders for the migration project (manifest, catalogs, test specs, DDL).

Every variant FORMATS.md lists is accepted and normalized here (string vs list, object vs list,
refactor section on the table or the procedure); anything else is rejected with the file and the
field named, as an ``InputError``. A bad manifest stops everything (exit 2); a bad catalog or test
spec, or two files for one table, is kept as that table's rejection: only the tables that need the
file fail (``MigrationProject.table`` / ``procedure`` / ``test_spec`` raise it), the others proceed.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator, model_validator
from sqlglot.dialects.dialect import Dialect, Dialects

from . import catalog_aliases as aliases

# re-exported: callers import every contract from here
from .catalog_procedure import (
    Expectation as Expectation,
)
from .catalog_procedure import (
    GivenTable as GivenTable,
)
from .catalog_procedure import Loose as _Loose
from .catalog_procedure import Named
from .catalog_procedure import (
    ProcedureCatalog as ProcedureCatalog,
)
from .catalog_procedure import (
    Refactor as Refactor,
)
from .catalog_procedure import (
    ReferencedColumn as ReferencedColumn,
)
from .catalog_procedure import (
    ReferencedTable as ReferencedTable,
)
from .catalog_procedure import (
    References as References,
)
from .catalog_procedure import (
    SpecUnitTest as SpecUnitTest,
)
from .catalog_procedure import (
    Statement as Statement,
)
from .catalog_procedure import (
    TableReferences as TableReferences,
)
from .catalog_procedure import (
    TestSpec as TestSpec,
)
from .catalog_profile import (
    READABLE_KINDS as READABLE_KINDS,
)
from .catalog_profile import (  # re-exported
    Classification as Classification,
)
from .catalog_profile import (
    PiiAction as PiiAction,
)
from .catalog_profile import (
    Profile as Profile,
)
from .catalog_profile import (
    ProfileForeignKey as ProfileForeignKey,
)
from .catalog_profile import (
    ProfileKey as ProfileKey,
)
from .errors import InputError
from .jsonfile import read_json
from .names import TableId, normalize_name
from .rules import CLASSIFICATIONS as CLASSIFICATIONS  # re-exported: the kinds generation knows

# -- manifest -------------------------------------------------------------------------------
KNOWN_DIALECTS = tuple(sorted(d.value for d in Dialects if d.value))


class Manifest(_Loose):
    dialect: str
    technology: str | None = None

    @field_validator("dialect")
    @classmethod
    def _known_dialect(cls, v: str) -> str:
        name = v.strip().lower()
        if name not in KNOWN_DIALECTS or Dialect.get(name) is None:
            raise ValueError(f"unknown dialect '{v}'; known dialects: {', '.join(KNOWN_DIALECTS)}")
        return name


# -- table catalog --------------------------------------------------------------------------
class Column(_Loose):
    name: str
    sql_type: str | None = None  # the source-dialect type (``source_sql_type`` in the current format)
    target_sql_type: str | None = None  # the current format's target type, when given
    is_nullable: bool = True
    is_identity: bool = False

    _aliases = model_validator(mode="before")(staticmethod(aliases.column))


class PrimaryKey(_Loose):
    constraint_name: str | None = None
    columns: list[str]


class DeclaredForeignKey(_Loose):
    columns: list[str] = Field(default_factory=list)
    referenced_schema: str | None = None
    referenced_table: str | None = None
    referenced_columns: list[str] = Field(default_factory=list)

    _aliases = model_validator(mode="before")(staticmethod(aliases.declared_foreign_key))


class AutoIncrement(_Loose):
    column: str
    mechanism: str | None = None


class Scoping(_Loose):
    status: str | None = None
    selected_writer: str | None = None


class TableCatalog(Named):
    """A table (``catalog/tables/``) or a view (``catalog/views/``, ``object_type`` ``view``).

    A field whose value cannot be read is left at its default and remembered: ``need`` raises it
    (``InputError`` naming the file and the field) for the tables that read that field, so a bad
    field fails only what needs it."""

    columns: list[Column] = Field(default_factory=list)
    primary_keys: list[PrimaryKey] = Field(default_factory=list)
    foreign_keys: list[DeclaredForeignKey] = Field(default_factory=list)
    auto_increment_columns: list[AutoIncrement] = Field(default_factory=list)
    scoping: Scoping | None = None
    profile: Profile | None = None
    refactor: Refactor | None = None
    is_source: bool = False
    is_seed: bool = False
    object_type: Literal["table", "view"] = "table"
    view_sql: str | None = None
    references: References | None = None  # a view's inputs (tables' come from their writer)
    is_materialized_view: bool = False
    _problems: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("primary_keys", mode="before")
    @classmethod
    def _primary_keys(cls, v: Any) -> Any:
        return aliases.primary_keys(v)

    @field_validator("foreign_keys", "auto_increment_columns", mode="before")
    @classmethod
    def _objects(cls, v: Any) -> Any:
        return aliases.objects_only(v)

    def need(self, *fields: str) -> None:
        """Raise the first problem of these fields (``InputError`` naming file and field)."""
        for f in fields:
            if f in self._problems:
                raise InputError(self._problems[f])

    @property
    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    @property
    def is_view(self) -> bool:
        return self.object_type == "view"

    @property
    def is_target(self) -> bool:
        profiled = self.profile is not None or "profile" in self._problems
        kind = self.profile.classification.resolved_kind if self.profile else None
        return profiled and not self.is_source and not self.is_seed and kind != "seed"

    @property
    def seed_name(self) -> str | None:
        """The dbt seed a seed table is (``ref('<lowercased table>')``), None for other tables."""
        seed = self.is_seed or (self.profile is not None and self.profile.classification.resolved_kind == "seed")
        return self.name.lower() if seed else None


# -- loading --------------------------------------------------------------------------------
def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to validate") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(f"{path}: field '{field}': {first['msg']}{more}") from exc


def load_file(model: type[BaseModel], path: Path) -> Any:
    return _validate(model, read_json(path), path)


REQUIRED_TABLE_FIELDS = ("schema", "name")


def load_table(path: Path, as_view: bool = False) -> TableCatalog:
    """A table (or view) catalog, tolerant field by field: a field whose value cannot be read is
    dropped and kept as a problem of that field (``TableCatalog.need``); only an unreadable file,
    or a ``schema``/``name`` that is not a string, rejects the whole file."""
    data = read_json(path)
    if as_view:
        data = aliases.view_as_table(data)
    if not isinstance(data, dict):
        return _validate(TableCatalog, data, path)
    data = dict(data)
    problems: dict[str, str] = {}
    for _ in range(len(data) + 1):
        try:
            table = TableCatalog.model_validate(data)
        except RecursionError:
            raise InputError(f"{path}: nested too deeply to validate") from None
        except ValidationError as exc:
            fields = {str(e["loc"][0]): e for e in exc.errors() if e["loc"]}
            if not fields or any(f in REQUIRED_TABLE_FIELDS or f not in data for f in fields):
                return _validate(TableCatalog, data, path)  # raises, naming the field
            for top, err in fields.items():
                where = ".".join(str(p) for p in err["loc"])
                problems[top] = f"{path}: field '{where}': {err['msg']}"
                data.pop(top)
            continue
        table._problems = problems
        return table
    return _validate(TableCatalog, data, path)


class Folder:
    """One folder of catalogs or test specs: what was read, by key, and what was rejected, by key."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        self.rejected: dict[str, str] = {}


def _key_of_unreadable(path: Path) -> str:
    """The table a rejected file is about: its ``schema``/``name`` (``item_id`` for a test spec)
    when those can still be read, else its file name (``<schema>.<name>.json``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: None)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        if isinstance(data.get("schema"), str) and isinstance(data.get("name"), str):
            return TableId(data["schema"], data["name"]).key
        if isinstance(data.get("item_id"), str) and data["item_id"].strip():
            return normalize_name(data["item_id"])
    return normalize_name(path.name.removesuffix(".json"))


class MigrationProject:
    """The files under a migration project root, loaded lazily and validated on first use."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @cached_property
    def manifest(self) -> Manifest:
        path = self.root / "manifest.json"
        if not path.is_file():
            raise InputError(
                f"{path}: missing. Every migration project needs a manifest.json naming the source "
                'dialect, e.g. {"technology": "sql_server", "dialect": "tsql"}'
            )
        return load_file(Manifest, path)

    def require_manifest(self) -> Manifest:
        """Read manifest.json now: a missing or invalid one fails before any work (exit 2)."""
        return self.manifest

    def _load_dir(self, sub: str | tuple[str, ...], model: type[BaseModel]) -> Folder:
        loaded = Folder()
        paths = [p for s in ((sub,) if isinstance(sub, str) else sub) for p in self._json_files(s)]
        files: dict[str, list[Path]] = {}
        for path in paths:
            try:
                if model is TableCatalog:
                    item: Any = load_table(path, as_view=path.parent.name == "views")
                else:
                    item = load_file(model, path)
            except InputError as exc:
                key = _key_of_unreadable(path)
                loaded.rejected[key] = str(exc)
                files.setdefault(key, []).append(path)
                continue
            key = item.key if hasattr(item, "key") else normalize_name(item.item_id)
            loaded.items[key] = item
            files.setdefault(key, []).append(path)
        for key, paths in files.items():
            if len(paths) > 1:
                loaded.items.pop(key, None)
                names = " and ".join(str(p) for p in paths)
                loaded.rejected[key] = f"{names}: {len(paths)} files describe {key}; keep one of them"
            elif key in loaded.rejected:
                loaded.items.pop(key, None)
        return loaded

    def _json_files(self, sub: str) -> list[Path]:
        folder = self.root / sub
        return sorted(folder.glob("*.json")) if folder.is_dir() else []

    @cached_property
    def _tables(self) -> Folder:
        # Views are targets too (FORMATS-current.md): one namespace of schema.name with tables.
        return self._load_dir(("catalog/tables", "catalog/views"), TableCatalog)

    @cached_property
    def _procedures(self) -> Folder:
        return self._load_dir("catalog/procedures", ProcedureCatalog)

    @cached_property
    def _test_specs(self) -> Folder:
        return self._load_dir("test-specs", TestSpec)

    @property
    def tables(self) -> dict[str, TableCatalog]:
        """Table catalogs that were read (a rejected one is in ``rejected_tables``)."""
        return self._tables.items

    @property
    def procedures(self) -> dict[str, ProcedureCatalog]:
        return self._procedures.items

    @property
    def test_specs(self) -> dict[str, TestSpec]:
        return self._test_specs.items

    @property
    def rejected_tables(self) -> dict[str, str]:
        """Table key -> why its catalog was rejected (unreadable, invalid, or two files for it)."""
        return self._tables.rejected

    def table(self, name: str | TableId) -> TableCatalog:
        key = normalize_name(name)
        if key in self._tables.rejected:
            raise InputError(self._tables.rejected[key])
        if key not in self.tables:
            expected = self.root / "catalog" / "tables" / f"{key}.json"
            raise InputError(f"no table catalog for '{name}': expected {expected}")
        return self.tables[key]

    def knows_table(self, name: str | TableId) -> bool:
        """A catalog file exists for the table (read or rejected)."""
        key = normalize_name(name)
        return key in self.tables or key in self._tables.rejected

    def procedure(self, name: str) -> ProcedureCatalog | None:
        key = normalize_name(name)
        if key in self._procedures.rejected:
            raise InputError(self._procedures.rejected[key])
        return self.procedures.get(key)

    def test_spec(self, name: str) -> TestSpec | None:
        key = normalize_name(name)
        if key in self._test_specs.rejected:
            raise InputError(self._test_specs.rejected[key])
        return self.test_specs.get(key)

    @property
    def targets(self) -> list[TableCatalog]:
        return [t for t in self.tables.values() if t.is_target]

    def target_ids(self) -> list[TableId]:
        """What ``run --all`` migrates: every target, and every table whose catalog was rejected
        (it fails with the reason, instead of silently disappearing from the run)."""
        ids = [t.id for t in self.targets]
        return ids + [TableId.parse(key) for key in self._tables.rejected]

    def ddl_text(self, name: str) -> str:
        path = self.root / "ddl" / name
        if not path.is_file():
            return ""
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
