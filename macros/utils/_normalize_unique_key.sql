{#- none/''/[] -> none; 'a' -> 'a'; ['a'] -> 'a'; ['a', 'b'] -> ['a', 'b']. Anything else is an error. -#}
{% macro _normalize_unique_key(unique_key, macro_name) %}
    {%- set expected = "a column name (string) or a list of column names, e.g. 'StoreAlternateKey' or ['SalesDate', 'StoreKey']" -%}
    {%- if unique_key is none -%}
        {{ return(none) }}
    {%- elif unique_key is string -%}
        {{ return(unique_key | trim if unique_key | trim else none) }}
    {%- elif dbt_migrate._is_list(unique_key) -%}
        {%- set columns = [] -%}
        {%- for column in unique_key -%}
            {%- if column is not string or not (column | trim) -%}
                {{ dbt_migrate._raise_argument_error(macro_name, 'unique_key', unique_key, expected) }}
            {%- endif -%}
            {%- do columns.append(column | trim) -%}
        {%- endfor -%}
        {%- if columns | length == 0 -%}
            {{ return(none) }}
        {%- elif columns | length == 1 -%}
            {{ return(columns[0]) }}
        {%- else -%}
            {{ return(columns) }}
        {%- endif -%}
    {%- else -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'unique_key', unique_key, expected) }}
    {%- endif -%}
{% endmacro %}
