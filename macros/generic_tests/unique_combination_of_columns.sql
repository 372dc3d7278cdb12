{#- Generic data test: fails with one row per key combination that occurs more than once. -#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
    {{ return(adapter.dispatch('test_unique_combination_of_columns', 'dbt_migrate')(model, combination_of_columns, quote_columns)) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
    {%- set columns = dbt_migrate._column_list(combination_of_columns, 'unique_combination_of_columns', 'combination_of_columns') -%}
    {%- if columns | length == 0 -%}
        {{ dbt_migrate._raise_argument_error('unique_combination_of_columns', 'combination_of_columns', combination_of_columns, 'a non-empty list of column names') }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for column in columns -%}
        {%- do quoted.append(adapter.quote(column) if quote_columns else column) -%}
    {%- endfor -%}
select {{ quoted | join(', ') }}, count(*) as dbt_migrate_occurrences
from {{ model }}
group by {{ quoted | join(', ') }}
having count(*) > 1
{% endmacro %}
