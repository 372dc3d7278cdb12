{{ config(tags=['watermark']) }}
{# fct_events_joined holds exactly the expected (event_id, label) rows for stage var('batch'),
   a multiset comparison in both directions #}
with actual as (
    select event_id, label, count(*) as occurrences from {{ ref('fct_events_joined') }} group by event_id, label
),

expected as (
    select event_id, label, count(*) as occurrences
    from {{ ref('expected_fct_events_joined') }}
    where after_batch = {{ var('batch', 0) }}
    group by event_id, label
),

unexpected as (
    select * from actual
    except
    select * from expected
),

missing as (
    select * from expected
    except
    select * from actual
)

select 'unexpected' as problem, unexpected.* from unexpected
union all
select 'missing' as problem, missing.* from missing
