{#-
    One set-based query comparing a model with its legacy table for one report type, as
    `migrate reconcile` runs it (docs/reconcile.md). Returns the SQL text; dispatchable.

    report: 'row' (multiset diff of whole rows, the `equal_to_legacy` logic), 'data' (rows joined
      on `key`: rows missing on either side and per-column mismatch counts) or 'aggregate' (count,
      and sum/min/max per measure, per `group_by` group).
    columns / key / group_by / measures: lists of {name, legacy, model, legacy_ops, model_ops,
      tolerance, numeric}: the legacy and model column names and the operations applied to each
      side before comparing (see _reconcile_expr). The result names them c0.., k0.., g0.., x0.. in
      list order.
    scd2: optional {legacy: {business_key, valid_from, valid_to}, model: {...}}: each side gains
      `dbt_migrate_version` (1, 2, .. per business key in valid_from order) and `dbt_migrate_open`
      (1 while valid_to is null or in year 9999), which the columns may then name.

    Every result row carries the totals (legacy_rows, model_rows, only_in_legacy, only_in_model
    and, for data/aggregate, n_changed, n_compared, mismatches per column: m<i> for data,
    mm_<statistic> for aggregate); up to `examples`
    differing rows per side ride along (dbt_migrate_side, with the compared values), and a
    comparison without differences returns one row of totals with null example columns.
-#}
{% macro reconcile_query(report, model_relation, legacy_relation, columns=[], key=[], group_by=[], measures=[], scd2=none, examples=5) %}
    {{ return(adapter.dispatch('reconcile_query', 'dbt_migrate')(report, model_relation, legacy_relation, columns, key, group_by, measures, scd2, examples)) }}
{% endmacro %}

{% macro default__reconcile_query(report, model_relation, legacy_relation, columns, key, group_by, measures, scd2, examples) %}
    {%- set model = dbt_migrate._resolve_relation(model_relation, 'reconcile_query', 'model_relation') -%}
    {%- set legacy = dbt_migrate._resolve_relation(legacy_relation, 'reconcile_query', 'legacy_relation') -%}
    {%- set legacy_from = dbt_migrate._reconcile_source(legacy, scd2.legacy if scd2 else none) -%}
    {%- set model_from = dbt_migrate._reconcile_source(model, scd2.model if scd2 else none) -%}
    {%- if report == 'row' -%}
        {{ return(dbt_migrate._reconcile_row_query(model, legacy, model_from, legacy_from, columns, examples)) }}
    {%- elif report == 'data' -%}
        {{ return(dbt_migrate._reconcile_data_query(model, legacy, model_from, legacy_from, key, columns, examples)) }}
    {%- elif report == 'aggregate' -%}
        {{ return(dbt_migrate._reconcile_aggregate_query(model_from, legacy_from, group_by, measures, examples)) }}
    {%- else -%}
        {{ dbt_migrate._raise_argument_error('reconcile_query', 'report', report, "'row', 'data' or 'aggregate'") }}
    {%- endif -%}
{% endmacro %}

{#- The relation, or in SCD2 mode a subquery adding the validity order and the open flag. -#}
{% macro _reconcile_source(relation, scd2) %}
    {%- if not scd2 -%}{{ return(relation | string) }}{%- endif -%}
    {%- set bk = [] -%}
    {%- for c in scd2.business_key -%}{%- do bk.append(adapter.quote(c)) -%}{%- endfor -%}
    {%- set vf = adapter.quote(scd2.valid_from) -%}
    {%- set vt = adapter.quote(scd2.valid_to) -%}
    {%- set open = "case when " ~ vt ~ " is null or cast(" ~ vt ~ " as " ~ dbt.type_string() ~ ") like '9999%' then 1 else 0 end" -%}
    {#- versions starting at the same time: the closed one first -#}
    {%- set sql -%}
(select src.*,
    row_number() over (partition by {{ bk | join(', ') }} order by {{ vf }}, {{ open }}, {{ vt }}) as dbt_migrate_version,
    {{ open }} as dbt_migrate_open
from {{ relation }} as src)
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}

{% macro _reconcile_select(specs, side, prefix) %}
    {%- set out = [] -%}
    {%- for s in specs -%}
        {%- do out.append(dbt_migrate._reconcile_expr(s[side], s[side ~ '_ops']) ~ ' as ' ~ prefix ~ loop.index0) -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}

{% macro _reconcile_names(specs, prefix, alias='') %}
    {%- set out = [] -%}
    {%- for s in specs -%}{%- do out.append(alias ~ prefix ~ loop.index0) -%}{%- endfor -%}
    {{ return(out) }}
{% endmacro %}

{#- Equal, null-safe; with a tolerance, numerically within it. -#}
{% macro _reconcile_equal(left, right, tolerance) %}
    {%- if tolerance is not none and tolerance is number -%}
        {{ return('((' ~ left ~ ' is null and ' ~ right ~ ' is null) or abs(cast(' ~ left ~ ' as decimal(38, 10)) - cast(' ~ right ~ ' as decimal(38, 10))) <= ' ~ tolerance ~ ')') }}
    {%- endif -%}
    {{ return('((' ~ left ~ ' is null and ' ~ right ~ ' is null) or ' ~ left ~ ' = ' ~ right ~ ')') }}
{% endmacro %}

{% macro _reconcile_row_query(model, legacy, model_from, legacy_from, columns, examples) %}
    {%- set names = dbt_migrate._reconcile_names(columns, 'c') -%}
    {%- set column_list = names | join(', ') -%}
    {%- set sql -%}
with diff as (
    with model_rows as (
        select {{ dbt_migrate._reconcile_select(columns, 'model', 'c') | join(', ') }}
        from {{ model_from }} as m
    ),

    legacy_rows as (
        select {{ dbt_migrate._reconcile_select(columns, 'legacy', 'c') | join(', ') }}
        from {{ legacy_from }} as l
    ),

    {{ dbt_migrate._row_diff(column_list, []) }}
),

totals as (
    select
        (select count(*) from {{ legacy }}) as legacy_rows,
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from diff where dbt_migrate_only_in = 'legacy') as only_in_legacy,
        (select count(*) from diff where dbt_migrate_only_in = 'model') as only_in_model
),

shown as (
    select
        dbt_migrate_only_in as dbt_migrate_side,
        {{ column_list }},
        row_number() over (partition by dbt_migrate_only_in order by {{ column_list }}) as dbt_migrate_example
    from diff
)

select totals.*, shown.*
from totals
left join shown on shown.dbt_migrate_example <= {{ examples | int }}
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}

{% macro _reconcile_data_query(model, legacy, model_from, legacy_from, key, columns, examples) %}
    {%- set keys = dbt_migrate._reconcile_names(key, 'k') -%}
    {%- set cols = dbt_migrate._reconcile_names(columns, 'c') -%}
    {%- set sql -%}
with legacy_rows as (
    select {{ (dbt_migrate._reconcile_select(key, 'legacy', 'k') + dbt_migrate._reconcile_select(columns, 'legacy', 'c')) | join(', ') }}, 1 as dbt_migrate_present
    from {{ legacy_from }} as l
),

model_rows as (
    select {{ (dbt_migrate._reconcile_select(key, 'model', 'k') + dbt_migrate._reconcile_select(columns, 'model', 'c')) | join(', ') }}, 1 as dbt_migrate_present
    from {{ model_from }} as m
),

joined as (
    {{ dbt_migrate._reconcile_outer_join(keys, cols) }}
),

{%- set compared = [] -%}
{%- for c in cols -%}{%- do compared.append([c, columns[loop.index0].tolerance, 'm' ~ loop.index0]) -%}{%- endfor %}
{{ dbt_migrate._reconcile_verdict(compared, '(select count(*) from ' ~ legacy ~ ')', '(select count(*) from ' ~ model ~ ')', keys, examples) }}
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}

{% macro _reconcile_aggregate_query(model_from, legacy_from, group_by, measures, examples) %}
    {%- set groups = dbt_migrate._reconcile_names(group_by, 'g') -%}
    {%- set stats = [] -%}
    {%- for x in measures -%}
        {%- set i = loop.index0 -%}
        {%- if x.numeric -%}{%- do stats.append(('sum', 's' ~ i, 'x' ~ i, x.tolerance)) -%}{%- endif -%}
        {%- do stats.append(('min', 'lo' ~ i, 'x' ~ i, x.tolerance if x.numeric else none)) -%}
        {%- do stats.append(('max', 'hi' ~ i, 'x' ~ i, x.tolerance if x.numeric else none)) -%}
    {%- endfor -%}
    {%- set sql -%}
{%- for side, source in [('legacy', legacy_from), ('model', model_from)] %}
{{ 'with' if loop.first else ',' }} {{ side }}_groups as (
    select
        {% for g in groups %}{{ g }}, {% endfor %}count(*) as n{% for f, name, col, tol in stats %}, {{ f }}({{ col }}) as {{ name }}{% endfor %}, 1 as dbt_migrate_present
    from (
        select {{ (dbt_migrate._reconcile_select(group_by, side, 'g') + dbt_migrate._reconcile_select(measures, side, 'x') + ['1 as dbt_migrate_one']) | join(', ') }}
        from {{ source }} as s
    ) as rows_
    {% if groups %}group by {{ groups | join(', ') }}{% endif %}
)
{%- endfor %},

joined as (
    {{ dbt_migrate._reconcile_outer_join(groups, ['n'] + stats | map(attribute=1) | list, 'legacy_groups', 'model_groups') }}
),

{%- set compared = [['n', none, 'mm_n']] -%}
{%- for f, name, col, tol in stats -%}{%- do compared.append([name, tol, 'mm_' ~ name]) -%}{%- endfor %}
{{ dbt_migrate._reconcile_verdict(compared, '(select coalesce(sum(n), 0) from legacy_groups)', '(select coalesce(sum(n), 0) from model_groups)', groups or ['dbt_migrate_side'], examples) }}
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}

{#-
    A full outer join of the two sides on `keys` (null-safe), written as a left join plus the
    unmatched right rows: PostgreSQL runs a full join only on hashable conditions. Columns: the
    keys, l_<c> and m_<c> per column, in_legacy / in_model (1 or null).
-#}
{% macro _reconcile_outer_join(keys, cols, legacy_cte='legacy_rows', model_cte='model_rows') %}
    {%- set on = [] -%}
    {%- for k in keys -%}{%- do on.append('l.' ~ k ~ ' is not distinct from m.' ~ k) -%}{%- endfor -%}
    {%- set condition = on | join(' and ') if on else '1 = 1' -%}
    select
        {% for k in keys %}l.{{ k }} as {{ k }},
        {% endfor %}{% for c in cols %}l.{{ c }} as l_{{ c }}, m.{{ c }} as m_{{ c }},
        {% endfor %}l.dbt_migrate_present as in_legacy,
        m.dbt_migrate_present as in_model
    from {{ legacy_cte }} as l
    left join {{ model_cte }} as m
        on {{ condition }}
    union all
    select
        {% for k in keys %}m.{{ k }} as {{ k }},
        {% endfor %}{% for c in cols %}null as l_{{ c }}, m.{{ c }} as m_{{ c }},
        {% endfor %}null as in_legacy,
        m.dbt_migrate_present as in_model
    from {{ model_cte }} as m
    where not exists (select 1 from {{ legacy_cte }} as l where {{ condition }})
{%- endmacro %}

{#-
    The end of a data or aggregate comparison, after `joined` (_reconcile_outer_join): a flag per
    compared column (`compared`: [column, tolerance, name of its mismatch total]), each row's side
    (legacy / model: only there; changed; same), one row of totals and up to `examples` differing
    rows per side beside it.
-#}
{% macro _reconcile_verdict(compared, legacy_count, model_count, order_by, examples) %}
flagged as (
    select
        joined.*,
        {% for col, tol, total in compared %}case when in_legacy = 1 and in_model = 1 and not {{ dbt_migrate._reconcile_equal('l_' ~ col, 'm_' ~ col, tol) }} then 1 else 0 end as d_{{ col }},
        {% endfor %}0 as dbt_migrate_none
    from joined
),

classified as (
    select
        flagged.*,
        case
            when in_model is null then 'legacy'
            when in_legacy is null then 'model'
            when 0 {% for col, tol, total in compared %}+ d_{{ col }} {% endfor %}> 0 then 'changed'
            else 'same'
        end as dbt_migrate_side
    from flagged
),

totals as (
    select
        {{ legacy_count }} as legacy_rows,
        {{ model_count }} as model_rows,
        coalesce(sum(case when dbt_migrate_side = 'legacy' then 1 else 0 end), 0) as n_missing_in_model,
        coalesce(sum(case when dbt_migrate_side = 'model' then 1 else 0 end), 0) as n_missing_in_legacy,
        coalesce(sum(case when dbt_migrate_side = 'changed' then 1 else 0 end), 0) as n_changed,
        coalesce(sum(case when in_legacy = 1 and in_model = 1 then 1 else 0 end), 0) as n_compared
        {%- for col, tol, total in compared %},
        coalesce(sum(d_{{ col }}), 0) as {{ total }}
        {%- endfor %}
    from classified
),

shown as (
    select
        classified.*,
        row_number() over (partition by dbt_migrate_side order by {{ order_by | join(', ') }}) as dbt_migrate_example
    from classified
    where dbt_migrate_side <> 'same'
)

select totals.*, shown.*
from totals
left join shown on shown.dbt_migrate_example <= {{ examples | int }}
{%- endmacro %}
