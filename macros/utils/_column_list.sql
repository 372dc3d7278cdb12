{#- Normalises a column argument (string or list of strings) to a list of strings; [] for none. -#}
{% macro _column_list(value, macro_name, argument) %}
    {%- if value is none -%}
        {{ return([]) }}
    {%- elif value is string -%}
        {{ return([value] if value | trim else []) }}
    {%- elif dbt_migrate._is_list(value) -%}
        {%- for column in value -%}
            {%- if column is not string -%}
                {{ dbt_migrate._raise_argument_error(macro_name, argument, value, 'a column name or a list of column names') }}
            {%- endif -%}
        {%- endfor -%}
        {{ return(value | list) }}
    {%- else -%}
        {{ dbt_migrate._raise_argument_error(macro_name, argument, value, 'a column name or a list of column names') }}
    {%- endif -%}
{% endmacro %}
