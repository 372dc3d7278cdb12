{#- render_schema_yml with a legacy schema (context.legacy_schema; a project sets the var
    dbt_migrate_legacy_schema instead): the model carries an equal_to_legacy test against
    <legacy_schema>.<table>, keyed on the unique key and tagged dbt_migrate_legacy. -#}
{%- set context = {
    'table': 'silver.DimStore',
    'model_name': 'dimstore',
    'writer': 'silver.usp_load_DimStore',
    'legacy_schema': 'legacy',
    'materialization': {'classification': 'dim_scd1', 'unique_key': ['StoreAlternateKey']},
} -%}

{%- set expected -%}{% raw -%}
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
  data_tests:
  - dbt_migrate.equal_to_legacy:
      arguments:
        legacy_relation: legacy.DimStore
        key: StoreAlternateKey
      config:
        tags:
        - dbt_migrate_legacy
{% endraw %}{%- endset -%}

{{ assert_equal(dbt_migrate.render_schema_yml(context), expected) }}
