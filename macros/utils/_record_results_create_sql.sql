{#- create table if not exists for record_results' table, with cross-database types. -#}
{% macro _record_results_create_sql(relation) %}
    {{ return('create table if not exists ' ~ relation ~ ' (invocation_id ' ~ dbt.type_string() ~ ', model_name ' ~ dbt.type_string()
        ~ ', status ' ~ dbt.type_string() ~ ', rows_affected ' ~ dbt.type_bigint() ~ ', execution_time ' ~ dbt.type_float()
        ~ ', recorded_at ' ~ dbt.type_timestamp() ~ ')') }}
{% endmacro %}
