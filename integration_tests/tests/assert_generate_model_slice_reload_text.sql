{#- generate_model for a slice reload (DELETE of the slices the input holds + INSERT): the context's
    materialization carries incremental_strategy delete+insert and the slice columns, whatever the
    classification's default (here a table); a key that is not a plain identifier is quoted for
    the adapter, and its column in the schema YAML gets quote: true. Whitespace-exact. -#}
{%- set context = {
    'table': 'Fact.Sale',
    'model_name': 'sale',
    'writer': 'Integration.MigrateStagedSaleData',
    'tags': ['dbt_migrate'],
    'materialization': {
        'classification': 'fact_periodic_snapshot',
        'unique_key': ['WWI Invoice ID'],
        'incremental_strategy': 'delete+insert',
    },
    'schema_tests': [{'kind': 'entity_integrity', 'column': 'WWI Invoice ID', 'test': 'not_null'}],
} -%}
{%- set sql -%}{% raw -%}
select "WWI Invoice ID", Quantity
from {{ source('integration', 'Sale_Staging') }}
{%- endraw %}{%- endset -%}

{%- set expected_sql -%}{% raw -%}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='"WWI Invoice ID"', on_schema_change='append_new_columns', tags=['dbt_migrate']) }}

select "WWI Invoice ID", Quantity
from {{ source('integration', 'Sale_Staging') }}
{% endraw %}{%- endset -%}

{%- set expected_yaml -%}{% raw -%}
version: 2
models:
- name: sale
  config:
    tags:
    - dbt_migrate
    meta:
      dbt_migrate:
        table: Fact.Sale
        writer: Integration.MigrateStagedSaleData
        classification: fact_periodic_snapshot
  columns:
  - name: WWI Invoice ID
    data_tests:
    - not_null
    quote: true
{% endraw %}{%- endset -%}

{%- do assert_equal(dbt_migrate.generate_model(context, sql, part='sql', print_output=false), expected_sql) -%}
{{ assert_equal(dbt_migrate.generate_model(context, sql, part='yaml', print_output=false), expected_yaml) }}
