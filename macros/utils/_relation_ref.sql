{#- "ref('x')" / "source('a', 'b')" pass through; a bare name becomes "ref('<name>')". -#}
{% macro _relation_ref(value) %}
    {%- if value is string and modules.re.match("^[ ]*(ref|source)[ ]*[(]", value) -%}
        {{ return(value | trim) }}
    {%- else -%}
        {{ return("ref('" ~ value ~ "')") }}
    {%- endif -%}
{% endmacro %}
