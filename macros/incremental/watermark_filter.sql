{% macro watermark_filter(column, lookback=none, changed_columns=none) %}
    {{ return(adapter.dispatch('watermark_filter', 'dbt_migrate')(column, lookback, changed_columns)) }}
{% endmacro %}

{% macro default__watermark_filter(column, lookback=none, changed_columns=none) %}
    {%- if column is not string or not (column | trim) -%}
        {{ dbt_migrate._raise_argument_error('watermark_filter', 'column', column, 'the watermark column name (string), e.g. ModifiedDate') }}
    {%- endif -%}
    {%- if lookback is not none and (lookback is boolean or lookback is not number or lookback != lookback | int or lookback < 0) -%}
        {{ dbt_migrate._raise_argument_error('watermark_filter', 'lookback', lookback, 'none or a whole number of days >= 0, e.g. 3') }}
    {%- endif -%}
    {%- if changed_columns is not none and (not dbt_migrate._is_list(changed_columns) or changed_columns | length == 0
            or changed_columns | reject('string') | list | length > 0 or changed_columns | map('trim') | select('equalto', '') | list | length > 0) -%}
        {{ dbt_migrate._raise_argument_error('watermark_filter', 'changed_columns', changed_columns,
            "none or a non-empty list of the inputs' change columns as the query names them, e.g. ['s.ModifiedDate', 'r.ModifiedDate']") }}
    {%- endif -%}

    {#- `this` is none in a unit test that gives no `this` input: not an incremental run -#}
    {%- if this is none or not is_incremental() -%}
        {{ return('1 = 1') }}
    {%- endif -%}

    {%- set column = column | trim -%}
    {%- set current_max = '(select max(' ~ column ~ ') from ' ~ this ~ ')' -%}
    {%- if lookback -%}
        {%- set lower_bound = dbt.dateadd('day', -1 * (lookback | int), current_max) | trim -%}
    {%- else -%}
        {%- set lower_bound = current_max -%}
    {%- endif -%}
    {#- a row passes when any input that can change it changed past the target's watermark (the
        greatest of the inputs' change columns, null-safe without greatest(): an input a left join
        did not match has null there); an empty target has max() = null, and then every row qualifies -#}
    {%- set changed = [] -%}
    {%- for c in (changed_columns if changed_columns is not none else [column]) -%}
        {%- do changed.append((c | trim) ~ ' > ' ~ lower_bound) -%}
    {%- endfor -%}
    {{ return('(' ~ changed | join(' or ') ~ ' or ' ~ current_max ~ ' is null)') }}
{% endmacro %}
