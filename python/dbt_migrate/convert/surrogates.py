"""The legacy INT surrogate of an SCD2 snapshot's versions, computed by a package macro.

A type-2 dimension's IDENTITY / sequence key is one INT per version; facts look it up by the
validity window and store it. dbt's ``dbt_scd_id`` is an md5 string, so the key is instead a
column of the snapshot's source-side select, ``dbt_migrate.surrogate_integer()`` (a BIGINT from
the md5 of its inputs) over the version's identity, and ``dbt_scd_id`` keeps its own name.
"""

from __future__ import annotations

from sqlglot import exp

from .scd import Scd2Load


def surrogate_sql(load: Scd2Load, target_dialect: str) -> str | None:
    """The Jinja computing the legacy surrogate in the snapshot's source-side select: an integer
    from the version's identity, so facts that store and join an INT key keep doing so.

    Timestamp strategy: unique_key + updated_at, the inputs of ``dbt_scd_id`` (the same version
    gets the same key on every run and rebuild). Check strategy: unique_key + the time the select
    is built, the load that takes a changed row as a new version (a snapshot run inserts one
    version per key; the select is rebuilt before each run). The snapshot writes the value once,
    when it inserts the version, so a key never changes afterwards."""
    if not load.surrogate:
        return None
    inputs = [_jinja_string(exp.to_identifier(k).sql(target_dialect)) for k in load.unique_key]
    if load.strategy == "timestamp":
        inputs.append(_jinja_string(exp.to_identifier(str(load.updated_at)).sql(target_dialect)))
    else:
        inputs.append("dbt.current_timestamp()")
    return "{{ dbt_migrate.surrogate_integer([" + ", ".join(inputs) + "]) }}"


def _jinja_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
