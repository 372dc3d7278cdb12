{#-
    Compare a migrated model with its legacy table: row counts on each side and per-column match rates.

        dbt compile --select compare_with_legacy --vars '{dbt_migrate_model: dimstore,
            dbt_migrate_legacy_relation: "source(''legacy'', ''DimStore'')",
            dbt_migrate_key: StoreAlternateKey, dbt_migrate_exclude_columns: [StoreKey]}'

    then run target/compiled/dbt_migrate/analyses/compare_with_legacy.sql. Without the vars it
    compiles to a one-row message (so installing the package never breaks parsing).
-#}
{%- set model_var = var('dbt_migrate_model', none) -%}
{%- set legacy_var = var('dbt_migrate_legacy_relation', none) -%}
{%- if model_var and legacy_var -%}
{%- set model_relation = model_var if (model_var is not string or '(' in model_var) else "ref('" ~ model_var ~ "')" -%}
{{ dbt_migrate.compare_with_legacy(
    model_relation,
    legacy_var,
    key=var('dbt_migrate_key', none),
    exclude_columns=var('dbt_migrate_exclude_columns', []),
) }}
{%- else -%}
select 'set vars dbt_migrate_model and dbt_migrate_legacy_relation to compare a model with its legacy table' as dbt_migrate_message
{%- endif %}
