{#- generate_model for a dim_scd1 context: part `sql` is the config block (materialized first,
    strategy, key, on_schema_change, tags), a blank line and the trimmed body with one final
    newline; part `yaml` is the schema YAML with one final newline. Compared whitespace-exact. -#}
{%- set context = {
    'table': 'silver.DimStore',
    'model_name': 'dimstore',
    'writer': 'silver.usp_load_DimStore',
    'materialization': {'classification': 'dim_scd1', 'unique_key': ['StoreAlternateKey'], 'watermark': 'ModifiedDate'},
    'columns': [{'name': 'StoreAlternateKey', 'data_type': 'varchar'}, {'name': 'StoreName'}],
    'schema_tests': [{'kind': 'entity_integrity', 'column': 'StoreAlternateKey', 'test': 'unique'}],
} -%}
{#- the body as the sidecar passes it: Jinja calls kept as text, surrounding blank lines trimmed -#}
{%- set sql -%}{% raw %}

select
    cast(StoreID as varchar) as StoreAlternateKey,
    trim(StoreName) as StoreName
from {{ source('bronze', 'Store') }}
where {{ dbt_migrate.watermark_filter('ModifiedDate') }}

{% endraw %}{%- endset -%}

{%- set expected_sql -%}{% raw -%}
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='StoreAlternateKey', on_schema_change='append_new_columns', tags=['dbt_migrate']) }}

select
    cast(StoreID as varchar) as StoreAlternateKey,
    trim(StoreName) as StoreName
from {{ source('bronze', 'Store') }}
where {{ dbt_migrate.watermark_filter('ModifiedDate') }}
{% endraw %}{%- endset -%}

{%- set expected_yaml -%}{% raw -%}
version: 2
models:
- name: dimstore
  config:
    tags:
    - dbt_migrate
    meta:
      dbt_migrate:
        table: silver.DimStore
        writer: silver.usp_load_DimStore
        classification: dim_scd1
  columns:
  - name: StoreAlternateKey
    data_type: varchar
    data_tests:
    - unique
  - name: StoreName
{% endraw %}{%- endset -%}

{%- do assert_equal(dbt_migrate.generate_model(context, sql, print_output=false), expected_sql) -%}
{{ assert_equal(dbt_migrate.generate_model(context, sql, part='yaml', print_output=false), expected_yaml) }}
