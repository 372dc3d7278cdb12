{% macro materialization_for(classification) %}
    {{ return(adapter.dispatch('materialization_for', 'dbt_migrate')(classification)) }}
{% endmacro %}

{% macro default__materialization_for(classification) %}
    {%- set known = dbt_migrate._known_classifications() -%}
    {%- if classification is not string or classification not in known -%}
        {{ dbt_migrate._raise_argument_error(
            'materialization_for', 'classification', classification,
            'one of the known classifications: ' ~ (known.keys() | list | join(', '))
        ) }}
    {%- endif -%}
    {{ return(known[classification]) }}
{% endmacro %}
