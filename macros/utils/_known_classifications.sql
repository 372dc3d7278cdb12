{#- classification -> materialization (DESIGN.md). The single source of truth for the mapping. -#}
{% macro _known_classifications() %}
    {{ return({
        'dim_scd2': 'snapshot',
        'dim_scd1': 'incremental',
        'dim_non_scd': 'table',
        'dim_junk': 'table',
        'fact_transaction': 'incremental',
        'fact_periodic_snapshot': 'table',
        'fact_accumulating_snapshot': 'incremental',
        'fact_aggregate': 'table',
        'stg': 'view',
        'mart': 'view',
    }) }}
{% endmacro %}
