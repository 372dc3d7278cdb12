{#- A relationships test to a column SQL must quote (SQL Server's [Stock Item Key]): the column is
    `quote: true` and the test's `field` is written quoted, since dbt's relationships test runs
    `select <field> as to_field` (unquoted, `select Stock Item Key` is a syntax error). A plain
    field stays as it is. Compared whitespace-exact. -#}
{%- set context = {
    'table': 'Fact.Sale',
    'model_name': 'sale',
    'writer': 'Integration.MigrateStagedSaleData',
    'tags': ['dbt_migrate'],
    'materialization': {'classification': 'fact_transaction'},
    'columns': [{'name': 'Stock Item Key', 'sql_type': 'INT'}, {'name': 'CityKey', 'sql_type': 'INT'}],
    'schema_tests': [
        {'kind': 'referential_integrity', 'column': 'Stock Item Key', 'test': 'relationships', 'to': 'stock_item', 'field': 'Stock Item Key'},
        {'kind': 'referential_integrity', 'column': 'CityKey', 'test': 'relationships', 'to': 'city', 'field': 'CityKey'},
    ],
} -%}

{%- set expected -%}{% raw -%}
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
        classification: fact_transaction
  columns:
  - name: Stock Item Key
    data_tests:
    - relationships:
        arguments:
          to: ref('stock_item')
          field: '"Stock Item Key"'
    quote: true
  - name: CityKey
    data_tests:
    - relationships:
        arguments:
          to: ref('city')
          field: CityKey
{% endraw %}{%- endset -%}

{{ assert_equal(dbt_migrate.render_schema_yml(context), expected) }}
