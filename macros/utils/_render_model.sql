{#- One render-contract result: model_name, materialized, model_sql, schema_yml, snapshot_name, snapshot_yml. -#}
{% macro _render_model(context, sql, macro_name) %}
    {%- set fields = dbt_migrate._context_fields(context, macro_name) -%}
    {%- if sql is not string or not (sql | trim) -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'sql', sql, 'the converted SELECT (a non-empty string, no config block)') }}
    {%- endif -%}
    {%- set model_config = fields.config -%}
    {%- set config = {} -%}
    {%- if model_config.materialized == 'snapshot' -%}
        {#- dim_scd2: the transformation is a table stg_<model_name>; the snapshot is YAML on top of it -#}
        {%- do config.update({'materialized': 'table'}) -%}
    {%- else -%}
        {%- do config.update(model_config) -%}
        {%- if model_config.materialized == 'incremental' -%}
            {%- do config.update({'on_schema_change': 'append_new_columns'}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do config.update({'tags': fields.tags}) -%}

    {%- set model_sql = dbt_migrate._config_call(config) ~ '\n\n' ~ (sql | trim) ~ '\n' -%}
    {%- set snapshot_yml = none -%}
    {%- if model_config.materialized == 'snapshot' -%}
        {%- set snapshot_yml = toyaml({'snapshots': [{
            'name': fields.model_name,
            'relation': "ref('" ~ fields.node_name ~ "')",
            'config': {
                'strategy': model_config.strategy,
                'updated_at': model_config.updated_at,
                'unique_key': model_config.unique_key,
                'tags': fields.tags,
            },
        }]}) -%}
    {%- endif -%}
    {{ return({
        'model_name': fields.node_name,
        'materialized': model_config.materialized,
        'model_sql': model_sql,
        'schema_yml': dbt_migrate.render_schema_yml(context),
        'snapshot_name': fields.model_name if snapshot_yml else none,
        'snapshot_yml': snapshot_yml,
    }) }}
{% endmacro %}
