"""Contracts of the procedure catalog and the test spec (both generations of the format).

Split from ``catalog.py`` (which re-exports every name here): the table contracts and the loader
live there.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .names import TableId, normalize_name


class Loose(BaseModel):
    # Upstream tools add fields over time: keep what we do not use, validate what we do.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Named(Loose):
    """A catalog object (table, view, procedure): ``schema``/``name`` as written, and its key."""

    schema_: str = Field(alias="schema")
    name: str

    @property
    def id(self) -> TableId:
        return TableId(self.schema_, self.name)

    @property
    def key(self) -> str:
        return self.id.key


class Refactor(Loose):
    refactored_sql: str | None = None


# -- procedure catalog ----------------------------------------------------------------------
class ReferencedColumn(Loose):
    name: str


class ReferencedTable(Loose):
    schema_: str = Field(alias="schema")
    name: str
    is_selected: bool = False
    is_updated: bool = False
    columns: list[ReferencedColumn] = Field(default_factory=list)


class TableReferences(Loose):
    in_scope: list[ReferencedTable] = Field(default_factory=list)


class References(Loose):
    tables: TableReferences = Field(default_factory=TableReferences)
    views: TableReferences = Field(default_factory=TableReferences)

    @property
    def in_scope(self) -> list[ReferencedTable]:
        """Tables and views the code reads or writes (both count as sources)."""
        return [*self.tables.in_scope, *self.views.in_scope]


class Statement(Loose):
    type: str = ""
    action: Literal["migrate", "skip"] = "migrate"
    sql: str = ""
    source: str | None = None  # current format: ast / llm


class ProcedureCatalog(Named):
    references: References = Field(default_factory=References)
    statements: list[Statement] = Field(default_factory=list)
    refactor: Refactor | None = None
    mode: str | None = None
    needs_llm: bool = False
    routing_reasons: list[str] = Field(default_factory=list)
    table_slices: dict[str, str] | None = None  # multi-table writer: normalised target -> its SQL

    @model_validator(mode="after")
    def _llm_mode(self) -> ProcedureCatalog:
        if self.mode == "llm_required":
            self.needs_llm = True
        return self

    def slice_for(self, key: str) -> str | None:
        """The SQL of this writer's slice for target ``key`` (keys compared normalised)."""
        for name, sql in (self.table_slices or {}).items():
            if normalize_name(name) == key:
                return sql
        return None

    @property
    def migrate_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "migrate"]


# -- test spec ------------------------------------------------------------------------------
class GivenTable(Loose):
    table: str
    rows: list[dict[str, Any]] = Field(default_factory=list)


class Expectation(Loose):
    rows: list[dict[str, Any]]


class SpecUnitTest(Loose):
    name: str
    given: list[GivenTable] = Field(default_factory=list)
    expect: Expectation | None = None
    target_table: str | None = None
    procedure: str | None = None
    description: str | None = None


class TestSpec(Loose):
    item_id: str
    unit_tests: list[SpecUnitTest] = Field(default_factory=list)
    branch_manifest: list[dict[str, Any]] = Field(default_factory=list)
    uncovered_branches: list[Any] = Field(default_factory=list)
