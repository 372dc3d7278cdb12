{#-
    surrogate_integer(columns): a deterministic non-negative BIGINT key computed from `columns`
    (SQL expressions, e.g. ['"WWI City ID"', '"Valid From"']): the first 15 hex digits (60 bits) of
    the md5 of the values' text, each NULL written as '_dbtm_null_', joined with '|'. The same inputs
    give the same key on every run, rebuild and adapter whose text of the values agrees (DuckDB and
    PostgreSQL do), where the legacy warehouse handed out an INT from an IDENTITY or a sequence.
-#}
{% macro surrogate_integer(columns) %}
    {%- if not dbt_migrate._is_list(columns) or columns | length == 0
            or columns | reject('string') | list | length > 0 or columns | map('trim') | select('equalto', '') | list | length > 0 -%}
        {{ dbt_migrate._raise_argument_error('surrogate_integer', 'columns', columns,
            "a non-empty list of SQL expressions (strings), e.g. ['\"WWI City ID\"', '\"Valid From\"']") }}
    {%- endif -%}
    {{ return(adapter.dispatch('surrogate_integer', 'dbt_migrate')(columns)) }}
{% endmacro %}

{#- the text hashed: every value as a string, NULL spelled out, '|' between them -#}
{% macro _surrogate_text(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ (column | trim) ~ " as " ~ dbt.type_string() ~ "), '_dbtm_null_')") -%}
    {%- endfor -%}
    {{- dbt.concat(parts) -}}
{%- endmacro %}

{#- portable: the 15 hex digits summed by place value (dbt's md5 and position macros) -#}
{% macro default__surrogate_integer(columns) -%}
    {%- set digest = dbt.hash(dbt_migrate._surrogate_text(columns)) -%}
    {%- set terms = [] -%}
    {%- for i in range(15) -%}
        {%- do terms.append("cast(" ~ dbt.position("substr(" ~ digest ~ ", " ~ (i + 1) ~ ", 1)", "'0123456789abcdef'") ~ " - 1 as " ~ dbt.type_bigint() ~ ") * " ~ (16 ** (14 - i))) -%}
    {%- endfor -%}
    ({{ terms | join(' + ') }})
{%- endmacro %}

{% macro duckdb__surrogate_integer(columns) -%}
    cast('0x' || substr(md5({{ dbt_migrate._surrogate_text(columns) }}), 1, 15) as bigint)
{%- endmacro %}

{% macro postgres__surrogate_integer(columns) -%}
    cast(cast('x' || substr(md5({{ dbt_migrate._surrogate_text(columns) }}), 1, 15) as bit(60)) as bigint)
{%- endmacro %}

{% macro snowflake__surrogate_integer(columns) -%}
    cast(to_number(substr(md5({{ dbt_migrate._surrogate_text(columns) }}), 1, 15), 'XXXXXXXXXXXXXXX') as bigint)
{%- endmacro %}

{% macro databricks__surrogate_integer(columns) -%}
    cast(conv(substr(md5({{ dbt_migrate._surrogate_text(columns) }}), 1, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro spark__surrogate_integer(columns) -%}
    {{ dbt_migrate.databricks__surrogate_integer(columns) }}
{%- endmacro %}

{% macro sqlserver__surrogate_integer(columns) -%}
    cast(convert(varbinary(8), '0' + substring(lower(convert(varchar(32), hashbytes('MD5', {{ dbt_migrate._surrogate_text(columns) }}), 2)), 1, 15), 2) as bigint)
{%- endmacro %}
