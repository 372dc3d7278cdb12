"""Migration rules the Python side shares with the dbt package: one home for each.

The package's macros are the source of truth (they also run where only dbt runs). Python needs a
few of the same answers before dbt is involved (the context, the equivalence check, choosing what
to build), so it mirrors them here and nowhere else; ``tests/e2e/test_rules_match_macros.py``
renders the macros through dbt and compares, so drift fails CI.
"""

from __future__ import annotations

# The tag on every generated model (and the ``models/staging`` folder's config), used to select
# a whole migration: ``dbt build --select tag:dbt_migrate``.
MIGRATED_TAG = "dbt_migrate"

# The legacy comparison: the project var naming the schema of the legacy tables (generated YAML then
# carries ``dbt_migrate.equal_to_legacy`` tests, see ``dbt_migrate._schema_model``), the tag on those
# tests (a job selects them; the sidecar's sandbox build leaves them out) and the package's
# on-run-end hook recording each run's results.
LEGACY_SCHEMA_VAR = "dbt_migrate_legacy_schema"
LEGACY_TEST_TAG = "dbt_migrate_legacy"
RECORD_RESULTS_HOOK = "{{ dbt_migrate.record_results(results) }}"
SANDBOX_EXCLUDE = ["--exclude", f"tag:{LEGACY_TEST_TAG}"]

# A dim_scd2 table becomes a snapshot reading a staging model of this prefix (``stg_<model>``).
STAGING_PREFIX = "stg_"

# classification -> materialization: mirrors ``dbt_migrate._known_classifications()``.
MATERIALIZATIONS: dict[str, str] = {
    "dim_scd2": "snapshot",
    "dim_scd1": "incremental",
    "dim_non_scd": "table",
    "dim_junk": "table",
    "fact_transaction": "incremental",
    "fact_periodic_snapshot": "table",
    "fact_accumulating_snapshot": "incremental",
    "fact_aggregate": "table",
    # View kinds (catalog/views/): thin single-source cleanup and marts over several tables.
    "stg": "view",
    "mart": "view",
}
CLASSIFICATIONS: tuple[str, ...] = tuple(MATERIALIZATIONS)

# Classifications whose config needs a unique key: mirrors ``dbt_migrate.model_config``, which
# raises without one for exactly these.
KEYED: frozenset[str] = frozenset({"dim_scd1", "dim_scd2", "fact_accumulating_snapshot"})

# The predicate ``dbt_migrate.watermark_filter()`` renders outside an incremental run (first
# build, full refresh, unit tests): what offline renderings of a model substitute for it.
FULL_REFRESH_PREDICATE = "1 = 1"


def materialization_for(classification: str) -> str:
    """``dbt_migrate.materialization_for`` in Python; KeyError names the known ones."""
    try:
        return MATERIALIZATIONS[classification]
    except KeyError:
        raise KeyError(f"unknown classification {classification!r}; known: {', '.join(CLASSIFICATIONS)}") from None


def staging_model(model: str) -> str:
    """The staging model a snapshot of ``model`` reads."""
    return f"{STAGING_PREFIX}{model}"


def snapshot_of_staging(name: str) -> str:
    """``stg_dimstore`` -> ``dimstore``: the snapshot a staging model feeds (name unchanged otherwise)."""
    return name.removeprefix(STAGING_PREFIX)
