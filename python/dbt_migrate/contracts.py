"""The context: the typed contract between the sidecar's stages and the package's macros.

``build_context`` (context.py) makes one per target table; conversion, the equivalence check, the
LLM prompt and the pipeline read it by attribute; ``macro_payload()`` is exactly what the
rendering macros receive and ``model_dump()`` what ``migrate context`` prints
(docs/render-contract.md). Optional parts of a schema test or a unit test are left out of the JSON
when unset, as the macros expect.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from .catalog import Statement


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class _Sparse(_Contract):
    """Serialises without the fields that are unset (``None``): the macros test for presence."""

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class Materialization(_Contract):
    classification: str
    materialized: str
    unique_key: list[str] | None = None
    watermark: str | None = None
    # Set when the procedure's shape decides the strategy (a slice reload: ``delete+insert``).
    incremental_strategy: str | None = None


class ContextColumn(_Contract):
    name: str
    sql_type: str | None = None
    data_type: str | None = None
    is_nullable: bool | None = None
    is_identity: bool = False


class SourceTable(_Contract):
    """A table the legacy code reads and the dbt relation it becomes."""

    relation: str  # schema.table as the procedure catalog writes it
    kind: Literal["source", "ref", "this"]
    jinja: str  # ``{{ source('bronze', 'Store') }}``, for review; code uses the fields below
    columns: list[str] = Field(default_factory=list)
    source_name: str | None = None
    table_name: str | None = None
    model_name: str | None = None


class SchemaTest(_Sparse):
    kind: Literal["entity_integrity", "referential_integrity", "pii"]
    column: str | None = None
    columns: list[str] | None = None
    test: str | None = None
    to: str | None = None
    field: str | None = None
    action: str | None = None


class GivenInput(_Contract):
    input: str  # the relation call the model reads: ``source('bronze', 'Store')`` / ``ref('x')``
    rows: list[dict[str, Any]]


class Expectation(_Contract):
    rows: list[dict[str, Any]]


class UnitTest(_Sparse):
    name: str
    origin: Literal["test_spec", "gap"] = "test_spec"
    given: list[GivenInput]
    expect: Expectation
    description: str | None = None
    overrides: dict[str, Any] | None = None


# The fields the rendering macros read; the rest is for review (docs/render-contract.md).
MACRO_FIELDS = (
    "table",
    "model_name",
    "description",
    "writer",
    "tags",
    "materialization",
    "columns",
    "schema_tests",
    "unit_tests",
)


class Context(_Contract):
    table: str
    model_name: str
    description: str
    writer: str
    tags: list[str]
    profile: dict[str, Any]
    materialization: Materialization
    statements: list[Statement]
    proc_body: str = ""
    columns: list[ContextColumn]
    source_tables: list[SourceTable]
    schema_tests: list[SchemaTest]
    unit_tests: list[UnitTest]
    refactored_sql: str | None = None
    # Why upstream's refactored SQL was set aside for the statements (refactor_check), if it was.
    refactor_defect: str | None = None
    needs_llm: bool = False
    routing_reasons: list[str] = Field(default_factory=list)
    target_dialect: str
    source_dialect: str
    warnings: list[str] = Field(default_factory=list)

    @property
    def incremental(self) -> bool:
        return self.materialization.materialized == "incremental"

    @property
    def migrate_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "migrate"]

    def macro_payload(self) -> dict[str, Any]:
        """What the rendering macros read. Warehouse-generated identity keys are not model columns
        (``warehouse.produced_columns``)."""
        out = self.model_dump(mode="json", include=set(MACRO_FIELDS))
        out["columns"] = [c for c in out["columns"] if not c.get("is_identity")]
        return out
