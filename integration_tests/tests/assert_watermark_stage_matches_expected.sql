{{ config(tags=['watermark']) }}
{# fct_events and fct_events_lookback hold exactly the expected rows for stage var('batch')
    (a multiset comparison: a row read twice is a failure too) #}
with actual as (
    select 'fct_events' as model, event_id, event_ts, amount from {{ ref('fct_events') }}
    union all
    select 'fct_events_lookback' as model, event_id, event_ts, amount from {{ ref('fct_events_lookback') }}
),

expected as (
    select model, event_id, event_ts, amount
    from {{ ref('expected_fct_events') }}
    where after_batch = {{ var('batch', 0) }}
),

actual_counts as (
    select model, event_id, event_ts, amount, count(*) as occurrences from actual group by model, event_id, event_ts, amount
),

expected_counts as (
    select model, event_id, event_ts, amount, count(*) as occurrences from expected group by model, event_id, event_ts, amount
),

unexpected as (
    select * from actual_counts
    except
    select * from expected_counts
),

missing as (
    select * from expected_counts
    except
    select * from actual_counts
)

select 'unexpected' as problem, unexpected.* from unexpected
union all
select 'missing' as problem, missing.* from missing
