{#- A unique key as dbt writes it into SQL: a name that is not a plain identifier (SQL Server's
    'WWI Invoice ID') quoted for the adapter; 'a' / ['a', 'b'] keep their shape. -#}
{% macro _quoted_columns(columns) %}
    {%- if columns is string -%}
        {{ return(adapter.quote(columns) if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', columns) else columns) }}
    {%- endif -%}
    {%- set out = [] -%}
    {%- for column in columns -%}{%- do out.append(dbt_migrate._quoted_columns(column)) -%}{%- endfor -%}
    {{ return(out) }}
{% endmacro %}
