{#- A SQL literal for an insert: null, a number, or a quoted string with quotes doubled. -#}
{% macro _sql_literal(value) %}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is number and value is not boolean -%}
        {{ return(value | string) }}
    {%- else -%}
        {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
    {%- endif -%}
{% endmacro %}
