"""The dbt_migrate package's macros for sqlfluff's jinja templater (full-refresh rendering), from
the sidecar's offline stand-ins (``dbt_migrate.jinja_standins``)."""

from dbt_migrate.jinja_standins import DbtMigrateStandins

watermark_filter = DbtMigrateStandins().watermark_filter
surrogate_integer = DbtMigrateStandins().surrogate_integer
