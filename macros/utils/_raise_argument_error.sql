{#- Stops compilation with a message naming the macro, the argument, what it got and what it accepts. -#}
{% macro _raise_argument_error(macro_name, argument, got, expected) %}
    {%- set shown = 'none' if got is none else ("'" ~ got ~ "'" if got is string else got | string) -%}
    {{ exceptions.raise_compiler_error(
        "dbt_migrate." ~ macro_name ~ ": argument `" ~ argument ~ "` got " ~ shown ~ "; expected " ~ expected
    ) }}
{% endmacro %}
