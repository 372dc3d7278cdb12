"""A table's migration context stored in the dbt project, for dbt-only generation.

``dbt run-operation dbt_migrate.generate_model --args '{table: silver.DimStore}'`` needs nothing but
dbt: it reads what this module writes, one analysis per table,
``analyses/dbt_migrate/dbt_migrate_context__<model>.sql`` (a one-line ``select``) and its properties
``_dbt_migrate_context__<model>.yml``, whose ``config.meta.dbt_migrate_context`` is one JSON
document ``{schema_version, table, model_name, context, sql}``: the render context and the converted
SQL exactly as the sidecar hands them to ``generate_models``.

dbt renders every ``meta`` string of a properties file as Jinja when it parses the project, and the
document holds input text (and the model body's own ``{{ source(...) }}``). The whole JSON text
therefore goes through ``escaping.escape``: dbt's rendering gives the document back exactly, and
nothing in it can open a tag. The JSON is written ASCII-only, so no control or format character
reaches the file either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from . import escaping, layout, yamlio

SCHEMA_VERSION = 1
META_KEY = "dbt_migrate_context"
TAG = "dbt_migrate_context"
_SQL = (
    "-- Holds the stored migration context of one table in its properties file (meta.dbt_migrate_context),\n"
    "-- read by `dbt run-operation dbt_migrate.generate_model --args '{table: <schema.table>}'`.\n"
    "-- Written by dbt-migrate (`migrate export`, `run`, `generate`); re-export instead of editing.\n"
    "select 1 as dbt_migrate_context\n"
)
_DESCRIPTION = "Stored migration context read by dbt_migrate.generate_model (written by dbt-migrate)."


class _Literal(str):
    """A string PyYAML writes as a ``|`` block."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))


def document(table: str, model_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The stored document: ``payload`` is ``{"context": ..., "sql": ...}`` as rendering reads it."""
    escaping.check_model_name(model_name)
    escaping.check_name(table, field="table")
    return {
        "schema_version": SCHEMA_VERSION,
        "table": table,
        "model_name": model_name,
        "context": payload["context"],
        "sql": payload["sql"],
    }


def properties_yml(doc: dict[str, Any]) -> str:
    """The analysis properties file holding ``doc`` (escaped JSON in a block scalar)."""
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True)
    stored = escaping.escape(text)
    escaping.check_generated(stored, what=f"stored context of {doc['table']}")
    out = yaml.dump(
        {
            "version": 2,
            "analyses": [
                {
                    "name": analysis_name(doc["model_name"]),
                    "description": _DESCRIPTION,
                    "config": {"tags": [TAG], "meta": {META_KEY: _Literal(stored)}},
                }
            ],
        },
        Dumper=_Dumper,
        sort_keys=False,
        width=100000,
    )
    if yamlio.load(out)["analyses"][0]["config"]["meta"][META_KEY] != stored:  # the block kept every character
        raise escaping.UnsafeInputError(
            f"{escaping.UNSAFE_JINJA}: the stored context of {doc['table']} does not survive YAML; not written",
            reason=escaping.UNSAFE_JINJA,
        )
    return out


def analysis_name(model_name: str) -> str:
    return f"{TAG}__{model_name}"


def files(dbt_dir: Path, table: str, model_name: str, payload: dict[str, Any]) -> dict[Path, str]:
    """The two files that store one table's context: ``{path: text}``."""
    doc = document(table, model_name, payload)
    return {
        layout.stored_context_sql(dbt_dir, model_name): _SQL,
        layout.stored_context_yml(dbt_dir, model_name): properties_yml(doc),
    }
