"""Identifier rules: how catalog names compare and how models are named."""

from __future__ import annotations

from collections.abc import Iterable
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


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Case-insensitive key for comparing table names: ``schema.table`` lower-cased, no quoting."""
    schema, table = split_name(name)
    return f"{schema}.{table}".lower() if schema else table.lower()


@lru_cache(maxsize=65536)
def model_name_for(table: str) -> str:
    """A target ``silver.DimStore`` becomes the model ``dimstore`` (lower-case table name)."""
    return split_name(table)[1].lower()


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
