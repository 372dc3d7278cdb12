"""Reading a paused model without dbt parsing the project: its dependencies, or why it cannot be read."""

from __future__ import annotations

import pytest

from dbt_migrate.dbt import ExtractionFailed, jinja_syntax_error, static_dependencies
from dbt_migrate.lifecycle import state

GENERATED = """{{ config(materialized='table', tags=['dbt_migrate']) }}

with calendar as (
    select * from {{ ref('calendar') }}
),
sales as (
    select * from {{ source('bronze', 'Sale_Staging') }}
)
select d.DateKey, '{{ invocation_id }}' as _dbt_run_id, {{ dbt.current_timestamp() }} as _loaded_at
from calendar as d left join sales as s on s.InvoiceDate = d.DateKey
"""


def test_a_generated_model_with_invocation_id_is_read_from_the_jinja_tree():
    deps = static_dependencies(GENERATED)
    assert deps["refs"] == [{"name": "calendar", "package": None, "version": None}]
    assert deps["sources"] == [("bronze", "Sale_Staging")]
    assert ("tags", ["dbt_migrate"]) in deps["configs"]


def test_a_ref_with_a_computed_argument_cannot_be_read():
    with pytest.raises(ExtractionFailed):
        static_dependencies("{% set m = 'x' %}select * from {{ ref(m ~ '_y') }} {{ invocation_id }}")


def test_broken_jinja_is_unreadable_and_the_parser_says_where():
    text = "select * from {{ ref('city') }}\n{% for x in [1, 2] %}\n"
    with pytest.raises(ExtractionFailed):
        static_dependencies(text)
    message = jinja_syntax_error(text)
    assert message is not None and message.startswith("Unexpected end of template") and "(line 2)" in message


def test_valid_jinja_and_snapshot_blocks_have_no_syntax_error():
    assert jinja_syntax_error(GENERATED) is None
    assert jinja_syntax_error("{% snapshot s %}select 1{% endsnapshot %}") is None


def test_the_state_document_keeps_why_a_run_paused_a_model():
    block = state.StateBlock(
        group="dbt_migrate",
        status=state.PAUSED,
        total=2,
        completed=["city"],
        paused=[
            state.PausedEntry(name="quota", path="models/staging/quota.sql.skip", reason="cycle: quota -> sp -> quota")
        ],
    )
    text = state.update_document(None, block, "2026-11-30T10:00:00+00:00", None)
    assert "- Paused by `migrate run`: cycle: quota -> sp -> quota" in text
    assert state.read_block(text).paused[0].reason == "cycle: quota -> sp -> quota"
