{#-
    The multiset row diff shared by `equal_to_legacy` and `reconcile_query`: the CTEs after
    `model_rows` / `legacy_rows` (two CTEs the caller defines with the same column names) and the
    final select of the rows only in one side. Identical rows are numbered first, so a row
    duplicated on one side differs (except all, written with `dbt.except()` for every adapter).
    Output columns: `dbt_migrate_only_in` ('model' / 'legacy'), with `keys`
    `dbt_migrate_difference` ('changed' / 'missing_in_legacy' / 'missing_in_model'), the columns of
    `column_list`, `dbt_migrate_occurrence`.
    `column_list`: the compared columns as they appear in both CTEs, comma separated;
    `keys`: a list of those column names (may be empty).
-#}
{% macro _row_diff(column_list, keys=[]) %}
model_numbered as (
    select {{ column_list }}, row_number() over (partition by {{ column_list }} order by {{ column_list }}) as dbt_migrate_occurrence
    from model_rows
),

legacy_numbered as (
    select {{ column_list }}, row_number() over (partition by {{ column_list }} order by {{ column_list }}) as dbt_migrate_occurrence
    from legacy_rows
),

only_in_model as (
    select * from model_numbered
    {{ dbt.except() }}
    select * from legacy_numbered
),

only_in_legacy as (
    select * from legacy_numbered
    {{ dbt.except() }}
    select * from model_numbered
)

select
    'model' as dbt_migrate_only_in,
    {%- if keys %}
    case when exists (
        select 1 from legacy_rows as other
        where {% for k in keys %}other.{{ k }} = only_in_model.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    ) then 'changed' else 'missing_in_legacy' end as dbt_migrate_difference,
    {%- endif %}
    {{ column_list }},
    dbt_migrate_occurrence
from only_in_model

union all

select
    'legacy' as dbt_migrate_only_in,
    {%- if keys %}
    case when exists (
        select 1 from model_rows as other
        where {% for k in keys %}other.{{ k }} = only_in_legacy.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    ) then 'changed' else 'missing_in_model' end as dbt_migrate_difference,
    {%- endif %}
    {{ column_list }},
    dbt_migrate_occurrence
from only_in_legacy
{%- endmacro %}
