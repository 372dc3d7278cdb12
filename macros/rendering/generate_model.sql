{#-
    Run-operation: renders one migrated model and prints one part of it.
    From the context `migrate export` stored in the project (only dbt needed):
      dbt --quiet run-operation dbt_migrate.generate_model --args '{table: silver.DimStore}' > models/staging/dimstore.sql
      dbt --quiet run-operation dbt_migrate.generate_model --args '{table: silver.DimStore, part: yaml}' > models/staging/_dimstore.yml
      dbt --quiet run-operation dbt_migrate.generate_model --args '{tables: [silver.DimStore, silver.FactSales]}'
    Or from a context and SQL given in full:
      dbt --quiet run-operation dbt_migrate.generate_model --args '{context: {...}, sql: "select ..."}'
    part: sql, yaml, snapshot (dim_scd2 only), versions (the current-flag view over an SCD2
    loader's snapshot) or all (every file, each under a line naming its path); default sql, and all
    for `tables`. print_output=false only returns the text.
-#}
{% macro generate_model(context=none, sql=none, part=none, print_output=true, table=none, tables=none) %}
    {{ return(adapter.dispatch('generate_model', 'dbt_migrate')(context, sql, part, print_output, table, tables)) }}
{% endmacro %}

{% macro default__generate_model(context=none, sql=none, part=none, print_output=true, table=none, tables=none) %}
    {%- set given = [] -%}
    {%- if context is not none or sql is not none -%}{%- do given.append('context and sql') -%}{%- endif -%}
    {%- if table is not none -%}{%- do given.append('table') -%}{%- endif -%}
    {%- if tables is not none -%}{%- do given.append('tables') -%}{%- endif -%}
    {%- if given | length != 1 -%}
        {{ dbt_migrate._raise_argument_error('generate_model', 'table', table,
            'exactly one of: table (a table stored by `migrate export`), tables (a list of them), or context and sql'
            ~ ('; got ' ~ (given | join(' and ')) if given else '')) }}
    {%- endif -%}
    {%- set items = [] -%}
    {%- if tables is not none or table is not none -%}
        {%- if tables is not none and (not dbt_migrate._is_list(tables) or tables | length == 0) -%}
            {{ dbt_migrate._raise_argument_error('generate_model', 'tables', tables, 'a non-empty list of table names, e.g. [silver.DimStore]') }}
        {%- endif -%}
        {%- set stored = dbt_migrate._stored_contexts('generate_model') -%}
        {%- for name in (tables if tables is not none else [table]) -%}
            {%- set doc = dbt_migrate._stored_context(name, stored, 'generate_model') -%}
            {%- do items.append((doc['context'], doc['sql'])) -%}
        {%- endfor -%}
    {%- else -%}
        {%- do items.append((context, sql)) -%}
    {%- endif -%}
    {%- set part = part if part is not none else ('all' if tables is not none else 'sql') -%}
    {%- set parts = {'sql': 'model_sql', 'yaml': 'schema_yml', 'snapshot': 'snapshot_yml', 'versions': 'versions_sql'} -%}
    {%- if part not in parts and part != 'all' -%}
        {{ dbt_migrate._raise_argument_error('generate_model', 'part', part, 'sql, yaml, snapshot, versions or all') }}
    {%- endif -%}
    {%- set lines = [] -%}
    {%- for item in items -%}
        {%- set result = dbt_migrate._render_model(item[0], item[1], 'generate_model') -%}
        {%- if part == 'snapshot' and result.snapshot_yml is none -%}
            {{ dbt_migrate._raise_argument_error('generate_model', 'part', part,
                "sql or yaml: only classification dim_scd2 has a snapshot part") }}
        {%- endif -%}
        {%- if part == 'versions' and result.versions_sql is none -%}
            {{ dbt_migrate._raise_argument_error('generate_model', 'part', part,
                "sql, yaml or snapshot: only an SCD2 loader with a current flag (materialization.snapshot.versions_sql) has a versions part") }}
        {%- endif -%}
        {%- if part == 'all' -%}
            {%- do lines.append('-- models/staging/' ~ result.model_name ~ '.sql') -%}
            {%- do lines.append(result.model_sql | trim) -%}
            {%- do lines.append('') -%}
            {%- do lines.append('# models/staging/_' ~ result.model_name ~ '.yml') -%}
            {%- do lines.append(result.schema_yml | trim) -%}
            {%- if result.snapshot_yml -%}
                {%- do lines.append('') -%}
                {%- do lines.append('# snapshots/_' ~ result.snapshot_name ~ '.yml') -%}
                {%- do lines.append(result.snapshot_yml | trim) -%}
            {%- endif -%}
            {%- if result.versions_sql -%}
                {%- do lines.append('') -%}
                {%- do lines.append('-- models/staging/' ~ result.model_name ~ '_versions.sql') -%}
                {%- do lines.append(result.versions_sql | trim) -%}
            {%- endif -%}
        {%- else -%}
            {%- do lines.append(result[parts[part]] | trim) -%}
        {%- endif -%}
        {%- if not loop.last -%}{%- do lines.append('') -%}{%- endif -%}
    {%- endfor -%}
    {%- set output = lines | join('\n') ~ '\n' -%}
    {%- if execute and print_output -%}
        {{ print(output) }}
    {%- endif -%}
    {{ return(output) }}
{% endmacro %}
