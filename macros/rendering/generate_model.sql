{#-
    Run-operation: renders one migrated model and prints one part of it.
      dbt --quiet run-operation dbt_migrate.generate_model --args '{context: {...}, sql: "select ..."}' > models/dimstore.sql
      dbt --quiet run-operation dbt_migrate.generate_model --args '{context: {...}, sql: "...", part: yaml}' > models/_dimstore.yml
    print_output=false only returns the text (a caller in Jinja, e.g. a test, prints nothing).
-#}
{% macro generate_model(context, sql, part='sql', print_output=true) %}
    {{ return(adapter.dispatch('generate_model', 'dbt_migrate')(context, sql, part, print_output)) }}
{% endmacro %}

{% macro default__generate_model(context, sql, part='sql', print_output=true) %}
    {%- set parts = {'sql': 'model_sql', 'yaml': 'schema_yml', 'snapshot': 'snapshot_yml', 'versions': 'versions_sql'} -%}
    {%- if part not in parts -%}
        {{ dbt_migrate._raise_argument_error('generate_model', 'part', part, 'sql, yaml, snapshot or versions') }}
    {%- endif -%}
    {%- set result = dbt_migrate._render_model(context, sql, 'generate_model') -%}
    {%- if part == 'snapshot' and result.snapshot_yml is none -%}
        {{ dbt_migrate._raise_argument_error('generate_model', 'part', part,
            "sql or yaml: only classification dim_scd2 has a snapshot part") }}
    {%- endif -%}
    {%- if part == 'versions' and result.versions_sql is none -%}
        {{ dbt_migrate._raise_argument_error('generate_model', 'part', part,
            "sql, yaml or snapshot: only an SCD2 loader with a current flag (materialization.snapshot.versions_sql) has a versions part") }}
    {%- endif -%}
    {%- set lines = [result[parts[part]] | trim] -%}
    {%- set output = lines | join('\n') ~ '\n' -%}
    {%- if execute and print_output -%}
        {{ print(output) }}
    {%- endif -%}
    {{ return(output) }}
{% endmacro %}
