{#- The labels joined to the events, as they stand after stage var('batch'): the latest version of
    each event's label. Stage 2 relabels event 2, whose event_ts is already behind the watermark. -#}
{{ config(materialized='view', tags=['watermark']) }}

select event_id, label, label_updated_at
from (
    select
        event_id,
        label,
        label_updated_at,
        row_number() over (partition by event_id order by batch desc) as version_rank
    from {{ ref('raw_event_labels') }}
    where batch <= {{ var('batch', 0) }}
) as versions
where version_rank = 1
