"""The profile `migrate init --adapter A` writes: one target per adapter, credentials from the environment.

Every value that identifies or unlocks a warehouse is an ``env_var()`` call, never a literal: the
file can be committed. Secrets use dbt's ``DBT_ENV_SECRET_`` prefix, which dbt scrubs from its
logs and refuses outside profiles; the other settings are ``DBT_MIGRATE_<ADAPTER>_<SETTING>``,
with a default where one is harmless. The adapter's type decides the SQL dialect models are
written in (``convert.dialects.ADAPTER_DIALECTS``).
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import InputError


def _env(name: str, default: str | None = None, *, number: bool = False) -> str:
    call = f"env_var('{name}')" if default is None else f"env_var('{name}', '{default}')"
    return "{{ " + call + (" | as_number" if number else "") + " }}"


def _sql_server_family(adapter: str, prefix: str) -> dict[str, Any]:
    """SQL Server and Fabric: the ODBC driver, server and database from the environment."""
    return {
        "type": adapter,
        "driver": _env(f"{prefix}_DRIVER", "ODBC Driver 18 for SQL Server"),
        "server": _env(f"{prefix}_SERVER"),
        "port": _env(f"{prefix}_PORT", "1433", number=True),
        "database": _env(f"{prefix}_DATABASE"),
        "schema": _env(f"{prefix}_SCHEMA", "dbt_migrate"),
        "threads": 4,
    }


# adapter -> (its dbt target, the environment variables it reads)
TARGETS: dict[str, dict[str, Any]] = {
    "duckdb": {"type": "duckdb", "path": "warehouse.duckdb", "threads": 4},
    "postgres": {
        "type": "postgres",
        "host": _env("DBT_MIGRATE_PG_HOST", "localhost"),
        "port": _env("DBT_MIGRATE_PG_PORT", "5432", number=True),
        "user": _env("DBT_MIGRATE_PG_USER"),
        "password": _env("DBT_ENV_SECRET_PG_PASSWORD"),
        "dbname": _env("DBT_MIGRATE_PG_DBNAME"),
        "schema": _env("DBT_MIGRATE_PG_SCHEMA", "dbt_migrate"),
        "threads": 4,
    },
    "snowflake": {
        "type": "snowflake",
        "account": _env("DBT_MIGRATE_SNOWFLAKE_ACCOUNT"),
        "user": _env("DBT_MIGRATE_SNOWFLAKE_USER"),
        "password": _env("DBT_ENV_SECRET_SNOWFLAKE_PASSWORD"),
        "role": _env("DBT_MIGRATE_SNOWFLAKE_ROLE"),
        "warehouse": _env("DBT_MIGRATE_SNOWFLAKE_WAREHOUSE"),
        "database": _env("DBT_MIGRATE_SNOWFLAKE_DATABASE"),
        "schema": _env("DBT_MIGRATE_SNOWFLAKE_SCHEMA", "dbt_migrate"),
        "threads": 4,
    },
    "databricks": {
        "type": "databricks",
        "host": _env("DBT_MIGRATE_DATABRICKS_HOST"),
        "http_path": _env("DBT_MIGRATE_DATABRICKS_HTTP_PATH"),
        "token": _env("DBT_ENV_SECRET_DATABRICKS_TOKEN"),
        "catalog": _env("DBT_MIGRATE_DATABRICKS_CATALOG", "main"),
        "schema": _env("DBT_MIGRATE_DATABRICKS_SCHEMA", "dbt_migrate"),
        "threads": 4,
    },
    "fabric": {
        **_sql_server_family("fabric", "DBT_MIGRATE_FABRIC"),
        "authentication": "ServicePrincipal",
        "tenant_id": _env("DBT_MIGRATE_FABRIC_TENANT_ID"),
        "client_id": _env("DBT_MIGRATE_FABRIC_CLIENT_ID"),
        "client_secret": _env("DBT_ENV_SECRET_FABRIC_CLIENT_SECRET"),
    },
    "sqlserver": {
        **_sql_server_family("sqlserver", "DBT_MIGRATE_SQLSERVER"),
        "user": _env("DBT_MIGRATE_SQLSERVER_USER"),
        "password": _env("DBT_ENV_SECRET_SQLSERVER_PASSWORD"),
        "encrypt": True,
        "trust_cert": False,
    },
}
ADAPTERS = tuple(TARGETS)


def check_adapter(adapter: str) -> None:
    if adapter not in TARGETS:
        raise InputError(f"--adapter {adapter}: not one dbt-migrate can scaffold; choose one of {', '.join(ADAPTERS)}")


def profiles_yml(profile: str, adapter: str) -> str:
    """``profiles.yml`` text: profile ``profile`` with one target ``dev`` of ``adapter``."""
    check_adapter(adapter)
    return yaml.safe_dump(
        {profile: {"target": "dev", "outputs": {"dev": TARGETS[adapter]}}}, sort_keys=False, width=1000
    )


def environment_variables(adapter: str) -> list[str]:
    """The variables the adapter's target reads, in file order (for the message after init)."""
    import re

    text = yaml.safe_dump(TARGETS.get(adapter, {}), sort_keys=False, width=1000)
    return list(dict.fromkeys(re.findall(r"env_var\('([A-Z0-9_]+)'", text)))
