{#- The config line generate_models renders per classification (first line of model_sql);
    tests/assert_rendered_config_lines_match_expected.sql compares it with the expected seed -#}
{%- set body = "select 1 as id" -%}
{%- set models = [
    {'sql': body, 'context': {'model_name': 'dim_scd1', 'tags': ['dbt_migrate'],
        'materialization': {'classification': 'dim_scd1', 'unique_key': ['StoreAlternateKey'], 'watermark': 'ModifiedDate'}}},
    {'sql': body, 'context': {'model_name': 'dim_scd1_composite_key', 'tags': ['dbt_migrate', 'fact_sales'],
        'materialization': {'classification': 'dim_scd1', 'unique_key': ['SalesDate', 'StoreKey']}}},
    {'sql': body, 'context': {'model_name': 'fact_transaction', 'tags': ['dbt_migrate'],
        'materialization': {'classification': 'fact_transaction', 'watermark': 'EventDate'}}},
    {'sql': body, 'context': {'model_name': 'dim_scd2', 'tags': ['dbt_migrate', 'dim_store'],
        'materialization': {'classification': 'dim_scd2', 'unique_key': 'StoreAlternateKey', 'watermark': 'ModifiedDate'}}},
    {'sql': body, 'context': {'model_name': 'fact_aggregate',
        'materialization': {'classification': 'fact_aggregate'}}},
] -%}
{%- set results = dbt_migrate.generate_models(models, print_output=false) -%}
{%- for result in results %}
select
    cast('{{ models[loop.index0].context.model_name }}' as {{ dbt.type_string() }}) as case_name,
    cast('{{ result.model_sql.split('\n')[0] | replace("'", "''") }}' as {{ dbt.type_string() }}) as config_line
{{ 'union all' if not loop.last }}
{%- endfor %}
