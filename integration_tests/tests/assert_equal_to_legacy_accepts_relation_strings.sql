-- depends_on: {{ ref('legacy_dim_store') }}
{# legacy_relation given as the string "source('legacy', 'legacy_dim_store')" (the singular-test form) #}
{{ dbt_migrate.test_equal_to_legacy(ref('dim_store'), "source('legacy', 'legacy_dim_store')", key='store_alternate_key') }}
