"""The reconcile plan (``reconcile.yml``): rounds of source rows and legacy exports, rules per table.

Only the file's shape is checked here (pydantic, pure): whether its files, tables and columns exist
is ``validate.py``'s concern, which runs before anything is loaded. docs/reconcile.md documents
every field with a complete example.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .. import yamlio
from ..errors import InputError

ReportType = Literal["schema", "row", "data", "aggregate"]
REPORT_TYPES: tuple[ReportType, ...] = ("schema", "row", "data", "aggregate")
DEFAULT_REPORTS: list[ReportType] = ["schema", "row"]

_CAST_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$")
_SIMPLE_OPS = ("trim", "lower", "upper")


def check_transform_op(op: str) -> str:
    """``trim`` / ``lower`` / ``upper`` / ``cast:<type>`` / ``date:<strftime fmt>``, else ValueError."""
    if op in _SIMPLE_OPS:
        return op
    kind, sep, arg = op.partition(":")
    if sep and kind == "cast" and _CAST_TYPE.match(arg.strip()):
        return f"cast:{arg.strip()}"
    if sep and kind == "date" and arg and "'" not in arg:
        return op
    raise ValueError(
        f"unknown transform {op!r}: use trim, lower, upper, 'cast:<type>' (e.g. cast:decimal(12,2)) "
        "or 'date:<strftime format>' (e.g. date:%Y-%m-%d)"
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Transform(_Strict):
    """Operations applied to a column's values before comparing, per side (in the order listed)."""

    legacy: dict[str, list[str]] = Field(default_factory=dict)
    model: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("legacy", "model")
    @classmethod
    def _ops(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out = {}
        for column, ops in value.items():
            try:
                out[column] = [check_transform_op(op) for op in ops]
            except ValueError as exc:
                raise ValueError(f"{column}: {exc}") from None
        return out


class ColumnThreshold(_Strict):
    count: int | None = Field(default=None, ge=0)
    pct: float | None = Field(default=None, ge=0, le=100)


class Thresholds(_Strict):
    """Differences tolerated: a report within them is a pass (``passed_by_threshold``)."""

    rows: int | None = Field(default=None, ge=0)
    rows_pct: float | None = Field(default=None, ge=0, le=100)
    columns: dict[str, ColumnThreshold] = Field(default_factory=dict)


class Aggregate(_Strict):
    group_by: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=list)


class Scd2(_Strict):
    business_key: list[str] = Field(min_length=1)
    valid_from: str
    valid_to: str
    current_flag: str | None = None


class TableRules(_Strict):
    model: str | None = None
    reports: list[ReportType] | None = None  # None: the plan's defaults
    key: list[str] = Field(default_factory=list)
    exclude_columns: list[str] | None = None  # None: the plan's defaults
    column_map: dict[str, str] = Field(default_factory=dict)  # legacy column -> model column
    transform: Transform = Field(default_factory=Transform)
    ignore_case: bool | list[str] = False
    ignore_whitespace: bool | list[str] = False
    tolerance: dict[str, float] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    aggregate: Aggregate | None = None
    scd2: Scd2 | None = None

    @field_validator("tolerance")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for column, tol in value.items():
            if tol < 0:
                raise ValueError(f"tolerance of {column} must be >= 0, got {tol}")
        return value


class Defaults(_Strict):
    reports: list[ReportType] = Field(default_factory=lambda: list(DEFAULT_REPORTS))
    exclude_columns: list[str] = Field(default_factory=list)


class DataRef(_Strict):
    """A file (csv/parquet, relative to the plan) or a relation already in the warehouse."""

    path: str | None = None
    relation: str | None = None
    mode: Literal["replace", "append"] = "replace"

    @model_validator(mode="after")
    def _one_of(self) -> DataRef:
        if (self.path is None) == (self.relation is None):
            raise ValueError("give exactly one of 'path' or 'relation'")
        if self.path is not None and Path(self.path).suffix.lower() not in (".csv", ".parquet"):
            raise ValueError(f"{self.path}: only .csv and .parquet files are read")
        return self

    @property
    def is_file(self) -> bool:
        return self.path is not None


def _as_ref(value: Any) -> Any:
    return {"path": value} if isinstance(value, str) else value


class Round(_Strict):
    name: str
    sources: dict[str, DataRef] = Field(default_factory=dict)
    legacy: dict[str, DataRef] = Field(default_factory=dict)

    @field_validator("sources", "legacy", mode="before")
    @classmethod
    def _refs(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _as_ref(v) for k, v in value.items()}
        return value


class Plan(_Strict):
    version: Literal[1] = 1
    defaults: Defaults = Field(default_factory=Defaults)
    tables: dict[str, TableRules] = Field(min_length=1)
    rounds: list[Round] = Field(min_length=1)

    @field_validator("tables", mode="before")
    @classmethod
    def _empty_rules(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    def reports_for(self, table: str) -> list[ReportType]:
        rules = self.tables[table]
        return list(rules.reports if rules.reports is not None else self.defaults.reports)

    def excluded_for(self, table: str) -> list[str]:
        rules = self.tables[table]
        return list(rules.exclude_columns if rules.exclude_columns is not None else self.defaults.exclude_columns)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_plan(doc: Any, source: str = "reconcile.yml") -> Plan:
    """The plan from a parsed YAML document; InputError naming the entry that is wrong."""
    if not isinstance(doc, dict):
        raise InputError(f"{source}: expected a mapping with 'tables' and 'rounds'")
    try:
        return Plan.model_validate(doc)
    except ValidationError as exc:
        lines = [
            f"{source}: {_location(err['loc'])}: {err['msg'].removeprefix('Value error, ')}" for err in exc.errors()
        ]
        raise InputError("invalid reconcile plan:\n  " + "\n  ".join(lines)) from None


def read_plan(path: Path) -> Plan:
    """Read and parse ``reconcile.yml``: InputError when it is missing, not YAML or not a plan."""
    if not path.is_file():
        raise InputError(f"no reconcile plan at {path} (write one: see docs/reconcile.md, or pass --plan)")
    try:
        doc = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the reconcile plan: {exc}") from None
    return parse_plan(doc, str(path))
