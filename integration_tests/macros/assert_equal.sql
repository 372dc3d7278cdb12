{#-
    assert_equal(actual, expected): the text check of the rendering tests (dbt-codegen style).

    Used from a singular test in tests/:
        {{ assert_equal(dbt_migrate.render_unit_tests(context), expected) }}

    - The comparison is whitespace-exact, final newline included: the rendering macros promise
      text that is written to files as it is (`generate_model` ends with exactly one newline, toyaml
      output ends with one), so a changed indent, a trailing space or a lost or doubled final
      newline is a change. Write the expected text inside `{% raw -%} ... {% endraw %}` (the
      rendered SQL holds `{{ config(...) }}`): `-%}` drops the line break after the raw tag, and
      the line break before `{% endraw %}` is the text's final newline.
    - Different texts stop the test with a compiler error showing the first differing line of each
      (as JSON strings, so trailing spaces and tabs are visible) and then both texts in full.
    - Equal texts compile to a query that returns no rows, so the test passes.
    - Compared only when dbt executes the test (`execute`): at parse time it returns the passing
      query, so a broken rendering macro fails its own tests and the rest of the build still runs.
-#}
{% macro assert_equal(actual, expected) %}
    {%- for argument, value in [('actual', actual), ('expected', expected)] -%}
        {%- if value is not string -%}
            {{ exceptions.raise_compiler_error(
                "assert_equal: argument `" ~ argument ~ "` got " ~ (value | string) ~ "; expected a string (the rendered text)") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and actual != expected -%}
        {%- set actual_lines = actual.split('\n') -%}
        {%- set expected_lines = expected.split('\n') -%}
        {%- set line_count = [actual_lines | length, expected_lines | length] | max -%}
        {%- set first = namespace(line=none) -%}
        {%- for index in range(line_count) -%}
            {%- set actual_line = actual_lines[index] if index < actual_lines | length else none -%}
            {%- set expected_line = expected_lines[index] if index < expected_lines | length else none -%}
            {%- if first.line is none and actual_line != expected_line -%}
                {%- set first.line = index -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set shown_actual = tojson(actual_lines[first.line]) if first.line < actual_lines | length else '(no such line: the text ends before it)' -%}
        {%- set shown_expected = tojson(expected_lines[first.line]) if first.line < expected_lines | length else '(no such line: the text ends before it)' -%}
        {%- set message -%}
assert_equal: the rendered text differs from the expected text (compared whitespace-exact, final newline included).
first difference at line {{ first.line + 1 }}:
  actual:   {{ shown_actual }}
  expected: {{ shown_expected }}
----- actual ({{ actual | length }} characters, between the markers) -----
>>>{{ actual }}<<<
----- expected ({{ expected | length }} characters, between the markers) -----
>>>{{ expected }}<<<
        {%- endset -%}
        {{ exceptions.raise_compiler_error(message) }}
    {%- endif -%}
    {{ return('select 1 as rendered_text_matches where false') }}
{% endmacro %}
