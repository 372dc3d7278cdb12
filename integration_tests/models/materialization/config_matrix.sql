{#- materialization_for + model_config for every classification (and unique_key shapes);
    tests/assert_config_matrix_matches_expected.sql compares it with seeds/expected/expected_config_matrix.csv -#}
{%- set cases = [
    ('dim_scd2', 'dim_scd2', ['store_id'], 'modified_date'),
    ('dim_scd2_composite_key', 'dim_scd2', ['store_id', 'valid_from'], 'modified_date'),
    ('dim_scd1_one_element_list', 'dim_scd1', ['store_id'], none),
    ('dim_scd1_string_key', 'dim_scd1', 'store_id', none),
    ('dim_scd1_composite_key', 'dim_scd1', ['sales_date', 'store_id'], none),
    ('dim_non_scd', 'dim_non_scd', none, none),
    ('dim_junk', 'dim_junk', none, none),
    ('fact_transaction', 'fact_transaction', none, 'event_ts'),
    ('fact_periodic_snapshot', 'fact_periodic_snapshot', none, none),
    ('fact_accumulating_snapshot', 'fact_accumulating_snapshot', 'order_id', none),
    ('fact_aggregate', 'fact_aggregate', none, none),
    ('stg', 'stg', none, none),
    ('mart', 'mart', none, none),
] -%}
{%- for case_name, classification, unique_key, watermark in cases %}
select
    cast('{{ case_name }}' as {{ dbt.type_string() }}) as case_name,
    cast('{{ classification }}' as {{ dbt.type_string() }}) as classification,
    cast('{{ dbt_migrate.materialization_for(classification) }}' as {{ dbt.type_string() }}) as materialized,
    cast('{{ tojson(dbt_migrate.model_config(classification, unique_key=unique_key, watermark=watermark)) }}' as {{ dbt.type_string() }}) as config_json
{{ 'union all' if not loop.last }}
{%- endfor %}
