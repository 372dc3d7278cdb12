{#- Stops compilation with a message naming the macro, the argument, what it got and what it accepts. -#}
{% macro _raise_argument_error(macro_name, argument, got, expected) %}
    {%- if got is not defined -%}
        {%- set shown = 'nothing (the argument is missing)' -%}
    {%- elif got is none -%}
        {%- set shown = 'none' -%}
    {%- elif got is string -%}
        {%- set shown = "'" ~ got ~ "'" -%}
    {%- else -%}
        {%- set shown = got | string -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "dbt_migrate." ~ macro_name ~ ": argument `" ~ argument ~ "` got " ~ shown ~ "; expected " ~ expected
    ) }}
{% endmacro %}
