"""dbt-migrate: move T-SQL stored procedures into tested dbt models."""

__version__ = "0.2.0"
