{#- A migrated dim_scd1 model configured by dbt_migrate.model_config (incremental merge on the key);
    compared with its legacy table by dbt_migrate.equal_to_legacy in _legacy_comparison.yml -#}
{{ config(tags=['dbt_migrate'], **dbt_migrate.model_config('dim_scd1', unique_key=['store_alternate_key'], watermark='modified_date')) }}

with stores as (
    select * from {{ ref('raw_store') }}
    where {{ dbt_migrate.watermark_filter('modified_date') }}
),

regions as (
    select * from {{ ref('raw_region') }}
)

select
    cast(stores.store_id as {{ dbt.type_string() }}) as store_alternate_key,
    trim(stores.store_name) as store_name,
    coalesce(regions.region_name, 'Unknown') as region_name,
    upper(regions.country_code) as country_code,
    case when stores.closed_date is null then 1 else 0 end as is_open,
    stores.modified_date
from stores
left join regions
    on stores.region_id = regions.region_id
