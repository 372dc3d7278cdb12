{#- One render-contract result: model_name, materialized, model_sql, schema_yml, snapshot_name, snapshot_yml, versions_sql. -#}
{% macro _render_model(context, sql, macro_name) %}
    {%- set fields = dbt_migrate._context_fields(context, macro_name) -%}
    {%- set snapshot = fields.snapshot -%}
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
        {%- if model_config.get('unique_key') is not none -%}
            {%- do config.update({'unique_key': dbt_migrate._quoted_columns(model_config.unique_key)}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do config.update({'tags': fields.tags}) -%}

    {%- set model_sql = dbt_migrate._config_call(config) ~ '\n\n' ~ (sql | trim) ~ '\n' -%}
    {%- set snapshot_yml = none -%}
    {%- set versions_sql = none -%}
    {%- if model_config.materialized == 'snapshot' -%}
        {%- set snapshot_config = {} -%}
        {%- for key in ['strategy', 'updated_at', 'check_cols', 'unique_key', 'snapshot_meta_column_names', 'dbt_valid_to_current', 'hard_deletes'] -%}
            {%- if model_config.get(key) is not none -%}{%- do snapshot_config.update({key: model_config[key]}) -%}{%- endif -%}
        {%- endfor -%}
        {%- do snapshot_config.update({'tags': fields.tags}) -%}
        {%- set snapshot_yml = toyaml({'snapshots': [{
            'name': fields.model_name,
            'relation': "ref('" ~ fields.node_name ~ "')",
            'config': snapshot_config,
        }]}) -%}
        {%- if snapshot is not none and snapshot.get('versions_sql') -%}
            {%- set versions_sql = dbt_migrate._config_call({'materialized': 'view', 'tags': fields.tags})
                ~ '\n\n' ~ (snapshot.versions_sql | trim) ~ '\n' -%}
        {%- endif -%}
    {%- endif -%}
    {{ return({
        'model_name': fields.node_name,
        'materialized': model_config.materialized,
        'model_sql': model_sql,
        'schema_yml': dbt_migrate.render_schema_yml(context),
        'snapshot_name': fields.model_name if snapshot_yml else none,
        'snapshot_yml': snapshot_yml,
        'versions_sql': versions_sql,
    }) }}
{% endmacro %}
