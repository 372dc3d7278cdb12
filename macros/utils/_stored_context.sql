{#-
    The migration contexts `migrate export` (and every `migrate run` / `generate`) stored in this
    dbt project: analyses `dbt_migrate_context__<model>` whose `config.meta.dbt_migrate_context` is
    one JSON document {table, model_name, context, sql}. Returns {lookup key: document}; the keys
    are the table in lower case (`silver.dimstore`) and the model name (`dimstore`).
-#}
{% macro _stored_contexts(macro_name) %}
    {%- set found = {} -%}
    {%- if not execute -%}{{ return(found) }}{%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'analysis' -%}
        {%- set raw = (node.config.meta or {}).get('dbt_migrate_context') -%}
        {%- if raw is not none -%}
            {%- set doc = fromjson(raw) if raw is string else none -%}
            {%- if doc is not mapping or doc.get('table') is not string or doc.get('context') is not mapping or doc.get('sql') is not string -%}
                {{ exceptions.raise_compiler_error(
                    "dbt_migrate." ~ macro_name ~ ": the stored migration context in " ~ node.original_file_path
                    ~ " is not a JSON object with table, context and sql; re-run `migrate export` and commit its files"
                ) }}
            {%- endif -%}
            {%- do found.update({doc['table'] | lower: doc}) -%}
            {%- if doc.get('model_name') is string -%}{%- do found.update({doc['model_name'] | lower: doc}) -%}{%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{#- One stored document by table (`silver.DimStore`, any case) or model name; a compiler error naming what is stored otherwise. -#}
{% macro _stored_context(table, stored, macro_name) %}
    {%- if table is not string or not (table | trim) -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'table', table, "a table name, e.g. silver.DimStore (or its model name)") }}
    {%- endif -%}
    {%- if not stored -%}
        {{ exceptions.raise_compiler_error(
            "dbt_migrate." ~ macro_name ~ ": this dbt project holds no stored migration context (asked for '" ~ table
            ~ "'); run `migrate export` where the migration project is, then commit analyses/dbt_migrate/ and models/staging/_dbt_migrate__sources.yml"
        ) }}
    {%- endif -%}
    {%- set key = table | trim | lower -%}
    {%- if key not in stored -%}
        {%- set tables = [] -%}
        {%- for doc in stored.values() -%}{%- if doc['table'] not in tables -%}{%- do tables.append(doc['table']) -%}{%- endif -%}{%- endfor -%}
        {{ dbt_migrate._raise_argument_error(macro_name, 'table', table,
            'a table with a stored migration context: ' ~ (tables | sort | join(', '))) }}
    {%- endif -%}
    {{ return(stored[key]) }}
{% endmacro %}
