{#-
    Validates a render context (docs/render-contract.md) and returns the fields the macros use:
    model_name, node_name (stg_<model_name> for dim_scd2), classification, unique_key, watermark,
    tags, description, table, writer, columns, schema_tests, unit_tests, config (model_config(), or the
    settings in materialization.snapshot of an SCD2 loader the sidecar recognised), snapshot,
    legacy_schema (context.legacy_schema, else the project var dbt_migrate_legacy_schema, else none).
-#}
{% macro _context_fields(context, macro_name) %}
    {%- if context is not mapping -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context', context, 'the context JSON object of `migrate context --table T` (see docs/render-contract.md)') }}
    {%- endif -%}
    {%- set model_name = context.get('model_name') -%}
    {%- if model_name is not string or not (model_name | trim) -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context.model_name', model_name, 'a non-empty model name, e.g. dimstore') }}
    {%- endif -%}
    {%- set materialization = context.get('materialization') -%}
    {%- if materialization is not mapping -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context.materialization', materialization, "an object with classification, unique_key, watermark") }}
    {%- endif -%}
    {%- set classification = materialization.get('classification') -%}
    {%- set known = dbt_migrate._known_classifications() -%}
    {%- if classification is not string or classification not in known -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context.materialization.classification', classification,
            'one of the known classifications: ' ~ (known.keys() | list | join(', '))) }}
    {%- endif -%}
    {%- set snapshot = materialization.get('snapshot') -%}
    {%- if snapshot is not none and (classification != 'dim_scd2' or snapshot is not mapping) -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context.materialization.snapshot', snapshot,
            "the settings of a dim_scd2 loader's snapshot (strategy, unique_key, ...), or nothing") }}
    {%- endif -%}
    {%- if snapshot is mapping -%}
        {#- an SCD2 loader the sidecar recognised: its snapshot settings, from the procedure itself -#}
        {%- if snapshot.get('strategy') not in ['check', 'timestamp'] or not snapshot.get('unique_key') -%}
            {{ dbt_migrate._raise_argument_error(macro_name, 'snapshot', snapshot, "strategy 'check' or 'timestamp' and a unique_key") }}
        {%- endif -%}
        {%- set config = {'materialized': 'snapshot'} -%}
        {%- for key, value in snapshot.items() if key != 'versions_sql' -%}
            {%- do config.update({key: value}) -%}
        {%- endfor -%}
    {%- elif materialization.get('incremental_strategy') -%}
        {#- the procedure's shape decides (a slice reload: delete+insert on the slice columns) -#}
        {%- set config = {'materialized': 'incremental',
                          'incremental_strategy': materialization.incremental_strategy,
                          'unique_key': dbt_migrate._normalize_unique_key(materialization.get('unique_key'), macro_name)} -%}
    {%- else -%}
        {%- set config = dbt_migrate.model_config(classification, materialization.get('unique_key'), materialization.get('watermark')) -%}
    {%- endif -%}
    {%- set tags = context.get('tags', ['dbt_migrate']) -%}
    {%- if tags is none -%}{%- set tags = [] -%}{%- endif -%}
    {%- if tags is string -%}{%- set tags = [tags] -%}{%- endif -%}
    {%- if not dbt_migrate._is_list(tags) -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context.tags', tags, 'a list of tag names') }}
    {%- endif -%}
    {%- for key in ['columns', 'schema_tests', 'unit_tests'] -%}
        {%- if context.get(key) is not none and not dbt_migrate._is_list(context.get(key)) -%}
            {{ dbt_migrate._raise_argument_error(macro_name, 'context.' ~ key, context.get(key), 'a list') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set legacy_schema = context.get('legacy_schema') or var('dbt_migrate_legacy_schema', none) -%}
    {%- if legacy_schema is not none and (legacy_schema is not string or not (legacy_schema | trim)) -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'context.legacy_schema (or var dbt_migrate_legacy_schema)', legacy_schema, 'the name of the schema holding the legacy tables') }}
    {%- endif -%}
    {%- set model_name = model_name | trim -%}
    {{ return({
        'model_name': model_name,
        'node_name': ('stg_' ~ model_name) if classification == 'dim_scd2' else model_name,
        'classification': classification,
        'unique_key': config.get('unique_key'),
        'watermark': materialization.get('watermark'),
        'tags': tags | list,
        'description': context.get('description'),
        'table': context.get('table'),
        'writer': context.get('writer'),
        'columns': context.get('columns') or [],
        'schema_tests': context.get('schema_tests') or [],
        'unit_tests': context.get('unit_tests') or [],
        'config': config,
        'legacy_schema': legacy_schema | trim if legacy_schema else none,
        'snapshot': snapshot,
    }) }}
{% endmacro %}
