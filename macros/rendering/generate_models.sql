{#-
    Run-operation for a batch (the Python sidecar calls it once per batch):
      dbt run-operation dbt_migrate.generate_models --args '{models: [{context: {...}, sql: "..."}, ...]}'
    Logs exactly one debug line `dbt_migrate__generate_models::<json list of results>` and, when
    print_output, prints each result's model SQL, schema YAML and snapshot YAML.
-#}
{% macro generate_models(models, print_output=true) %}
    {{ return(adapter.dispatch('generate_models', 'dbt_migrate')(models, print_output)) }}
{% endmacro %}

{% macro default__generate_models(models, print_output=true) %}
    {%- if not dbt_migrate._is_list(models) -%}
        {{ dbt_migrate._raise_argument_error('generate_models', 'models', models, 'a list of {context: <context JSON>, sql: <model body>}') }}
    {%- endif -%}
    {%- set results = [] -%}
    {%- for item in models -%}
        {%- if item is not mapping or 'context' not in item or 'sql' not in item -%}
            {{ dbt_migrate._raise_argument_error('generate_models', 'models[' ~ loop.index0 ~ ']', item, 'an object with context and sql') }}
        {%- endif -%}
        {%- do results.append(dbt_migrate._render_model(item['context'], item['sql'], 'generate_models')) -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- do log('dbt_migrate__generate_models::' ~ tojson(results), info=False) -%}
        {%- if print_output -%}
            {%- set lines = [] -%}
            {%- for result in results -%}
                {%- do lines.append(result.model_sql | trim) -%}
                {%- do lines.append(result.schema_yml | trim) -%}
                {%- if result.snapshot_yml -%}{%- do lines.append(result.snapshot_yml | trim) -%}{%- endif -%}
                {%- if result.versions_sql -%}{%- do lines.append(result.versions_sql | trim) -%}{%- endif -%}
            {%- endfor -%}
            {{ print(lines | join('\n\n') ~ '\n') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(results) }}
{% endmacro %}
