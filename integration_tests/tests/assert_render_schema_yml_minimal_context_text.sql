{#- render_schema_yml for a table model without description, tags, columns, schema tests or unit
    tests: tags default to [dbt_migrate], and there is no columns, data_tests or unit_tests key. -#}
{%- set context = {
    'table': 'gold.SalesByDay',
    'model_name': 'salesbyday',
    'writer': 'gold.usp_load_SalesByDay',
    'materialization': {'classification': 'fact_aggregate'},
} -%}

{%- set expected -%}{% raw -%}
version: 2
models:
- name: salesbyday
  config:
    tags:
    - dbt_migrate
    meta:
      dbt_migrate:
        table: gold.SalesByDay
        writer: gold.usp_load_SalesByDay
        classification: fact_aggregate
{% endraw %}{%- endset -%}

{{ assert_equal(dbt_migrate.render_schema_yml(context), expected) }}
