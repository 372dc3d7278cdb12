{#-
    Private to the Python sidecar: create missing source relations, empty, with their declared
    column types, so a local sandbox (DuckDB) can build and unit-test models offline.
    `sources`: list of {database, schema, identifier, columns: [{name, data_type}]}.
    Logs one line `dbt_migrate__created_sources::<json list of relation names>`.
    A whole warehouse declares hundreds of sources: schemas are created once each and the missing
    tables in one statement batch.
-#}
{% macro _create_empty_sources(sources) %}
    {% set created = [] %}
    {% if execute %}
        {% set schemas = [] %}
        {% set statements = [] %}
        {% for s in sources %}
            {% set database = s.get('database') or target.database %}
            {% set schema_key = (database ~ '.' ~ s['schema']) | lower %}
            {% if schema_key not in schemas %}
                {% do adapter.create_schema(api.Relation.create(database=database, schema=s['schema'])) %}
                {% do schemas.append(schema_key) %}
            {% endif %}
            {% set rel = api.Relation.create(database=database, schema=s['schema'], identifier=s['identifier']) %}
            {% set existing = adapter.get_relation(database=database, schema=s['schema'], identifier=s['identifier']) %}
            {#- two source entries may name one relation: create it once -#}
            {% if existing is none and (rel | string) not in created %}
                {% set cols = [] %}
                {% for c in s.get('columns', []) %}
                    {% do cols.append(adapter.quote(c['name']) ~ ' ' ~ (c.get('data_type') or 'varchar')) %}
                {% endfor %}
                {% if cols | length == 0 %}{% do cols.append('_dbt_migrate_placeholder integer') %}{% endif %}
                {% do statements.append('create table ' ~ rel ~ ' (' ~ cols | join(', ') ~ ')') %}
                {% do created.append(rel | string) %}
            {% endif %}
        {% endfor %}
        {% if statements %}
            {% do run_query(statements | join(';\n')) %}
        {% endif %}
        {% do adapter.commit() %}
    {% endif %}
    {% do log('dbt_migrate__created_sources::' ~ tojson(created)) %}
    {{ return(created) }}
{% endmacro %}
