"""The snapshot of an SCD2 loader whose validity columns need quoting (WWI's ``[Valid To]``): dbt's
snapshot-target check cannot match a quoted meta column name on the next run, so the snapshot keeps
dbt's own name and ``<model>_versions`` gives the legacy one (``convert/snapshot.py``)."""

from __future__ import annotations

from sqlglot import exp

from dbt_migrate.convert.scd import Scd2Load
from dbt_migrate.convert.snapshot import snapshot_config, versions_query


def _load(**kw: object) -> Scd2Load:
    load = Scd2Load(
        shape="update_close_insert",
        query=exp.select("a").from_("t"),
        unique_key=["WWI City ID"],
        strategy="timestamp",
        updated_at="Valid From",
        valid_to="Valid To",
        sentinel=exp.Literal.string("9999-12-31"),
    )
    for k, v in kw.items():
        setattr(load, k, v)
    return load


def test_a_quoted_valid_to_stays_dbt_valid_to_in_the_snapshot_with_the_legacy_sentinel():
    cfg = snapshot_config(_load(), "duckdb")
    assert "snapshot_meta_column_names" not in cfg
    assert cfg["dbt_valid_to_current"] == "CAST('9999-12-31' AS TIMESTAMP)"
    assert cfg["unique_key"] == ['"WWI City ID"'] and cfg["updated_at"] == '"Valid From"'


def test_the_versions_view_gives_the_legacy_name_and_computes_the_flag_from_dbt_valid_to():
    query = versions_query(_load(), "snap", "duckdb")
    assert query is not None and query.sql("duckdb") == 'SELECT *, dbt_valid_to AS "Valid To" FROM snap'
    flagged = versions_query(
        _load(current_flag="Is Current", current_value=exp.Literal.number(1), closed_value=exp.Literal.number(0)),
        "snap",
        "duckdb",
    )
    assert flagged is not None and flagged.sql("duckdb") == (
        "SELECT *, dbt_valid_to AS \"Valid To\", CASE WHEN dbt_valid_to = CAST('9999-12-31' AS TIMESTAMP) "
        'THEN 1 ELSE 0 END AS "Is Current" FROM snap'
    )


def test_unquoted_legacy_names_stay_meta_column_names_and_need_no_view():
    load = _load(valid_to="ValidTo", valid_from="ValidFrom")
    assert snapshot_config(load, "duckdb")["snapshot_meta_column_names"] == {
        "dbt_valid_from": "ValidFrom",
        "dbt_valid_to": "ValidTo",
    }
    assert versions_query(load, "snap", "duckdb") is None
