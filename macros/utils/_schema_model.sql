{#-
    The `models:` entry for a context: name, description, config (tags, meta.dbt_migrate),
    model-level data_tests (multi-column keys; `equal_to_legacy` tagged `dbt_migrate_legacy` when a
    legacy schema is set, except for dim_scd2) and columns with their data_tests / pii meta.
-#}
{% macro _schema_model(context, macro_name) %}
    {%- set fields = dbt_migrate._context_fields(context, macro_name) -%}
    {%- set accepted_kinds = 'entity_integrity, referential_integrity, pii, recency' -%}

    {%- set columns = {} -%}
    {%- set column_order = [] -%}
    {%- for column in fields.columns -%}
        {%- if column is not mapping or column.get('name') is not string or not column.get('name') -%}
            {{ dbt_migrate._raise_argument_error(macro_name, 'context.columns[' ~ loop.index0 ~ ']', column, 'an object with name') }}
        {%- endif -%}
        {%- set entry = {'name': column['name']} -%}
        {%- if column.get('description') -%}{%- do entry.update({'description': column['description']}) -%}{%- endif -%}
        {%- if column.get('data_type') -%}{%- do entry.update({'data_type': column['data_type']}) -%}{%- endif -%}
        {%- do columns.update({column['name'] | lower: entry}) -%}
        {%- do column_order.append(column['name'] | lower) -%}
    {%- endfor -%}

    {%- set model_tests = [] -%}
    {%- set recency = [] -%}
    {%- for spec in fields.schema_tests -%}
        {%- set where = 'context.schema_tests[' ~ loop.index0 ~ ']' -%}
        {%- if spec is not mapping -%}
            {{ dbt_migrate._raise_argument_error(macro_name, where, spec, 'an object with kind (' ~ accepted_kinds ~ ')') }}
        {%- endif -%}
        {%- set kind = spec.get('kind') -%}
        {%- set column_test = none -%}
        {%- if kind == 'entity_integrity' -%}
            {%- set key_columns = dbt_migrate._column_list(spec.get('columns'), macro_name, where ~ '.columns') -%}
            {%- if spec.get('test') == 'unique_combination_of_columns' or key_columns | length > 1 -%}
                {%- if key_columns | length == 0 -%}
                    {{ dbt_migrate._raise_argument_error(macro_name, where ~ '.columns', spec.get('columns'), 'a list of key columns') }}
                {%- endif -%}
                {%- do model_tests.append({'dbt_migrate.unique_combination_of_columns': {'arguments': {'combination_of_columns': key_columns}}}) -%}
            {%- elif spec.get('test') in ['unique', 'not_null'] -%}
                {%- set column_test = spec['test'] -%}
                {%- set column_name = spec.get('column') or (key_columns[0] if key_columns else none) -%}
            {%- else -%}
                {{ dbt_migrate._raise_argument_error(macro_name, where ~ '.test', spec.get('test'), 'unique, not_null or unique_combination_of_columns') }}
            {%- endif -%}
        {%- elif kind == 'referential_integrity' -%}
            {%- if not spec.get('to') or not spec.get('field') -%}
                {{ dbt_migrate._raise_argument_error(macro_name, where, spec, "to (e.g. \"ref('dimstore')\") and field") }}
            {%- endif -%}
            {#- dbt's relationships test writes `select <field> as to_field`: a name SQL must quote goes quoted -#}
            {%- set column_test = {'relationships': {'arguments': {'to': dbt_migrate._relation_ref(spec['to']), 'field': dbt_migrate._quoted_columns(spec['field'])}}} -%}
            {%- set column_name = spec.get('column') -%}
        {%- elif kind == 'pii' -%}
            {%- set column_name = spec.get('column') -%}
        {%- elif kind == 'recency' -%}
            {%- set entry = {} -%}
            {%- for key, value in spec.items() -%}{%- if key != 'kind' -%}{%- do entry.update({key: value}) -%}{%- endif -%}{%- endfor -%}
            {%- do recency.append(entry) -%}
            {%- set column_name = none -%}
        {%- else -%}
            {{ dbt_migrate._raise_argument_error(macro_name, where ~ '.kind', kind, 'one of ' ~ accepted_kinds) }}
        {%- endif -%}

        {%- if kind in ['entity_integrity', 'referential_integrity', 'pii'] and (column_test is not none or kind == 'pii') -%}
            {%- if column_name is not string or not column_name -%}
                {{ dbt_migrate._raise_argument_error(macro_name, where ~ '.column', column_name, 'a column name') }}
            {%- endif -%}
            {%- if column_name | lower not in columns -%}
                {%- do columns.update({column_name | lower: {'name': column_name}}) -%}
                {%- do column_order.append(column_name | lower) -%}
            {%- endif -%}
            {%- set entry = columns[column_name | lower] -%}
            {%- if kind == 'pii' -%}
                {%- if not spec.get('action') -%}
                    {{ dbt_migrate._raise_argument_error(macro_name, where ~ '.action', spec.get('action'), 'mask, drop, tokenize or keep') }}
                {%- endif -%}
                {%- do entry.update({'config': {'meta': {'pii_action': spec['action']}}}) -%}
            {%- else -%}
                {%- if 'data_tests' not in entry -%}{%- do entry.update({'data_tests': []}) -%}{%- endif -%}
                {%- if column_test not in entry['data_tests'] -%}{%- do entry['data_tests'].append(column_test) -%}{%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {#- the legacy comparison: the model against <legacy_schema>.<its legacy table>, tagged for a job to select -#}
    {%- if fields.legacy_schema and fields.table and fields.classification != 'dim_scd2' -%}
        {%- set legacy_arguments = {'legacy_relation': fields.legacy_schema ~ '.' ~ (fields.table | string).split('.')[-1]} -%}
        {%- if fields.unique_key -%}{%- do legacy_arguments.update({'key': fields.unique_key}) -%}{%- endif -%}
        {%- do model_tests.append({'dbt_migrate.equal_to_legacy': {'arguments': legacy_arguments, 'config': {'tags': ['dbt_migrate_legacy']}}}) -%}
    {%- endif -%}
    {%- set meta = {'table': fields.table, 'writer': fields.writer, 'classification': fields.classification} -%}
    {%- if recency -%}{%- do meta.update({'recency': recency}) -%}{%- endif -%}
    {%- set model = {'name': fields.node_name} -%}
    {%- if fields.description -%}{%- do model.update({'description': fields.description}) -%}{%- endif -%}
    {%- do model.update({'config': {'tags': fields.tags, 'meta': {'dbt_migrate': meta}}}) -%}
    {%- if model_tests -%}{%- do model.update({'data_tests': model_tests}) -%}{%- endif -%}
    {%- set column_entries = [] -%}
    {%- for name in column_order -%}
        {%- set entry = columns[name] -%}
        {#- a name SQL must quote (SQL Server's [WWI City ID]): the generic tests write it quoted -#}
        {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', entry['name']) -%}{%- do entry.update({'quote': true}) -%}{%- endif -%}
        {%- do column_entries.append(entry) -%}
    {%- endfor -%}
    {%- if column_entries -%}{%- do model.update({'columns': column_entries}) -%}{%- endif -%}
    {{ return(model) }}
{% endmacro %}
