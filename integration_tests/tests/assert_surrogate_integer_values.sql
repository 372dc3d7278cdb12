{# surrogate_integer gives the same non-negative BIGINT on every adapter (the first 15 hex digits of
   the md5 of '|'-joined text, computed independently in Python), and the portable default agrees #}
with cases as (
    select 1 as case_id, {{ dbt_migrate.surrogate_integer(['7', "cast('2013-01-01 00:00:00' as timestamp)"]) }} as key,
        {{ dbt_migrate.default__surrogate_integer(['7', "cast('2013-01-01 00:00:00' as timestamp)"]) }} as default_key,
        cast(131720814430284998 as {{ dbt.type_bigint() }}) as expected
    union all
    select 2, {{ dbt_migrate.surrogate_integer(['cast(null as integer)', "'x'"]) }},
        {{ dbt_migrate.default__surrogate_integer(['cast(null as integer)', "'x'"]) }},
        cast(290282123358665578 as {{ dbt.type_bigint() }})
    union all
    select 3, {{ dbt_migrate.surrogate_integer(["'a|b'"]) }},
        {{ dbt_migrate.default__surrogate_integer(["'a|b'"]) }},
        cast(938760983661274987 as {{ dbt.type_bigint() }})
)

select * from cases
where key is null or key <> expected or default_key <> expected or key < 0
