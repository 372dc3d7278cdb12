{#- fact_transaction: incremental append with a watermark filter. Stage 0 builds it empty; stage 1
    is an incremental run against that existing empty table (max() is null: every row must be read);
    stage 2 appends only rows past the watermark (the late row 6 and old row 7 are not read). -#}
{{ config(tags=['dbt_migrate', 'watermark'], **dbt_migrate.model_config('fact_transaction', watermark='event_ts')) }}

select event_id, event_ts, amount
from {{ ref('events_source') }}
where {{ dbt_migrate.watermark_filter('event_ts') }}
