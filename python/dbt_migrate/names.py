"""Identifier rules: how catalog names compare and how models are named."""

from __future__ import annotations

from sqlglot import exp


def split_name(name: str, dialect: str = "tsql") -> tuple[str, str]:
    """``[bronze].[Product]`` / ``bronze.Product`` / ``"bronze"."Product"`` -> ("bronze", "Product")."""
    try:
        table = exp.to_table(name.strip(), dialect=dialect)
    except Exception:  # not parseable as a name: fall back to the raw text
        parts = name.strip().split(".")
        return (parts[-2] if len(parts) > 1 else "", parts[-1])
    return table.db, table.name


def normalize_name(name: str) -> str:
    """Case-insensitive key for comparing table names: ``schema.table`` lower-cased, no quoting."""
    schema, table = split_name(name)
    return f"{schema}.{table}".lower() if schema else table.lower()


def model_name_for(table: str) -> str:
    """A target ``silver.DimStore`` becomes the model ``dimstore`` (lower-case table name)."""
    return split_name(table)[1].lower()
