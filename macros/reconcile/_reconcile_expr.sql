{#-
    One side's expression for a compared column: the quoted column, then each operation in order.
    `trim` / `lower` / `upper` (on the value as text), `cast:<type>`, `date:<strftime format>`
    (the value as a timestamp, formatted), `round:<digits>` (numeric tolerance in multiset diffs).
    The sidecar validates the operations (reconcile/plan.py); an unknown one is a compiler error.
-#}
{% macro _reconcile_expr(column, ops) %}
    {%- set expr = adapter.quote(column) -%}
    {%- for op in ops or [] -%}
        {%- set kind = op.split(':')[0] -%}
        {%- set arg = op[kind | length + 1:] -%}
        {%- if op in ['trim', 'lower', 'upper'] -%}
            {%- set expr = op ~ '(cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ '))' -%}
        {%- elif kind == 'cast' and modules.re.match('^[A-Za-z][A-Za-z0-9_ ]*([(][ 0-9,]+[)])?$', arg) -%}
            {%- set expr = 'cast(' ~ expr ~ ' as ' ~ arg ~ ')' -%}
        {%- elif kind == 'date' and arg -%}
            {%- set expr = adapter.dispatch('_reconcile_format_date', 'dbt_migrate')(expr, arg) -%}
        {%- elif kind == 'round' and modules.re.match('^[0-9]+$', arg) -%}
            {%- set expr = 'round(cast(' ~ expr ~ ' as decimal(38, 10)), ' ~ arg ~ ')' -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("dbt_migrate.reconcile_query: unknown column operation " ~ op ~ " (trim, lower, upper, cast:<type>, date:<format>, round:<digits>)") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(expr) }}
{% endmacro %}

{#- strftime on DuckDB (and the default); PostgreSQL's to_char with the format translated. -#}
{% macro default___reconcile_format_date(expr, fmt) %}
    {{ return('strftime(cast(' ~ expr ~ ' as timestamp), ' ~ dbt_migrate._sql_literal(fmt) ~ ')') }}
{% endmacro %}

{% macro postgres___reconcile_format_date(expr, fmt) %}
    {%- set pg = fmt -%}
    {%- for strf, pgf in [('%Y', 'YYYY'), ('%y', 'YY'), ('%m', 'MM'), ('%d', 'DD'), ('%H', 'HH24'), ('%I', 'HH12'),
                          ('%M', 'MI'), ('%S', 'SS'), ('%f', 'US'), ('%j', 'DDD'), ('%b', 'Mon'), ('%B', 'FMMonth'),
                          ('%a', 'Dy'), ('%A', 'FMDay'), ('%p', 'AM'), ('%%', '%')] -%}
        {%- set pg = pg | replace(strf, pgf) -%}
    {%- endfor -%}
    {{ return('to_char(cast(' ~ expr ~ ' as timestamp), ' ~ dbt_migrate._sql_literal(pg) ~ ')') }}
{% endmacro %}
