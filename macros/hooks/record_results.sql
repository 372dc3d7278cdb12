{#-
    on-run-end hook. In dbt_project.yml:
        on-run-end: ["{{ dbt_migrate.record_results(results) }}"]
    Appends one row per model (and snapshot) tagged `dbt_migrate` to <target schema>.dbt_migrate_results,
    creating the table when it is missing.
-#}
{% macro record_results(results) %}
    {{ return(adapter.dispatch('record_results', 'dbt_migrate')(results)) }}
{% endmacro %}

{% macro default__record_results(results) %}
    {%- if not execute or results is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- set tags = (node.tags or []) | list + ((node.config.tags or []) if node.config.tags is not string else [node.config.tags]) | list -%}
        {%- if node.resource_type in ['model', 'snapshot'] and 'dbt_migrate' in tags -%}
            {%- set response = result.adapter_response or {} -%}
            {%- set rows_affected = response.get('rows_affected') if response is mapping else none -%}
            {%- do rows.append('(' ~ [
                dbt_migrate._sql_literal(invocation_id),
                dbt_migrate._sql_literal(node.name),
                dbt_migrate._sql_literal(result.status | string),
                dbt.safe_cast(dbt_migrate._sql_literal(rows_affected), dbt.type_bigint()),
                dbt.safe_cast(dbt_migrate._sql_literal(result.execution_time), dbt.type_float()),
                dbt.current_timestamp(),
            ] | join(', ') ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not rows -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = api.Relation.create(database=target.database, schema=target.schema, identifier='dbt_migrate_results') -%}
    {#- returned, not run with run_query: dbt runs on-run-end SQL outside a transaction, so it sticks on every adapter -#}
    {{ return(dbt_migrate._record_results_create_sql(relation) ~ ';\n'
        ~ 'insert into ' ~ relation ~ ' (invocation_id, model_name, status, rows_affected, execution_time, recorded_at) values\n'
        ~ rows | join(',\n')) }}
{% endmacro %}
