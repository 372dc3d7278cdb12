{#-
    Accepts a relation, or a string: "ref('model')", "ref('package', 'model')",
    "source('source_name', 'table')", or a dotted name "table" / "schema.table" / "database.schema.table"
    (brackets and quotes stripped; missing parts default to the target's database and schema).
-#}
{% macro _resolve_relation(value, macro_name, argument) %}
    {%- set expected = "a relation, \"ref('model')\", \"source('source_name', 'table')\" or 'schema.table'" -%}
    {%- if value is none -%}
        {{ dbt_migrate._raise_argument_error(macro_name, argument, value, expected) }}
    {%- elif value is string -%}
        {%- set call = modules.re.match("^[ ]*(ref|source)[ ]*[(](.*)[)][ ]*$", value) -%}
        {%- if call -%}
            {%- set q = "'" ~ '"' -%}
            {%- set args = modules.re.findall("[" ~ q ~ "]([^" ~ q ~ "]*)[" ~ q ~ "]", call.group(2)) -%}
            {%- if call.group(1) == 'ref' and args | length in [1, 2] -%}
                {{ return(ref(*args)) }}
            {%- elif call.group(1) == 'source' and args | length == 2 -%}
                {{ return(source(args[0], args[1])) }}
            {%- else -%}
                {{ dbt_migrate._raise_argument_error(macro_name, argument, value, expected) }}
            {%- endif -%}
        {%- else -%}
            {%- set parts = [] -%}
            {%- for part in value.split('.') -%}
                {%- do parts.append(part | trim | replace('[', '') | replace(']', '') | replace('"', '') | replace('`', '')) -%}
            {%- endfor -%}
            {%- if parts | length == 1 and parts[0] -%}
                {{ return(api.Relation.create(database=target.database, schema=target.schema, identifier=parts[0])) }}
            {%- elif parts | length == 2 and parts[0] and parts[1] -%}
                {{ return(api.Relation.create(database=target.database, schema=parts[0], identifier=parts[1])) }}
            {%- elif parts | length == 3 and parts[0] and parts[1] and parts[2] -%}
                {{ return(api.Relation.create(database=parts[0], schema=parts[1], identifier=parts[2])) }}
            {%- else -%}
                {{ dbt_migrate._raise_argument_error(macro_name, argument, value, expected) }}
            {%- endif -%}
        {%- endif -%}
    {%- elif value.identifier is defined or value is mapping -%}
        {{ return(value) }}
    {%- else -%}
        {{ dbt_migrate._raise_argument_error(macro_name, argument, value, expected) }}
    {%- endif -%}
{% endmacro %}
