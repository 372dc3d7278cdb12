{#- Same source, merge on event_id with a 1-day lookback: the late-arriving row 6 (within a day of
    the current maximum) is picked up, row 7 (a month old) is not, re-read rows merge in place. -#}
{{ config(tags=['dbt_migrate', 'watermark'], **dbt_migrate.model_config('fact_accumulating_snapshot', unique_key='event_id')) }}

select event_id, event_ts, amount
from {{ ref('events_source') }}
where {{ dbt_migrate.watermark_filter('event_ts', lookback=1) }}
