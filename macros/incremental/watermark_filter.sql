{% macro watermark_filter(column, lookback=none) %}
    {{ return(adapter.dispatch('watermark_filter', 'dbt_migrate')(column, lookback)) }}
{% endmacro %}

{% macro default__watermark_filter(column, lookback=none) %}
    {%- if column is not string or not (column | trim) -%}
        {{ dbt_migrate._raise_argument_error('watermark_filter', 'column', column, 'the watermark column name (string), e.g. ModifiedDate') }}
    {%- endif -%}
    {%- if lookback is not none and (lookback is boolean or lookback is not number or lookback != lookback | int or lookback < 0) -%}
        {{ dbt_migrate._raise_argument_error('watermark_filter', 'lookback', lookback, 'none or a whole number of days >= 0, e.g. 3') }}
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
    {#- null-safe: an existing but empty target has max() = null, and then every row qualifies -#}
    {{ return('(' ~ column ~ ' > ' ~ lower_bound ~ ' or ' ~ current_max ~ ' is null)') }}
{% endmacro %}
