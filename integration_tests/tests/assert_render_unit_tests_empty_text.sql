{#- render_unit_tests returns the empty string (not `unit_tests: []`) for a context without unit tests. -#}
{%- set context = {'model_name': 'dimstore', 'materialization': {'classification': 'dim_non_scd'}, 'unit_tests': []} -%}

{{ assert_equal(dbt_migrate.render_unit_tests(context), '') }}
