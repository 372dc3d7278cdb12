"""Contracts of a table's ``profile`` section, both generations of the format (aliases in
``catalog_aliases``). Split from ``catalog.py``, which re-exports every name here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from . import catalog_aliases as aliases
from .catalog_procedure import Loose as _Loose
from .rules import CLASSIFICATIONS

READABLE_KINDS = (*CLASSIFICATIONS, "seed", *aliases.LEGACY_KINDS)


class Classification(_Loose):
    resolved_kind: str

    @field_validator("resolved_kind")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in READABLE_KINDS:
            raise ValueError(f"unknown classification '{v}'; known: {', '.join(READABLE_KINDS)}")
        return v


class ProfileKey(_Loose):
    columns: list[str] = Field(default_factory=list)
    primary_key_type: Literal["surrogate", "natural", "composite", "unknown", "none"] | None = None


class ProfileForeignKey(_Loose):
    column: str
    references_source_relation: str | None = None  # the current format allows it absent
    references_column: str | None = None

    _aliases = model_validator(mode="before")(staticmethod(aliases.profile_foreign_key))


class PiiAction(_Loose):
    column: str
    suggested_action: Literal["mask", "drop", "tokenize", "keep"]

    _aliases = model_validator(mode="before")(staticmethod(aliases.pii_action))


class Profile(_Loose):
    classification: Classification
    primary_key: ProfileKey | None = None
    natural_key: list[str] = Field(default_factory=list)
    watermark: list[str] = Field(default_factory=list)
    foreign_keys: list[ProfileForeignKey] = Field(default_factory=list)
    pii_actions: list[PiiAction] = Field(default_factory=list)

    @field_validator("classification", mode="before")
    @classmethod
    def _classification(cls, v: Any) -> Any:
        return aliases.classification(v)

    @field_validator("primary_key", mode="before")
    @classmethod
    def _primary_key(cls, v: Any) -> Any:
        return aliases.profile_key(v)

    @model_validator(mode="after")
    def _legacy_kind(self) -> Profile:
        # The older vocabulary's fact kinds: an append fact with a watermark, a full reload without.
        if self.classification.resolved_kind in aliases.LEGACY_KINDS:
            self.classification.resolved_kind = "fact_transaction" if self.watermark else "fact_periodic_snapshot"
        return self

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
