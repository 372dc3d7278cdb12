{#-
    Generic data test: the rows that differ between a migrated model and its legacy relation, in
    both directions (multiset: duplicates count). Passes when no row differs.

        models:
          - name: dimstore
            data_tests:
              - dbt_migrate.equal_to_legacy:
                  arguments:
                    legacy_relation: source('legacy', 'DimStore')
                    key: StoreAlternateKey
                    exclude_columns: [StoreKey]

    As a singular test: {{ dbt_migrate.test_equal_to_legacy(ref('dimstore'), "source('legacy', 'DimStore')") }}
-#}
{% test equal_to_legacy(model, legacy_relation, key=none, exclude_columns=[]) %}
    {{ return(adapter.dispatch('test_equal_to_legacy', 'dbt_migrate')(model, legacy_relation, key, exclude_columns)) }}
{% endtest %}

{% macro default__test_equal_to_legacy(model, legacy_relation, key=none, exclude_columns=[]) %}
    {%- set model_relation = dbt_migrate._resolve_relation(model, 'equal_to_legacy', 'model') -%}
    {%- set legacy = dbt_migrate._resolve_relation(legacy_relation, 'equal_to_legacy', 'legacy_relation') -%}
    {%- set key_columns = dbt_migrate._column_list(key, 'equal_to_legacy', 'key') -%}
    {%- if not execute -%}
        {{ return('select 1 as dbt_migrate_placeholder') }}
    {%- endif -%}

    {%- set columns = dbt_migrate._common_columns(model_relation, legacy, exclude_columns, 'equal_to_legacy') -%}
    {%- set by_name = {} -%}
    {%- for column in columns -%}{%- do by_name.update({column.name | lower: column}) -%}{%- endfor -%}
    {%- set keys = [] -%}
    {%- for name in key_columns -%}
        {%- if name | lower not in by_name -%}
            {{ dbt_migrate._raise_argument_error('equal_to_legacy', 'key', key,
                'columns present in both relations (and not excluded): ' ~ (columns | map(attribute='name') | join(', '))) }}
        {%- endif -%}
        {%- do keys.append(by_name[name | lower].model_column) -%}
    {%- endfor -%}
    {%- set column_list = columns | map(attribute='model_column') | join(', ') -%}

with model_rows as (
    select {% for column in columns %}{{ column.model_column }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ model_relation }}
),

legacy_rows as (
    select {% for column in columns %}{{ column.legacy_column }} as {{ column.model_column }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ legacy }}
),

{{ dbt_migrate._row_diff(column_list, keys) }}
{% endmacro %}
