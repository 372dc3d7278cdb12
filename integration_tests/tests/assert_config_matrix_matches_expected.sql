{# materialization_for + model_config give exactly the expected materialization and config dict
    (keys, order and unique_key shape) for every classification #}
with actual as (
    select case_name, classification, materialized, config_json from {{ ref('config_matrix') }}
),

expected as (
    select case_name, classification, materialized, config_json from {{ ref('expected_config_matrix') }}
),

unexpected as (select * from actual except select * from expected),
missing as (select * from expected except select * from actual)

select 'unexpected' as problem, unexpected.* from unexpected
union all
select 'missing' as problem, missing.* from missing
