{#- {{ config(k='v', ...) }} from a dict, keys in the dict's (deterministic) order. -#}
{% macro _config_call(config) %}
    {%- set args = [] -%}
    {%- for key, value in config.items() -%}
        {%- do args.append(key ~ '=' ~ dbt_migrate._config_literal(value)) -%}
    {%- endfor -%}
    {{ return('{{ config(' ~ args | join(', ') ~ ') }}') }}
{% endmacro %}
