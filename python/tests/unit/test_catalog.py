"""Loading the migration project: every documented variant accepted, anything else named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbt_migrate.catalog import MigrationProject, Profile, TableCatalog, load_file
from dbt_migrate.catalog import TestSpec as SpecModel  # not "Test*": pytest would collect it
from dbt_migrate.errors import InputError


def _write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


BASE_PROFILE = {"classification": {"resolved_kind": "dim_scd1"}}


@pytest.mark.parametrize(
    "natural_key, expected",
    [
        (["A", "B"], ["A", "B"]),
        ({"columns": ["A"]}, ["A"]),
        ("A", ["A"]),
    ],
)
def test_natural_key_variants_normalize_to_a_list(natural_key, expected):
    assert Profile.model_validate({**BASE_PROFILE, "natural_key": natural_key}).natural_key == expected


@pytest.mark.parametrize(
    "watermark, expected",
    [
        ({"column": "ModifiedDate", "strategy": "timestamp"}, ["ModifiedDate"]),
        ({"columns": ["A", "B"]}, ["A", "B"]),
        (None, []),
    ],
)
def test_watermark_variants_normalize_to_a_list(watermark, expected):
    assert Profile.model_validate({**BASE_PROFILE, "watermark": watermark}).watermark == expected


def test_refactor_section_on_the_table_is_read(tmp_path):
    path = _write(tmp_path / "t.json", {"schema": "silver", "name": "T", "refactor": {"refactored_sql": "select 1"}})
    assert load_file(TableCatalog, path).refactor.refactored_sql == "select 1"


def test_unknown_classification_names_file_field_and_known_values(tmp_path):
    path = _write(
        tmp_path / "silver.t.json",
        {"schema": "silver", "name": "T", "profile": {"classification": {"resolved_kind": "dim_weird"}}},
    )
    with pytest.raises(InputError) as err:
        load_file(TableCatalog, path)
    msg = str(err.value)
    assert "silver.t.json" in msg and "profile.classification.resolved_kind" in msg and "dim_scd2" in msg


def test_watermark_of_wrong_shape_is_rejected_with_the_field(tmp_path):
    path = _write(
        tmp_path / "silver.t.json",
        {"schema": "silver", "name": "T", "profile": {**BASE_PROFILE, "watermark": {"col": "X"}}},
    )
    with pytest.raises(InputError, match=r"silver\.t\.json: field 'profile\.watermark'"):
        load_file(TableCatalog, path)


def test_invalid_json_names_file_and_line(tmp_path):
    path = _write(tmp_path / "silver.t.json", '{"schema": "silver",\n "name": }')
    with pytest.raises(InputError, match=r"silver\.t\.json: invalid JSON at line 2"):
        load_file(TableCatalog, path)


def test_missing_manifest_says_how_to_create_one(tmp_path):
    with pytest.raises(InputError, match=r"manifest\.json: missing.*dialect"):
        _ = MigrationProject(tmp_path).manifest


def test_names_compare_case_insensitively_without_brackets(retail):
    mp = MigrationProject(retail)
    assert mp.table("[SILVER].[DimStore]").name == "dimstore"
    assert mp.procedure('"silver"."USP_LOAD_DIMSTORE"') is not None


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(profile=_json_values)
def test_any_malformed_profile_is_an_input_error_naming_the_file(tmp_path, profile):
    """Arbitrary JSON in `profile` either loads or fails as InputError naming file and field."""
    path = _write(tmp_path / "silver.x.json", {"schema": "silver", "name": "X", "profile": profile})
    try:
        load_file(TableCatalog, path)
    except InputError as exc:
        assert "silver.x.json: field 'profile" in str(exc)


# -- numbers, nesting and duplicates: named, never an internal error ---------------------------
@pytest.mark.parametrize(
    "raw, why",
    [
        ("NaN", "NaN is not a number"),
        ("-Infinity", "-Infinity is not a number"),
        ("9" * 5000, "a number of 5000 digits"),
        ("1e400", "out of range"),
        ("1e-400", "cannot be kept exactly"),
        ("0.1000000000000000000001", "cannot be kept exactly"),
    ],
)
def test_numbers_json_cannot_keep_are_named_with_their_field(tmp_path, raw, why):
    path = tmp_path / "spec.json"
    path.write_text('{"item_id": "s.t", "unit_tests": [{"name": "t", "expect": {"rows": [{"A": ' + raw + "}]}}]}")
    with pytest.raises(InputError) as err:
        load_file(SpecModel, path)
    assert "field 'unit_tests.0.expect.rows.0.A'" in str(err.value) and why in str(err.value)


@pytest.mark.parametrize("raw, value", [("150.00", 150.0), ("0.1", 0.1), ("1" * 40, int("1" * 40)), ("-0.5e2", -50.0)])
def test_numbers_that_can_be_kept_are_kept_exactly(tmp_path, raw, value):
    path = tmp_path / "spec.json"
    path.write_text('{"item_id": "s.t", "unit_tests": [{"name": "t", "expect": {"rows": [{"A": ' + raw + "}]}}]}")
    assert load_file(SpecModel, path).unit_tests[0].expect.rows[0]["A"] == value


def test_json_nested_200k_deep_is_a_named_input_error(tmp_path):
    path = _write(tmp_path / "deep.json", "[" * 200_000 + "]" * 200_000)
    with pytest.raises(InputError, match="deep.json: JSON nested too deeply"):
        load_file(SpecModel, path)


def test_two_files_for_one_table_reject_that_table_naming_both(tmp_path):
    table = {"schema": "silver", "name": "DimStore", "profile": BASE_PROFILE}
    _write(tmp_path / "catalog/tables/silver.dimstore.json", table)
    _write(tmp_path / "catalog/tables/Silver.DimStore.json", table)
    _write(tmp_path / "catalog/tables/silver.other.json", {**table, "name": "Other"})
    mp = MigrationProject(tmp_path)
    assert list(mp.tables) == ["silver.other"]
    with pytest.raises(InputError) as err:
        mp.table("silver.DimStore")
    assert "Silver.DimStore.json" in str(err.value) and "silver.dimstore.json" in str(err.value)
    assert sorted(t.key for t in mp.target_ids()) == ["silver.dimstore", "silver.other"]


def test_an_unknown_dialect_names_the_known_ones(tmp_path):
    _write(tmp_path / "manifest.json", {"dialect": "cobol"})
    with pytest.raises(InputError, match=r"field 'dialect': .*unknown dialect 'cobol'; known dialects: .*tsql"):
        MigrationProject(tmp_path).require_manifest()
