{#-
    Private to the Python sidecar's `migrate reconcile` (python/dbt_migrate/reconcile/): the three
    run-operations of a round. Each logs one line `dbt_migrate__reconcile_<op>::<json>`.
-#}

{#-
    Load one round in one transaction: `drops` (relations to drop first: the migrated models and
    snapshots before round 1), then each load {database, schema, identifier, how: replace | append
    | create, columns: [names], types: [sql types] (create without a file), path + format
    (csv / parquet, read by the warehouse) or from_relation or rows (values, for warehouses that
    cannot read the file)}. Nothing is committed unless every statement ran.
-#}
{% macro _reconcile_load(loads, drops=[]) %}
    {%- set statements = [] -%}
    {%- set schemas = [] -%}
    {%- for d in drops -%}
        {%- set rel = adapter.get_relation(database=d.get('database') or target.database, schema=d['schema'], identifier=d['identifier']) -%}
        {%- if rel is not none -%}
            {%- do statements.append('drop ' ~ ('view' if rel.is_view else 'table') ~ ' if exists ' ~ rel) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for load in loads -%}
        {%- set database = load.get('database') or target.database -%}
        {%- set schema_key = (database ~ '.' ~ load['schema']) | lower -%}
        {%- if load['how'] == 'create' and schema_key not in schemas -%}
            {%- do adapter.create_schema(api.Relation.create(database=database, schema=load['schema'])) -%}
            {%- do schemas.append(schema_key) -%}
        {%- endif -%}
        {%- set rel = api.Relation.create(database=database, schema=load['schema'], identifier=load['identifier']) -%}
        {%- set cols = [] -%}
        {%- for c in load['columns'] -%}{%- do cols.append(adapter.quote(c)) -%}{%- endfor -%}
        {%- set col_list = cols | join(', ') -%}
        {%- if load.get('path') -%}
            {%- set select = 'select ' ~ col_list ~ ' from ' ~ adapter.dispatch('_reconcile_read_file', 'dbt_migrate')(load['path'], load['format']) -%}
        {%- elif load.get('from_relation') -%}
            {%- set r = load['from_relation'] -%}
            {%- set select = 'select ' ~ col_list ~ ' from ' ~ api.Relation.create(database=r.get('database') or target.database, schema=r['schema'], identifier=r['identifier']) -%}
        {%- else -%}
            {%- set select = none -%}
        {%- endif -%}
        {%- if load['how'] == 'create' -%}
            {%- do statements.append('drop table if exists ' ~ rel) -%}
            {%- if select is not none -%}
                {%- do statements.append('create table ' ~ rel ~ ' as ' ~ select) -%}
            {%- else -%}
                {%- set defs = [] -%}
                {%- for c in load['columns'] -%}{%- do defs.append(adapter.quote(c) ~ ' ' ~ load['types'][loop.index0]) -%}{%- endfor -%}
                {%- do statements.append('create table ' ~ rel ~ ' (' ~ defs | join(', ') ~ ')') -%}
            {%- endif -%}
        {%- elif load['how'] == 'replace' -%}
            {%- do statements.append('delete from ' ~ rel) -%}
        {%- endif -%}
        {%- if select is not none and load['how'] != 'create' -%}
            {%- do statements.append('insert into ' ~ rel ~ ' (' ~ col_list ~ ') ' ~ select) -%}
        {%- elif select is none -%}
            {%- for batch in (load.get('rows') or []) | batch(500) -%}
                {%- set values = [] -%}
                {%- for row in batch -%}
                    {%- set literals = [] -%}
                    {%- for v in row -%}{%- do literals.append(dbt_migrate._sql_literal(v)) -%}{%- endfor -%}
                    {%- do values.append('(' ~ literals | join(', ') ~ ')') -%}
                {%- endfor -%}
                {%- do statements.append('insert into ' ~ rel ~ ' (' ~ col_list ~ ') values ' ~ values | join(', ')) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and statements -%}
        {%- do adapter.dispatch('_reconcile_run_in_transaction', 'dbt_migrate')(statements) -%}
    {%- endif -%}
    {%- do log('dbt_migrate__reconcile_load::' ~ tojson({'statements': statements | length})) -%}
{% endmacro %}

{% macro default___reconcile_read_file(path, format) %}
    {%- if format == 'parquet' -%}
        {{ return('read_parquet(' ~ dbt_migrate._sql_literal(path) ~ ')') }}
    {%- endif -%}
    {{ return('read_csv_auto(' ~ dbt_migrate._sql_literal(path) ~ ', header = true)') }}
{% endmacro %}

{#-
    One transaction: dbt opens it for the statement (run_query would not) and it is committed once,
    after the last statement; a failing statement leaves it uncommitted and dbt rolls it back.
-#}
{% macro default___reconcile_run_in_transaction(statements) %}
    {%- call statement('dbt_migrate_reconcile_load', auto_begin=True) -%}
        {{ statements | join(';\n') }}
    {%- endcall -%}
    {%- do adapter.commit() -%}
{% endmacro %}

{#-
    Columns of relations: `relations` [{name, database, schema, identifier}] ->
    {name: [{name, type, kind: text | number | date | boolean | other}] or null when it does not exist}.
-#}
{% macro _reconcile_describe(relations) %}
    {%- set out = {} -%}
    {%- for r in relations -%}
        {%- set rel = adapter.get_relation(database=r.get('database') or target.database, schema=r['schema'], identifier=r['identifier']) -%}
        {%- if rel is none -%}
            {%- do out.update({r['name']: none}) -%}
        {%- else -%}
            {%- set cols = [] -%}
            {%- for c in adapter.get_columns_in_relation(rel) -%}
                {%- set t = c.data_type | lower -%}
                {%- if c.is_string() -%}{%- set kind = 'text' -%}
                {%- elif c.is_number() or modules.re.match('^(decimal|numeric|double|float|real|int|bigint|smallint|tinyint|hugeint|integer)', t) -%}{%- set kind = 'number' -%}
                {%- elif 'bool' in t -%}{%- set kind = 'boolean' -%}
                {%- elif 'date' in t or 'time' in t -%}{%- set kind = 'date' -%}
                {%- else -%}{%- set kind = 'other' -%}
                {%- endif -%}
                {%- do cols.append({'name': c.name, 'type': c.data_type, 'kind': kind}) -%}
            {%- endfor -%}
            {%- do out.update({r['name']: {'relation': rel | string, 'columns': cols}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log('dbt_migrate__reconcile_describe::' ~ tojson(out)) -%}
{% endmacro %}

{#-
    Run the comparisons: `comparisons` [{id, report, model_relation, legacy_relation, columns, key,
    group_by, measures, scd2}] -> {id: {columns: [result column names], rows: [[values as text]]}
    or {error: message}}. One query per comparison (reconcile_query); a failing query is that
    comparison's error, the others still run.
-#}
{% macro _reconcile_compare(comparisons, examples=5) %}
    {%- set out = {} -%}
    {%- for c in comparisons -%}
        {%- set sql = dbt_migrate.reconcile_query(c['report'], c['model_relation'], c['legacy_relation'], c.get('columns', []),
            c.get('key', []), c.get('group_by', []), c.get('measures', []), c.get('scd2'), examples) -%}
        {%- if execute -%}
            {%- set result = dbt_migrate._reconcile_try_query(sql) -%}
            {%- do out.update({c['id']: result}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log('dbt_migrate__reconcile_compare::' ~ tojson(out)) -%}
{% endmacro %}

{% macro _reconcile_try_query(sql) %}
    {%- set table = run_query(sql) -%}
    {%- set rows = [] -%}
    {%- for row in table.rows -%}
        {%- set values = [] -%}
        {%- for v in row -%}{%- do values.append(none if v is none else v | string) -%}{%- endfor -%}
        {%- do rows.append(values) -%}
    {%- endfor -%}
    {{ return({'columns': table.column_names | list, 'rows': rows}) }}
{% endmacro %}
