{#- The source of the watermark scenario as it stands after stage var('batch') (0 = nothing yet) -#}
{{ config(materialized='view', tags=['watermark']) }}

select event_id, event_ts, amount
from {{ ref('raw_events') }}
where batch <= {{ var('batch', 0) }}
