"""The dbt snapshot of a recognised SCD2 loader (``convert.scd``): its settings, and the
``<model>_versions`` view giving dependents the legacy table's shape over it.

The snapshot keeps the legacy validity columns under their legacy names through
``snapshot_meta_column_names`` only when those names need no quoting in the target dialect: dbt's
snapshot-target check (dbt-adapters' ``valid_snapshot_target``, Python, not a macro) compares the
configured name, quotes included, with the table's unquoted column names, so a quoted name
(``"Valid To"``) fails every run after the first. Such a column keeps dbt's own name in the
snapshot (``dbt_valid_to``, still with the legacy ``dbt_valid_to_current`` sentinel) and the
versions view adds it under the legacy name, beside the legacy current flag if there is one.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .scd import Scd2Load


def snapshot_config(load: Scd2Load, target_dialect: str) -> dict[str, Any]:
    """The snapshot settings the rendering macro writes (docs/render-contract.md). dbt writes these
    names into its SQL as they are: a name that needs quoting (``WWI City ID``) arrives quoted.

    A legacy validity column whose name needs quoting (``Valid To``) is no meta column name: dbt's
    snapshot-target check (dbt-adapters' ``valid_snapshot_target``) compares the configured name,
    quotes included, with the table's unquoted column names, so every run after the first would
    fail. The snapshot keeps dbt's own name (``dbt_valid_to``) and ``<model>_versions`` renames it
    (``renamed_meta_columns``)."""

    def name(column: str) -> str:
        return exp.to_identifier(column).sql(target_dialect)

    cfg: dict[str, Any] = {"strategy": load.strategy, "unique_key": [name(k) for k in load.unique_key]}
    if load.strategy == "check":
        cfg["check_cols"] = [name(c) for c in load.check_cols or []]
    else:
        cfg["updated_at"] = name(str(load.updated_at))
    renamed = renamed_meta_columns(load, target_dialect)
    meta = {"dbt_valid_from": load.valid_from, "dbt_valid_to": load.valid_to}
    names = {k: name(v) for k, v in meta.items() if v and k not in renamed}
    if names:
        cfg["snapshot_meta_column_names"] = names
    if load.sentinel is not None and load.valid_to:
        cfg["dbt_valid_to_current"] = _sentinel_sql(load.sentinel, target_dialect)
    if load.hard_deletes:
        cfg["hard_deletes"] = load.hard_deletes
    return cfg


def renamed_meta_columns(load: Scd2Load, target_dialect: str) -> dict[str, str]:
    """dbt meta column -> legacy name, for the legacy validity columns whose names need quoting in
    the target dialect: the snapshot keeps dbt's name, the versions view gives the legacy one."""
    meta = {"dbt_valid_from": load.valid_from, "dbt_valid_to": load.valid_to}
    return {k: v for k, v in meta.items() if v and exp.to_identifier(v).sql(target_dialect) != v}


def _iso(text: str) -> str:
    """``99991231 23:59:59.9999999`` -> ``9999-12-31 23:59:59.999999``: a literal every target reads."""
    day, _, clock = text.strip().partition(" ")
    if len(day) == 8 and day.isdigit():
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    whole, dot, fraction = clock.partition(".")
    return f"{day} {whole}{dot}{fraction[:6]}".strip()


def _sentinel(value: exp.Expr) -> exp.Expr:
    """The end-of-time value as a typed literal (a bare string is a timestamp)."""
    literal = value.this if isinstance(value, exp.Cast) else value
    if isinstance(literal, exp.Literal) and literal.is_string:
        is_date = isinstance(value, exp.Cast) and value.args["to"].is_type(exp.DataType.Type.DATE)
        return exp.Cast(
            this=exp.Literal.string(_iso(literal.this)), to=exp.DataType.build("date" if is_date else "timestamp")
        )
    return value.copy()


def _sentinel_sql(value: exp.Expr, dialect: str) -> str:
    return _sentinel(value).sql(dialect)


def versions_query(load: Scd2Load, snapshot_placeholder: str, target_dialect: str) -> exp.Query | None:
    """``select *, <legacy names>, <current flag> from <snapshot>``: the legacy table's shape over
    the snapshot's versions (None when the snapshot already has it). The validity columns dbt keeps
    under its own names (``renamed_meta_columns``) get their legacy names; a legacy current flag
    is computed from the open version's valid-to."""
    renamed = renamed_meta_columns(load, target_dialect)
    projections: list[exp.Expr] = [exp.Star()]
    for dbt_name, legacy in renamed.items():
        projections.append(exp.alias_(exp.column(dbt_name), exp.to_identifier(legacy)))
    if load.current_flag and load.valid_to is not None:
        valid_to = "dbt_valid_to" if "dbt_valid_to" in renamed else load.valid_to
        open_version: exp.Expr
        column = exp.column(exp.to_identifier(valid_to))
        if load.sentinel is not None:
            open_version = exp.EQ(this=column, expression=_sentinel(load.sentinel))
        else:
            open_version = exp.Is(this=column, expression=exp.Null())
        current = load.current_value.copy() if load.current_value is not None else exp.Literal.number(1)
        closed = load.closed_value.copy() if load.closed_value is not None else exp.Literal.number(0)
        flag = exp.Case(ifs=[exp.If(this=open_version, true=current)], default=closed)
        projections.append(exp.alias_(flag, exp.to_identifier(load.current_flag)))
    if len(projections) == 1:
        return None
    return exp.select(*projections).from_(exp.Table(this=exp.to_identifier(snapshot_placeholder)))
