"""Dialects as data: which sqlglot dialect writes SQL for which dbt adapter."""

from __future__ import annotations

# dbt adapter type -> sqlglot dialect
ADAPTER_DIALECTS = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "redshift": "redshift",
    "snowflake": "snowflake",
    "databricks": "databricks",
    "spark": "spark",
    "bigquery": "bigquery",
    "fabric": "tsql",
    "sqlserver": "tsql",
    "synapse": "tsql",
    "trino": "trino",
}

SUPPORTED_OUTPUT_DIALECTS = ("duckdb", "postgres", "snowflake", "databricks", "spark", "tsql")


def dialect_for_adapter(adapter_type: str) -> str:
    try:
        return ADAPTER_DIALECTS[adapter_type.lower()]
    except KeyError:
        known = ", ".join(sorted(ADAPTER_DIALECTS))
        raise ValueError(f"unsupported dbt adapter '{adapter_type}'; supported: {known}") from None
