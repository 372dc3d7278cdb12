{#-
    The unit_tests entries for a context: name, description (when present), model, given, expect,
    plus overrides/config when present. given/expect values are copied unchanged: they are ground truth.
-#}
{% macro _unit_tests_list(context, macro_name) %}
    {%- set fields = dbt_migrate._context_fields(context, macro_name) -%}
    {%- set tests = [] -%}
    {%- for unit_test in fields.unit_tests -%}
        {%- if unit_test is not mapping or unit_test.get('name') is not string or not unit_test.get('name') -%}
            {{ dbt_migrate._raise_argument_error(macro_name, 'context.unit_tests[' ~ loop.index0 ~ ']', unit_test, 'an object with name, given[] and expect') }}
        {%- endif -%}
        {%- if unit_test.get('expect') is not mapping -%}
            {{ dbt_migrate._raise_argument_error(macro_name, 'context.unit_tests[' ~ loop.index0 ~ '].expect', unit_test.get('expect'), 'an object with rows[]') }}
        {%- endif -%}
        {%- set entry = {'name': unit_test['name']} -%}
        {%- if unit_test.get('description') -%}
            {%- do entry.update({'description': unit_test['description']}) -%}
        {%- endif -%}
        {%- do entry.update({'model': fields.node_name}) -%}
        {%- set given = [] -%}
        {%- for item in unit_test.get('given') or [] -%}
            {%- if item is not mapping or not item.get('input') -%}
                {{ dbt_migrate._raise_argument_error(macro_name, 'context.unit_tests[' ~ loop.index0 ~ '].given', item, "objects with input (e.g. \"source('bronze', 'Store')\") and rows") }}
            {%- endif -%}
            {%- set input = {} -%}
            {%- for key in ['input', 'format', 'rows', 'fixture'] -%}
                {%- if key in item -%}{%- do input.update({key: item[key]}) -%}{%- endif -%}
            {%- endfor -%}
            {%- do given.append(input) -%}
        {%- endfor -%}
        {%- do entry.update({'given': given}) -%}
        {%- set expect = {} -%}
        {%- for key in ['format', 'rows', 'fixture'] -%}
            {%- if key in unit_test['expect'] -%}{%- do expect.update({key: unit_test['expect'][key]}) -%}{%- endif -%}
        {%- endfor -%}
        {%- do entry.update({'expect': expect}) -%}
        {%- for key in ['overrides', 'config'] -%}
            {%- if unit_test.get(key) -%}{%- do entry.update({key: unit_test[key]}) -%}{%- endif -%}
        {%- endfor -%}
        {#- dbt requires an is_incremental override for unit tests of incremental models; the
            scenarios describe a full load, so default it to false (given/expect stay untouched) -#}
        {%- if fields.config.materialized == 'incremental' -%}
            {%- set overrides = entry.get('overrides') or {} -%}
            {%- set macros = overrides.get('macros') or {} -%}
            {%- if 'is_incremental' not in macros -%}
                {%- set macros = dict(macros, is_incremental=false) -%}
                {%- do entry.update({'overrides': dict(overrides, macros=macros)}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do tests.append(entry) -%}
    {%- endfor -%}
    {{ return(tests) }}
{% endmacro %}
