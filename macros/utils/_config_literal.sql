{#- Renders a value as a Jinja literal for a config() call: 'text', ['a', 'b'], true, 3, none. -#}
{% macro _config_literal(value) %}
    {%- if value is none -%}
        {{ return('none') }}
    {%- elif value is boolean -%}
        {{ return('true' if value else 'false') }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- elif value is string -%}
        {{ return("'" ~ (value | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") }}
    {%- elif value is mapping -%}
        {%- set items = [] -%}
        {%- for key, item in value.items() -%}
            {%- do items.append(dbt_migrate._config_literal(key | string) ~ ': ' ~ dbt_migrate._config_literal(item)) -%}
        {%- endfor -%}
        {{ return('{' ~ items | join(', ') ~ '}') }}
    {%- else -%}
        {%- set items = [] -%}
        {%- for item in value -%}
            {%- do items.append(dbt_migrate._config_literal(item)) -%}
        {%- endfor -%}
        {{ return('[' ~ items | join(', ') ~ ']') }}
    {%- endif -%}
{% endmacro %}
