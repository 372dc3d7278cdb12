{#- A merge model over a join whose inputs each have a change column: watermark_filter with
    changed_columns re-reads an event when it or its label changed past the target's watermark.
    Stage 2 picks up events 4 and 5 (new) and event 2 (relabelled, its event_ts behind the
    watermark); a filter on the events alone would leave event 2 with its old label. -#}
{{ config(tags=['dbt_migrate', 'watermark'], **dbt_migrate.model_config('dim_scd1', unique_key='event_id')) }}

select e.event_id, e.event_ts, l.label
from {{ ref('events_source') }} as e
left join {{ ref('event_labels_source') }} as l
    on l.event_id = e.event_id
where {{ dbt_migrate.watermark_filter('event_ts', changed_columns=['e.event_ts', 'l.label_updated_at']) }}
