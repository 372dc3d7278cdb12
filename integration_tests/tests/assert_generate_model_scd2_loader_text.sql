{#- generate_model for a dim_scd2 context whose materialization carries the settings of an SCD2
    loader the sidecar recognised: the snapshot takes them (check strategy, legacy column names,
    end-of-time value, hard deletes) instead of model_config's timestamp on a watermark (there is
    none), and part `versions` is the view adding the legacy current flag. Whitespace-exact. -#}
{%- set context = {
    'table': 'dim.Customer',
    'model_name': 'customer',
    'writer': 'dim.usp_load_Customer',
    'tags': ['dbt_migrate'],
    'materialization': {
        'classification': 'dim_scd2',
        'unique_key': ['CustomerID'],
        'snapshot': {
            'strategy': 'check',
            'unique_key': ['CustomerID'],
            'check_cols': ['Name', 'City'],
            'snapshot_meta_column_names': {'dbt_valid_from': 'ValidFrom', 'dbt_valid_to': 'ValidTo'},
            'dbt_valid_to_current': "CAST('9999-12-31' AS TIMESTAMP)",
            'hard_deletes': 'invalidate',
            'versions_sql': "select *, case when ValidTo = cast('9999-12-31' as timestamp) then 1 else 0 end as IsCurrent\nfrom {{ ref('customer') }}",
        },
    },
} -%}
{%- set sql -%}{% raw -%}
select CustomerID, Name, City
from {{ source('bronze', 'Customer') }}
{%- endraw %}{%- endset -%}

{%- set expected_sql -%}{% raw -%}
{{ config(materialized='table', tags=['dbt_migrate']) }}

select CustomerID, Name, City
from {{ source('bronze', 'Customer') }}
{% endraw %}{%- endset -%}

{%- set expected_snapshot -%}{% raw -%}
snapshots:
- name: customer
  relation: ref('stg_customer')
  config:
    strategy: check
    check_cols:
    - Name
    - City
    unique_key:
    - CustomerID
    snapshot_meta_column_names:
      dbt_valid_from: ValidFrom
      dbt_valid_to: ValidTo
    dbt_valid_to_current: CAST('9999-12-31' AS TIMESTAMP)
    hard_deletes: invalidate
    tags:
    - dbt_migrate
{% endraw %}{%- endset -%}

{%- set expected_versions -%}{% raw -%}
{{ config(materialized='view', tags=['dbt_migrate']) }}

select *, case when ValidTo = cast('9999-12-31' as timestamp) then 1 else 0 end as IsCurrent
from {{ ref('customer') }}
{% endraw %}{%- endset -%}

{%- do assert_equal(dbt_migrate.generate_model(context, sql, part='sql', print_output=false), expected_sql) -%}
{%- do assert_equal(dbt_migrate.generate_model(context, sql, part='versions', print_output=false), expected_versions) -%}
{{ assert_equal(dbt_migrate.generate_model(context, sql, part='snapshot', print_output=false), expected_snapshot) }}
