-- depends_on: {{ ref('legacy_dim_store_drifted') }}
{# the drift comparison returns exactly: store 2 changed (model and legacy side), store 3 only in the
    model, store 9 only in legacy. Fails on any other row set. #}
with differences as (
    {{ dbt_migrate.test_equal_to_legacy(ref('dim_store'), "source('legacy', 'legacy_dim_store_drifted')", key='store_alternate_key') }}
),

actual as (
    select dbt_migrate_only_in, dbt_migrate_difference, store_alternate_key, store_name from differences
),

expected as (
    select 'model' as dbt_migrate_only_in, 'changed' as dbt_migrate_difference, '2' as store_alternate_key, 'Airport' as store_name
    union all select 'legacy', 'changed', '2', 'Airport Terminal'
    union all select 'model', 'missing_in_legacy', '3', 'Harbor'
    union all select 'legacy', 'missing_in_model', '9', 'Ghost'
),

unexpected as (
    select dbt_migrate_only_in, dbt_migrate_difference, store_alternate_key, store_name from actual
    except
    select dbt_migrate_only_in, dbt_migrate_difference, store_alternate_key, store_name from expected
),

missing as (
    select dbt_migrate_only_in, dbt_migrate_difference, store_alternate_key, store_name from expected
    except
    select dbt_migrate_only_in, dbt_migrate_difference, store_alternate_key, store_name from actual
)

select 'unexpected' as problem, unexpected.* from unexpected
union all
select 'missing' as problem, missing.* from missing
