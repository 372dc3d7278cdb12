{#- render_schema_yml returns exactly this YAML for a dim_scd1 context: model config and meta,
    recency kept in meta, a multi-column key as a model-level test, unique/not_null on a column,
    a relationships test to a bare model name, PII meta on a column the context does not list,
    and the unit test with its is_incremental override. Compared whitespace-exact. -#}
{%- set context = {
    'table': 'silver.DimStore',
    'model_name': 'dimstore',
    'description': 'Migrated from silver.usp_load_DimStore',
    'writer': 'silver.usp_load_DimStore',
    'tags': ['dbt_migrate', 'dim_store'],
    'materialization': {'classification': 'dim_scd1', 'unique_key': ['StoreAlternateKey'], 'watermark': 'ModifiedDate'},
    'columns': [
        {'name': 'StoreKey', 'sql_type': 'INT', 'data_type': 'integer', 'is_identity': true, 'description': 'Surrogate key.'},
        {'name': 'StoreAlternateKey', 'sql_type': 'NVARCHAR(20)', 'data_type': 'varchar'},
        {'name': 'SalesDate', 'sql_type': 'DATE'},
    ],
    'schema_tests': [
        {'kind': 'entity_integrity', 'column': 'StoreKey', 'test': 'unique'},
        {'kind': 'entity_integrity', 'column': 'StoreKey', 'test': 'not_null'},
        {'kind': 'entity_integrity', 'columns': ['SalesDate', 'StoreAlternateKey'], 'test': 'unique_combination_of_columns'},
        {'kind': 'referential_integrity', 'column': 'RegionKey', 'test': 'relationships', 'to': 'dimregion', 'field': 'RegionKey'},
        {'kind': 'pii', 'column': 'Email', 'action': 'mask'},
        {'kind': 'recency', 'column': 'ModifiedDate', 'interval_days': 30},
    ],
    'unit_tests': [
        {'name': 'test_open_store_with_region', 'description': 'LEFT JOIN finds the region', 'origin': 'test_spec',
         'given': [{'input': "source('bronze', 'Store')", 'rows': [{'StoreID': 1, 'StoreName': 'Downtown'}]}],
         'expect': {'rows': [{'StoreAlternateKey': '1'}]}},
    ],
} -%}

{%- set expected -%}{% raw -%}
version: 2
models:
- name: dimstore
  description: Migrated from silver.usp_load_DimStore
  config:
    tags:
    - dbt_migrate
    - dim_store
    meta:
      dbt_migrate:
        table: silver.DimStore
        writer: silver.usp_load_DimStore
        classification: dim_scd1
        recency:
        - column: ModifiedDate
          interval_days: 30
  data_tests:
  - dbt_migrate.unique_combination_of_columns:
      arguments:
        combination_of_columns:
        - SalesDate
        - StoreAlternateKey
  columns:
  - name: StoreKey
    description: Surrogate key.
    data_type: integer
    data_tests:
    - unique
    - not_null
  - name: StoreAlternateKey
    data_type: varchar
  - name: SalesDate
  - name: RegionKey
    data_tests:
    - relationships:
        arguments:
          to: ref('dimregion')
          field: RegionKey
  - name: Email
    config:
      meta:
        pii_action: mask
unit_tests:
- name: test_open_store_with_region
  description: LEFT JOIN finds the region
  model: dimstore
  given:
  - input: source('bronze', 'Store')
    rows:
    - StoreID: 1
      StoreName: Downtown
  expect:
    rows:
    - StoreAlternateKey: '1'
  overrides:
    macros:
      is_incremental: false
{% endraw %}{%- endset -%}

{{ assert_equal(dbt_migrate.render_schema_yml(context), expected) }}
