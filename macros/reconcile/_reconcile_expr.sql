{#-
    One side's expression for a compared column: the quoted column, then each operation in order.
    `trim` / `lower` / `upper` (on the value as text), `cast:<type>`, `date:<strftime format>`
    (the value as a timestamp, formatted).
    The sidecar validates the operations (reconcile/plan.py); an unknown one is a compiler error.
-#}
{% macro _reconcile_expr(column, ops) %}
    {#- a list, not a variable: a `set` inside a for loop does not outlive the iteration -#}
    {%- set acc = [adapter.quote(column)] -%}
    {%- for op in ops or [] -%}
        {%- set kind = op.split(':')[0] -%}
        {%- set arg = op[kind | length + 1:] -%}
        {%- if op in ['trim', 'lower', 'upper'] -%}
            {%- do acc.append(op ~ '(cast(' ~ acc[-1] ~ ' as ' ~ dbt.type_string() ~ '))') -%}
        {%- elif kind == 'cast' and modules.re.match('^[A-Za-z][A-Za-z0-9_ ]*([(][ 0-9,]+[)])?$', arg) -%}
            {%- do acc.append('cast(' ~ acc[-1] ~ ' as ' ~ arg ~ ')') -%}
        {%- elif kind == 'date' and arg -%}
            {%- do acc.append(adapter.dispatch('_reconcile_format_date', 'dbt_migrate')(acc[-1], arg)) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("dbt_migrate.reconcile_query: unknown column operation " ~ op ~ " (trim, lower, upper, cast:<type>, date:<format>)") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(acc[-1]) }}
{% endmacro %}

{#- strftime on DuckDB (and the default); PostgreSQL's to_char with the format translated. -#}
{% macro default___reconcile_format_date(expr, fmt) %}
    {{ return('strftime(cast(' ~ expr ~ ' as timestamp), ' ~ dbt_migrate._sql_literal(fmt) ~ ')') }}
{% endmacro %}

{% macro postgres___reconcile_format_date(expr, fmt) %}
    {%- set pg = [fmt] -%}
    {%- for strf, pgf in [('%Y', 'YYYY'), ('%y', 'YY'), ('%m', 'MM'), ('%d', 'DD'), ('%H', 'HH24'), ('%I', 'HH12'),
                          ('%M', 'MI'), ('%S', 'SS'), ('%f', 'US'), ('%j', 'DDD'), ('%b', 'Mon'), ('%B', 'FMMonth'),
                          ('%a', 'Dy'), ('%A', 'FMDay'), ('%p', 'AM'), ('%%', '%')] -%}
        {%- do pg.append(pg[-1] | replace(strf, pgf)) -%}
    {%- endfor -%}
    {{ return('to_char(cast(' ~ expr ~ ' as timestamp), ' ~ dbt_migrate._sql_literal(pg[-1]) ~ ')') }}
{% endmacro %}
