{% macro render_unit_tests(context) %}
    {{ return(adapter.dispatch('render_unit_tests', 'dbt_migrate')(context)) }}
{% endmacro %}

{% macro default__render_unit_tests(context) %}
    {%- set unit_tests = dbt_migrate._unit_tests_list(context, 'render_unit_tests') -%}
    {%- if not unit_tests -%}{{ return('') }}{%- endif -%}
    {{ return(toyaml({'unit_tests': unit_tests})) }}
{% endmacro %}
