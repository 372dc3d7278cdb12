{% macro render_schema_yml(context) %}
    {{ return(adapter.dispatch('render_schema_yml', 'dbt_migrate')(context)) }}
{% endmacro %}

{% macro default__render_schema_yml(context) %}
    {%- set document = {'version': 2, 'models': [dbt_migrate._schema_model(context, 'render_schema_yml')]} -%}
    {%- set unit_tests = dbt_migrate._unit_tests_list(context, 'render_schema_yml') -%}
    {%- if unit_tests -%}{%- do document.update({'unit_tests': unit_tests}) -%}{%- endif -%}
    {{ return(toyaml(document)) }}
{% endmacro %}
