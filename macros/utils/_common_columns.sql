{#-
    Columns present in both relations (matched case-insensitively) minus exclude_columns
    (case-insensitive), in the model's column order. Returns a list of
    {'name': <model-side name>, 'model_column': <quoted model column>, 'legacy_column': <quoted legacy column>}.
-#}
{% macro _common_columns(model_relation, legacy_relation, exclude_columns, macro_name) %}
    {%- set exclude = [] -%}
    {%- for column in dbt_migrate._column_list(exclude_columns, macro_name, 'exclude_columns') -%}
        {%- do exclude.append(column | lower) -%}
    {%- endfor -%}
    {%- set legacy_by_name = {} -%}
    {%- for column in adapter.get_columns_in_relation(legacy_relation) -%}
        {%- do legacy_by_name.update({column.name | lower: column.name}) -%}
    {%- endfor -%}
    {%- set model_columns = adapter.get_columns_in_relation(model_relation) -%}
    {%- set common = [] -%}
    {%- for column in model_columns -%}
        {%- set lowered = column.name | lower -%}
        {%- if lowered in legacy_by_name and lowered not in exclude -%}
            {%- do common.append({
                'name': column.name,
                'model_column': adapter.quote(column.name),
                'legacy_column': adapter.quote(legacy_by_name[lowered]),
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if common | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "dbt_migrate." ~ macro_name ~ ": " ~ model_relation ~ " (columns: "
            ~ (model_columns | map(attribute='name') | join(', ')) ~ ") and " ~ legacy_relation
            ~ " (columns: " ~ (legacy_by_name.values() | join(', ')) ~ ") have no column in common"
            ~ " after exclude_columns " ~ exclude | string
        ) }}
    {%- endif -%}
    {{ return(common) }}
{% endmacro %}
