{#- true for a list/tuple (not a string, not a mapping). -#}
{% macro _is_list(value) %}
    {{ return(value is not none and value is iterable and value is not string and value is not mapping) }}
{% endmacro %}
