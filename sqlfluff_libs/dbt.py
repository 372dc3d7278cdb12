"""Stand-ins for dbt's cross-database macros, so sqlfluff's jinja templater renders models.

Each returns SQL of the same shape dbt would produce on DuckDB (the linted dialect)."""


def current_timestamp():
    return "current_timestamp"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def safe_cast(field, type_):
    return f"try_cast({field} as {type_})"


def concat(fields):
    return "(" + " || ".join(fields) + ")"
