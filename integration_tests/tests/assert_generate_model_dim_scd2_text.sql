{#- generate_model for a dim_scd2 context: part `sql` is the staging model (a table, with the
    context's tags), part `yaml` names it stg_<model_name> and gives it the unit tests (no
    is_incremental override: not incremental), part `snapshot` is the YAML snapshot on top of it
    (strategy, updated_at, unique_key, tags). Compared whitespace-exact. -#}
{%- set context = {
    'table': 'silver.DimStoreHistory',
    'model_name': 'dimstorehistory',
    'writer': 'silver.usp_load_DimStoreHistory',
    'tags': ['dbt_migrate', 'dim_store'],
    'materialization': {'classification': 'dim_scd2', 'unique_key': 'StoreID', 'watermark': 'ModifiedDate'},
    'unit_tests': [
        {'name': 'test_history_source_rows',
         'given': [{'input': "source('bronze', 'Store')", 'rows': [{'StoreID': 1, 'ModifiedDate': '2024-01-05 10:00:00'}]}],
         'expect': {'rows': [{'StoreID': 1, 'ModifiedDate': '2024-01-05 10:00:00'}]}},
    ],
} -%}
{%- set sql -%}{% raw -%}
select StoreID, StoreName, ModifiedDate
from {{ source('bronze', 'Store') }}
{%- endraw %}{%- endset -%}

{%- set expected_sql -%}{% raw -%}
{{ config(materialized='table', tags=['dbt_migrate', 'dim_store']) }}

select StoreID, StoreName, ModifiedDate
from {{ source('bronze', 'Store') }}
{% endraw %}{%- endset -%}

{%- set expected_yaml -%}{% raw -%}
version: 2
models:
- name: stg_dimstorehistory
  config:
    tags:
    - dbt_migrate
    - dim_store
    meta:
      dbt_migrate:
        table: silver.DimStoreHistory
        writer: silver.usp_load_DimStoreHistory
        classification: dim_scd2
unit_tests:
- name: test_history_source_rows
  model: stg_dimstorehistory
  given:
  - input: source('bronze', 'Store')
    rows:
    - StoreID: 1
      ModifiedDate: '2024-01-05 10:00:00'
  expect:
    rows:
    - StoreID: 1
      ModifiedDate: '2024-01-05 10:00:00'
{% endraw %}{%- endset -%}

{%- set expected_snapshot -%}{% raw -%}
snapshots:
- name: dimstorehistory
  relation: ref('stg_dimstorehistory')
  config:
    strategy: timestamp
    updated_at: ModifiedDate
    unique_key: StoreID
    tags:
    - dbt_migrate
    - dim_store
{% endraw %}{%- endset -%}

{%- do assert_equal(dbt_migrate.generate_model(context, sql, part='sql', print_output=false), expected_sql) -%}
{%- do assert_equal(dbt_migrate.generate_model(context, sql, part='yaml', print_output=false), expected_yaml) -%}
{{ assert_equal(dbt_migrate.generate_model(context, sql, part='snapshot', print_output=false), expected_snapshot) }}
