"""Identifier rules: how catalog names compare and how models are named."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp


# Pure functions of a string, called for every relation of every item: parsing a name with sqlglot
# costs ~0.1 ms, and a whole-warehouse batch compares the same few thousand names many times over.
@lru_cache(maxsize=65536)
def split_name(name: str, dialect: str = "tsql") -> tuple[str, str]:
    """``[bronze].[Product]`` / ``bronze.Product`` / ``"bronze"."Product"`` -> ("bronze", "Product")."""
    try:
        table = exp.to_table(name.strip(), dialect=dialect)
    except Exception:  # not parseable as a name: fall back to the raw text
        parts = name.strip().split(".")
        return (parts[-2] if len(parts) > 1 else "", parts[-1])
    return table.db, table.name


@dataclass(frozen=True)
class TableId:
    """A table's identity, parsed once where a name enters (the CLI, a catalog) and passed on as is:
    schema and name as written, and the case-insensitive ``key`` every lookup compares by."""

    schema: str
    name: str

    @classmethod
    def parse(cls, text: str) -> TableId:
        """``[bronze].[Product]`` / ``bronze.Product`` / ``"bronze"."Product"`` -> TableId."""
        return _parse_table_id(text)

    @property
    def key(self) -> str:
        return _key(self.schema, self.name)

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@lru_cache(maxsize=65536)
def _parse_table_id(text: str) -> TableId:
    return TableId(*split_name(text))


@lru_cache(maxsize=65536)
def _key(schema: str, name: str) -> str:
    return f"{schema}.{name}".lower() if schema else name.lower()


def normalize_name(name: str | TableId) -> str:
    """Case-insensitive key for comparing table names: ``schema.table`` lower-cased, no quoting."""
    return name.key if isinstance(name, TableId) else _parse_table_id(name).key


@lru_cache(maxsize=65536)
def model_name_for(table: str) -> str:
    """A target ``silver.DimStore`` becomes the model ``dimstore`` (lower-case table name; a space,
    as in SQL Server's ``[Stock Item]``, becomes ``_``: ``stock_item``)."""
    return split_name(table)[1].lower().replace(" ", "_")


def model_names(tables: Iterable[str]) -> dict[str, str]:
    """Normalized key -> model name for a set of target tables. A model is named after its table
    (``model_name_for``); tables of the same name in different schemas (``silver.Customer`` and
    ``gold.Customer``) would be one model, so each of those is ``<schema>_<table>`` instead."""
    keys = [normalize_name(t) for t in tables]
    by_name: dict[str, set[str]] = {}
    for key in keys:
        by_name.setdefault(model_name_for(key), set()).add(key)
    names = {}
    for key in keys:
        model = model_name_for(key)
        if len(by_name[model]) > 1:
            schema, _ = split_name(key)
            model = f"{schema}_{model}".lower() if schema else model
        names[key] = model
    return names
