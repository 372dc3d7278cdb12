{#-
    Private to the Python sidecar: create missing source relations, empty, with their declared
    column types, so a local sandbox (DuckDB) can build and unit-test models offline.
    `sources`: list of {database, schema, identifier, columns: [{name, data_type}]}.
    Logs one line `dbt_migrate__created_sources::<json list of relation names>`.
-#}
{% macro _create_empty_sources(sources) %}
    {% set created = [] %}
    {% if execute %}
        {% for s in sources %}
            {% set database = s.get('database') or target.database %}
            {% set existing = adapter.get_relation(database=database, schema=s['schema'], identifier=s['identifier']) %}
            {% if existing is none %}
                {% set rel = api.Relation.create(database=database, schema=s['schema'], identifier=s['identifier']) %}
                {% do adapter.create_schema(api.Relation.create(database=database, schema=s['schema'])) %}
                {% set cols = [] %}
                {% for c in s.get('columns', []) %}
                    {% do cols.append(adapter.quote(c['name']) ~ ' ' ~ (c.get('data_type') or 'varchar')) %}
                {% endfor %}
                {% if cols | length == 0 %}{% do cols.append('_dbt_migrate_placeholder integer') %}{% endif %}
                {% do run_query('create table ' ~ rel ~ ' (' ~ cols | join(', ') ~ ')') %}
                {% do created.append(rel | string) %}
            {% endif %}
        {% endfor %}
        {% do adapter.commit() %}
    {% endif %}
    {% do log('dbt_migrate__created_sources::' ~ tojson(created)) %}
    {{ return(created) }}
{% endmacro %}
