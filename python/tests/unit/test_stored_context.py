"""The stored migration context (analyses/dbt_migrate/): what dbt reads back is exactly what was stored."""

from __future__ import annotations

import json

import jinja2
import pytest
import yaml

from dbt_migrate import escaping, stored_context
from dbt_migrate.escaping import UnsafeInputError

HOSTILE = [
    "{{ run_query('drop table x') }}",
    "{% endraw %}{{ env_var('HOME') }}",
    "{# comment #} {%- set x = 1 -%}",
    "'; select 1; --",
    'line\none\ttab \\ backslash "quote"',
    "Zürich ✓ \u202e",
    "}} %} #} {",
]


def _payload(text: str) -> dict:
    return {
        "context": {
            "table": "silver.DimStore",
            "model_name": "dimstore",
            "description": text,
            "materialization": {"classification": "dim_scd1", "unique_key": ["StoreAlternateKey"]},
            "unit_tests": [
                {"name": "t", "given": [{"input": "source('bronze', 'Store')", "rows": [{"A": text, "B": 1}]}]}
            ],
        },
        "sql": "select '" + text + "' as x from {{ source('bronze', 'Store') }}",
    }


def _as_dbt_reads_it(yml: str) -> dict:
    """dbt loads the properties file and renders each meta string as a Jinja template."""
    raw = yaml.safe_load(yml)["analyses"][0]["config"]["meta"][stored_context.META_KEY]
    return json.loads(jinja2.Environment().from_string(raw).render())


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_comes_back_exactly_after_dbt_renders_the_meta(text):
    doc = stored_context.document("silver.DimStore", "dimstore", _payload(text))
    yml = stored_context.properties_yml(doc)
    assert _as_dbt_reads_it(yml) == doc
    assert escaping.foreign_jinja(yml) is None  # only escaped braces: no tag of the input can open


def test_the_files_are_an_analysis_and_its_properties_under_analyses_dbt_migrate(tmp_path):
    files = stored_context.files(tmp_path, "silver.DimStore", "dimstore", _payload("x"))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == [
        "analyses/dbt_migrate/_dbt_migrate_context__dimstore.yml",
        "analyses/dbt_migrate/dbt_migrate_context__dimstore.sql",
    ]
    yml = yaml.safe_load(files[tmp_path / "analyses/dbt_migrate/_dbt_migrate_context__dimstore.yml"])
    assert yml["analyses"][0]["name"] == "dbt_migrate_context__dimstore"
    assert yml["analyses"][0]["config"]["tags"] == ["dbt_migrate_context"]


def test_an_unsafe_model_or_table_name_is_rejected_before_anything_is_rendered(tmp_path):
    with pytest.raises(UnsafeInputError):
        stored_context.files(tmp_path, "silver.DimStore", "../dimstore", _payload("x"))
    with pytest.raises(UnsafeInputError):
        stored_context.files(tmp_path, "silver.{{x}}", "dimstore", _payload("x"))
