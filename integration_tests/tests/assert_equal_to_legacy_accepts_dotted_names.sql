-- depends_on: {{ ref('legacy_dim_store') }}
{# model as "ref('dim_store')" and legacy_relation as a dotted "schema.table" name #}
{{ dbt_migrate.test_equal_to_legacy("ref('dim_store')", target.schema ~ ".legacy_dim_store", exclude_columns=['LEGACY_STORE_KEY']) }}
