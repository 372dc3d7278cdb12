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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlglot.dialects.dialect import Dialect, Dialects

from .errors import InputError
from .jsonfile import read_json
from .names import TableId, normalize_name
from .rules import CLASSIFICATIONS


class _Loose(BaseModel):
    # Upstream tools add fields over time: keep what we do not use, validate what we do.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


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
    sql_type: str | None = None
    is_nullable: bool = True
    is_identity: bool = False


class PrimaryKey(_Loose):
    constraint_name: str | None = None
    columns: list[str]


class DeclaredForeignKey(_Loose):
    column: str | None = None
    references_schema: str | None = None
    references_table: str | None = None
    references_column: str | None = None


class AutoIncrement(_Loose):
    column: str
    mechanism: str | None = None


class Scoping(_Loose):
    status: str | None = None
    selected_writer: str | None = None


class Classification(_Loose):
    resolved_kind: str

    @field_validator("resolved_kind")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in CLASSIFICATIONS:
            raise ValueError(f"unknown classification '{v}'; known: {', '.join(CLASSIFICATIONS)}")
        return v


class ProfileKey(_Loose):
    columns: list[str] = Field(default_factory=list)
    primary_key_type: Literal["surrogate", "natural", "composite"] | None = None


class ProfileForeignKey(_Loose):
    column: str
    references_source_relation: str
    references_column: str


class PiiAction(_Loose):
    column: str
    suggested_action: Literal["mask", "drop", "tokenize", "keep"]


class Profile(_Loose):
    classification: Classification
    primary_key: ProfileKey | None = None
    natural_key: list[str] = Field(default_factory=list)
    watermark: list[str] = Field(default_factory=list)
    foreign_keys: list[ProfileForeignKey] = Field(default_factory=list)
    pii_actions: list[PiiAction] = Field(default_factory=list)

    @field_validator("natural_key", mode="before")
    @classmethod
    def _natural_key(cls, v: Any) -> Any:
        # A list of columns, or an object with columns[].
        if v is None:
            return []
        if isinstance(v, dict):
            if "columns" not in v:
                raise ValueError("an object natural_key needs 'columns'")
            return v["columns"]
        if isinstance(v, str):
            return [v]
        return v

    @field_validator("watermark", mode="before")
    @classmethod
    def _watermark(cls, v: Any) -> Any:
        # {column: str} or {columns: [...]} (optional strategy); a bare string is the column.
        if v is None:
            return []
        if isinstance(v, str):
            return [v]
        if isinstance(v, dict):
            if isinstance(v.get("column"), str):
                return [v["column"]]
            if isinstance(v.get("columns"), list):
                return v["columns"]
            raise ValueError("watermark needs 'column' (string) or 'columns' (list)")
        raise ValueError("watermark must be an object with 'column' or 'columns'")


class Refactor(_Loose):
    refactored_sql: str | None = None


class TableCatalog(_Loose):
    schema_: str = Field(alias="schema")
    name: str
    columns: list[Column] = Field(default_factory=list)
    primary_keys: list[PrimaryKey] = Field(default_factory=list)
    foreign_keys: list[DeclaredForeignKey] = Field(default_factory=list)
    auto_increment_columns: list[AutoIncrement] = Field(default_factory=list)
    scoping: Scoping | None = None
    profile: Profile | None = None
    refactor: Refactor | None = None
    is_source: bool = False

    @property
    def id(self) -> TableId:
        return TableId(self.schema_, self.name)

    @property
    def key(self) -> str:
        return self.id.key

    @property
    def is_target(self) -> bool:
        return self.profile is not None and not self.is_source


# -- procedure catalog ----------------------------------------------------------------------
class ReferencedColumn(_Loose):
    name: str


class ReferencedTable(_Loose):
    schema_: str = Field(alias="schema")
    name: str
    is_selected: bool = False
    is_updated: bool = False
    columns: list[ReferencedColumn] = Field(default_factory=list)


class TableReferences(_Loose):
    in_scope: list[ReferencedTable] = Field(default_factory=list)


class References(_Loose):
    tables: TableReferences = Field(default_factory=TableReferences)


class Statement(_Loose):
    type: str
    action: Literal["migrate", "skip"] = "migrate"
    sql: str = ""


class ProcedureCatalog(_Loose):
    schema_: str = Field(alias="schema")
    name: str
    references: References = Field(default_factory=References)
    statements: list[Statement] = Field(default_factory=list)
    refactor: Refactor | None = None
    mode: str | None = None
    needs_llm: bool = False
    routing_reasons: list[str] = Field(default_factory=list)

    @property
    def id(self) -> TableId:
        return TableId(self.schema_, self.name)

    @property
    def key(self) -> str:
        return self.id.key

    @property
    def migrate_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "migrate"]


# -- test spec ------------------------------------------------------------------------------
class GivenTable(_Loose):
    table: str
    rows: list[dict[str, Any]] = Field(default_factory=list)


class Expectation(_Loose):
    rows: list[dict[str, Any]]


class SpecUnitTest(_Loose):
    name: str
    given: list[GivenTable] = Field(default_factory=list)
    expect: Expectation | None = None
    target_table: str | None = None
    procedure: str | None = None
    description: str | None = None


class TestSpec(_Loose):
    item_id: str
    unit_tests: list[SpecUnitTest] = Field(default_factory=list)
    branch_manifest: list[dict[str, Any]] = Field(default_factory=list)
    uncovered_branches: list[Any] = Field(default_factory=list)


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

    def _load_dir(self, sub: str, model: type[BaseModel]) -> Folder:
        folder = self.root / sub
        loaded = Folder()
        if not folder.is_dir():
            return loaded
        files: dict[str, list[Path]] = {}
        for path in sorted(folder.glob("*.json")):
            try:
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

    @cached_property
    def _tables(self) -> Folder:
        return self._load_dir("catalog/tables", TableCatalog)

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
