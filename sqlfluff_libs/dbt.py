"""dbt's cross-database macros for sqlfluff's jinja templater: the sidecar's offline stand-ins
(``dbt_migrate.jinja_standins``), so the linter, the equivalence check and the LLM guard render
``dbt.<macro>()`` the same way dbt-duckdb does."""

from dbt_migrate.jinja_standins import DbtStandins

_STANDINS = DbtStandins()


def __getattr__(name):  # sqlfluff looks names up on the module
    return getattr(_STANDINS, name)


current_timestamp = _STANDINS.current_timestamp
datediff = _STANDINS.datediff
dateadd = _STANDINS.dateadd
date_trunc = _STANDINS.date_trunc
safe_cast = _STANDINS.safe_cast
cast = _STANDINS.cast
concat = _STANDINS.concat
hash = _STANDINS.hash
type_string = _STANDINS.type_string
type_int = _STANDINS.type_int
type_bigint = _STANDINS.type_bigint
type_timestamp = _STANDINS.type_timestamp
type_numeric = _STANDINS.type_numeric
type_float = _STANDINS.type_float
type_boolean = _STANDINS.type_boolean
