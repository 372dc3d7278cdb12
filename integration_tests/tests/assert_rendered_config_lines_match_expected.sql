{# generate_models renders the config block from model_config: materialized first, deterministic order #}
with actual as (
    select case_name, config_line from {{ ref('rendered_config_lines') }}
),

expected as (
    select case_name, config_line from {{ ref('expected_rendered_config_lines') }}
),

unexpected as (select * from actual except select * from expected),
missing as (select * from expected except select * from actual)

select 'unexpected' as problem, unexpected.* from unexpected
union all
select 'missing' as problem, missing.* from missing
