{#-
    A query comparing a migrated model with its legacy table: one row per compared column with the
    row count on each side, the rows whose value matches, and the match rate.
    With `key`: rows are joined on the key and a value matches when both sides are equal (or both null).
    Without: values are compared as multisets per column (how many values the two sides share).
    analyses/compare_with_legacy.sql calls it from vars.
-#}
{% macro compare_with_legacy(model_relation, legacy_relation, key=none, exclude_columns=[]) %}
    {{ return(adapter.dispatch('compare_with_legacy', 'dbt_migrate')(model_relation, legacy_relation, key, exclude_columns)) }}
{% endmacro %}

{% macro default__compare_with_legacy(model_relation, legacy_relation, key=none, exclude_columns=[]) %}
    {%- set model_rel = dbt_migrate._resolve_relation(model_relation, 'compare_with_legacy', 'model_relation') -%}
    {%- set legacy = dbt_migrate._resolve_relation(legacy_relation, 'compare_with_legacy', 'legacy_relation') -%}
    {%- set key_columns = dbt_migrate._column_list(key, 'compare_with_legacy', 'key') -%}
    {%- if not execute -%}
        {{ return('select 1 as dbt_migrate_placeholder') }}
    {%- endif -%}
    {%- set columns = dbt_migrate._common_columns(model_rel, legacy, exclude_columns, 'compare_with_legacy') -%}
    {%- set position = {} -%}
    {%- for column in columns -%}{%- do position.update({column.name | lower: loop.index0}) -%}{%- endfor -%}
    {%- set keys = [] -%}
    {%- for name in key_columns -%}
        {%- if name | lower not in position -%}
            {{ dbt_migrate._raise_argument_error('compare_with_legacy', 'key', key,
                'columns present in both relations (and not excluded): ' ~ (columns | map(attribute='name') | join(', '))) }}
        {%- endif -%}
        {%- do keys.append('c' ~ position[name | lower]) -%}
    {%- endfor -%}

with model_rows as (
    select {% for column in columns %}{{ column.model_column }} as c{{ loop.index0 }}, {% endfor %}1 as dbt_migrate_present
    from {{ model_rel }}
),

legacy_rows as (
    select {% for column in columns %}{{ column.legacy_column }} as c{{ loop.index0 }}, {% endfor %}1 as dbt_migrate_present
    from {{ legacy }}
),

counts as (
    select
        (select count(*) from model_rows) as model_rows,
        (select count(*) from legacy_rows) as legacy_rows
){% if keys %},

joined as (
    select
        {% for column in columns %}m.c{{ loop.index0 }} as m_c{{ loop.index0 }}, l.c{{ loop.index0 }} as l_c{{ loop.index0 }},
        {% endfor %}m.dbt_migrate_present as in_model,
        l.dbt_migrate_present as in_legacy
    from model_rows as m
    full outer join legacy_rows as l
        on {% for k in keys %}m.{{ k }} = l.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
){% endif %},

matches as (
    {%- for column in columns %}
    {%- set i = loop.index0 %}
    select
        {{ loop.index }} as column_position,
        {{ dbt_migrate._sql_literal(column.name) }} as column_name,
        {%- if keys %}
        sum(case when in_model = 1 and in_legacy = 1
                  and (m_c{{ i }} = l_c{{ i }} or (m_c{{ i }} is null and l_c{{ i }} is null))
             then 1 else 0 end) as matched_rows
    from joined
        {%- else %}
        coalesce(sum(case when m.n < l.n then m.n else l.n end), 0) as matched_rows
    from (select c{{ i }} as v, count(*) as n from model_rows group by c{{ i }}) as m
    inner join (select c{{ i }} as v, count(*) as n from legacy_rows group by c{{ i }}) as l
        on m.v = l.v or (m.v is null and l.v is null)
        {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    matches.column_name,
    counts.model_rows,
    counts.legacy_rows,
    matches.matched_rows,
    case when counts.model_rows = 0 and counts.legacy_rows = 0 then 1.0
         else matches.matched_rows * 1.0 / (case when counts.model_rows > counts.legacy_rows then counts.model_rows else counts.legacy_rows end)
    end as match_rate
from matches
cross join counts
order by matches.column_position
{% endmacro %}
