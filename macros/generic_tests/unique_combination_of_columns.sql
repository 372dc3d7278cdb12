{#-
    Generic data test: fails with one row per key combination that occurs more than once.

    Vendored: follows dbt-utils' `unique_combination_of_columns` test (dbt-labs/dbt-utils, licensed
    under the Apache License 2.0), same test name, arguments and meaning, so a project can switch
    between the two by changing the namespace. Kept here so the YAML that render_schema_yml writes
    needs no second package. Changed from dbt-utils':
      - dispatch namespace `dbt_migrate` (`adapter.dispatch('test_unique_combination_of_columns',
        'dbt_migrate')`): override it through a `dispatch:` entry for `dbt_migrate`, not `dbt_utils`;
      - argument validation through `dbt_migrate._column_list`: `combination_of_columns` may be a
        column name or a list of names; anything else, or an empty list, stops compilation with
        an error naming the argument (dbt-utils joins whatever it is given);
      - each failing row also carries `dbt_migrate_occurrences` (how often the combination occurs),
        and the query has no `validation_errors` CTE.
-#}
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
