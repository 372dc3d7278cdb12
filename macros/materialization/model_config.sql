{% macro model_config(classification, unique_key=none, watermark=none) %}
    {{ return(adapter.dispatch('model_config', 'dbt_migrate')(classification, unique_key, watermark)) }}
{% endmacro %}

{% macro default__model_config(classification, unique_key=none, watermark=none) %}
    {%- set materialized = dbt_migrate.materialization_for(classification) -%}
    {%- set key = dbt_migrate._normalize_unique_key(unique_key, 'model_config') -%}
    {%- if watermark is not none and (watermark is not string or not (watermark | trim)) -%}
        {{ dbt_migrate._raise_argument_error('model_config', 'watermark', watermark, 'a column name (string), e.g. ModifiedDate') }}
    {%- endif -%}

    {%- if classification in ['dim_scd1', 'fact_accumulating_snapshot'] -%}
        {%- if key is none -%}
            {{ dbt_migrate._raise_argument_error(
                'model_config', 'unique_key', unique_key,
                "a column name or list of column names: classification '" ~ classification ~ "' merges on it"
            ) }}
        {%- endif -%}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'merge', 'unique_key': key}) }}

    {%- elif classification == 'fact_transaction' -%}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'append'}) }}

    {%- elif classification == 'dim_scd2' -%}
        {%- if key is none -%}
            {{ dbt_migrate._raise_argument_error(
                'model_config', 'unique_key', unique_key,
                "a column name or list of column names: classification 'dim_scd2' snapshots on it"
            ) }}
        {%- endif -%}
        {%- if watermark is none -%}
            {{ dbt_migrate._raise_argument_error(
                'model_config', 'watermark', watermark,
                "a column name (string): classification 'dim_scd2' uses it as the snapshot's updated_at"
            ) }}
        {%- endif -%}
        {{ return({'materialized': 'snapshot', 'strategy': 'timestamp', 'updated_at': watermark | trim, 'unique_key': key}) }}

    {%- else -%}
        {{ return({'materialized': materialized}) }}
    {%- endif -%}
{% endmacro %}
