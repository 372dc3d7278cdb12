"""Bad input stays bad input: each malformed file is a named outcome through the real CLI.

A bad catalog or test spec fails only its table (status ``error``, reason ``invalid_input``, the
file and the field named) while the other tables go on; a bad manifest or a ledger of the wrong
shape concerns everything and stops the run with exit 2. Never a traceback, never exit 1 from an
internal error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import copy_example, run_cli

DIM = "silver.dimstore"
FACT = "silver.factdailystoresales"
DIM_CATALOG = "catalog/tables/silver.dimstore.json"
FACT_SPEC = "test-specs/silver.factdailystoresales.json"
PLACEHOLDER = "__PLANTED__"


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Path:
    root = copy_example("retail", tmp_path_factory.mktemp("bad") / "retail")
    res = run_cli("init", "--project-root", str(root))
    assert res.returncode == 0, res.stderr
    return root


@pytest.fixture
def project(initialised: Path, tmp_path: Path) -> Path:
    """A fresh copy of the initialised retail project (dbt deps already run)."""
    return Path(shutil.copytree(initialised, tmp_path / "retail", symlinks=True))


def _plant(path: Path, set_placeholder, raw: str) -> None:
    """Put ``raw`` (JSON text Python's json cannot write: NaN, 5,000 digits, 200k levels) where
    ``set_placeholder`` puts the placeholder string."""
    data = json.loads(path.read_text())
    set_placeholder(data)
    path.write_text(json.dumps(data, indent=1).replace(f'"{PLACEHOLDER}"', raw))


def _first_given_value(data: dict) -> None:
    data["unit_tests"][0]["given"][0]["rows"][0]["Quantity"] = PLACEHOLDER


def _first_expected_value(data: dict) -> None:
    data["unit_tests"][0]["expect"]["rows"][0]["Quantity"] = PLACEHOLDER


def _run_all(root: Path):
    """`migrate run --all --no-build --json`: results by table, with the process."""
    res = run_cli("run", "--project-root", str(root), "--all", "--no-build", "--json")
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    doc = json.loads(res.stdout)
    assert (root / ".migration-runs" / f"{doc['run_id']}.json").is_file()
    return res, {r["item_id"]: r for r in doc["results"]}


def _only_this_table_fails(root: Path, failing: str, *fragments: str, readers: tuple[str, ...] = ()) -> dict:
    """``failing`` (and the ``readers`` that read it, issue #14) end ``invalid_input`` naming the
    file and field; every other table is ok."""
    res, results = _run_all(root)
    assert res.returncode == 1, res.stderr
    failed = (failing, *readers)
    for table in failed:
        bad = results[table]
        assert bad["status"] == "error" and bad["reason"] == "invalid_input", bad
        message = " ".join(bad["errors"])
        for fragment in fragments:
            assert fragment in message, message
    others = [r for key, r in results.items() if key not in failed]
    failed_models = {t.split(".")[1] for t in failed}
    for r in others:  # ok, or (issue 15) paused while it waits for a failing table's model
        waits = (r["output"].get("paused") or {}).get("waiting_for", [])
        assert r["status"] == "ok" or (r["reason"] == "paused" and set(waits) <= failed_models and waits), r
    return results[failing]


# -- numbers a test spec cannot hold -----------------------------------------------------------
@pytest.mark.parametrize(
    "where, raw, why",
    [
        (_first_given_value, "NaN", "NaN is not a number"),
        (_first_expected_value, "Infinity", "Infinity is not a number"),
        (_first_expected_value, "-Infinity", "-Infinity is not a number"),
        (_first_given_value, "7" * 5000, "a number of 5000 digits"),
        (_first_given_value, "1e999", "out of range"),
        (_first_given_value, "0." + "1" * 5000, "cannot be kept exactly"),
    ],
    ids=["nan", "infinity", "minus-infinity", "5000-digits", "overflow", "5000-digit-decimal"],
)
def test_a_number_json_cannot_keep_fails_its_table_naming_the_field(project, where, raw, why):
    _plant(project / FACT_SPEC, where, raw)
    field = "unit_tests.0.given.0.rows.0.Quantity" if where is _first_given_value else "unit_tests.0.expect.rows.0"
    _only_this_table_fails(project, FACT, "silver.factdailystoresales.json", f"field '{field}", why)


def test_a_long_number_that_is_representable_is_kept_exactly(initialised, tmp_path):
    root = copy_example("retail", tmp_path / "retail")
    big = "123456789012345678901234567890123456789"  # 39 digits: an exact Python int
    _plant(root / FACT_SPEC, _first_given_value, big)
    res = run_cli("context", "--project-root", str(root), "--table", FACT)
    assert res.returncode == 0, res.stderr
    assert f'"Quantity": {big}' in res.stdout


# -- nesting, duplicates, fields ----------------------------------------------------------------
DEEP = "[" * 200_000 + "]" * 200_000


def test_200k_deep_json_in_a_test_spec_fails_its_table(project):
    _plant(project / FACT_SPEC, _first_given_value, DEEP)
    _only_this_table_fails(project, FACT, "silver.factdailystoresales.json", "nested too deeply")


def test_200k_deep_json_in_a_catalog_fails_its_table_and_the_table_reading_it(project):
    _plant(project / DIM_CATALOG, lambda d: d.update(extra=PLACEHOLDER), DEEP)
    _only_this_table_fails(project, DIM, "silver.dimstore.json", "nested too deeply", readers=(FACT,))


def test_two_catalog_files_for_one_table_name_both_and_fail_it(project):
    second = project / "catalog/tables/Silver.DimStore.json"
    second.write_text((project / DIM_CATALOG).read_text())
    bad = _only_this_table_fails(
        project, DIM, "silver.dimstore.json", "Silver.DimStore.json", "2 files describe", readers=(FACT,)
    )
    assert "keep one" in bad["errors"][0]


def test_two_catalog_files_whose_names_normalize_to_one_key_fail_it(project):
    data = json.loads((project / DIM_CATALOG).read_text())
    data.update(schema="SILVER", name="DIMSTORE")
    (project / "catalog/tables/copy_of_dimstore.json").write_text(json.dumps(data))
    _only_this_table_fails(project, DIM, "copy_of_dimstore.json", "silver.dimstore.json", readers=(FACT,))


def test_an_invalid_field_in_one_test_spec_fails_only_its_table(project):
    spec = project / FACT_SPEC
    data = json.loads(spec.read_text())
    data["unit_tests"][0]["expect"] = {"rows": "not a list"}
    spec.write_text(json.dumps(data))
    _only_this_table_fails(project, FACT, "silver.factdailystoresales.json", "field 'unit_tests.0.expect.rows'")


def test_an_invalid_field_in_one_catalog_fails_only_its_table(project):
    catalog = project / "catalog/tables/silver.factdailystoresales.json"
    data = json.loads(catalog.read_text())
    data["profile"]["classification"]["resolved_kind"] = "dim_scd7"
    catalog.write_text(json.dumps(data))
    _only_this_table_fails(project, FACT, "silver.factdailystoresales.json", "profile.classification.resolved_kind")


def test_a_watermark_column_the_table_does_not_have_fails_it_at_context_time(project):
    catalog = project / DIM_CATALOG
    data = json.loads(catalog.read_text())
    data["profile"]["watermark"] = {"column": "NoSuchColumn"}
    catalog.write_text(json.dumps(data))
    _only_this_table_fails(project, DIM, "silver.dimstore.json", "field 'profile.watermark'", "NoSuchColumn")
    res = run_cli("context", "--project-root", str(project), "--table", DIM)
    assert res.returncode == 2 and "NoSuchColumn" in res.stderr and "Traceback" not in res.stderr


# -- what concerns everything: exit 2 ------------------------------------------------------------
def test_an_unknown_dialect_in_the_manifest_exits_2_naming_field_and_known_dialects(project):
    manifest = project / "manifest.json"
    data = json.loads(manifest.read_text())
    data["dialect"] = "cobol"
    manifest.write_text(json.dumps(data))
    for args in (["run", "--all", "--no-build"], ["context", "--table", DIM]):
        res = run_cli(*args, "--project-root", str(project))
        assert res.returncode == 2, res.stderr
        assert "manifest.json: field 'dialect': " in res.stderr and "'cobol'" in res.stderr
        assert "known dialects:" in res.stderr and "tsql" in res.stderr
        assert "Traceback" not in res.stderr


@pytest.mark.parametrize("content", ["[]", '{"models/staging/x.sql": 3}', "{not json", "[" * 200_000])
def test_a_ledger_of_the_wrong_shape_exits_2_saying_which_file_and_what_to_do(project, content):
    ledger = project / "dbt" / ".dbt-migrate" / "written.json"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text(content)
    res = run_cli("run", "--project-root", str(project), "--all", "--no-build")
    assert res.returncode == 2, res.stderr
    assert "written.json" in res.stderr and "delete it" in res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    assert not (project / "dbt" / "models" / "staging" / "dimstore.sql").exists()


def test_a_table_named_on_the_command_line_without_a_catalog_exits_2(project):
    res = run_cli("run", "--project-root", str(project), "--table", "silver.nope", "--no-build")
    assert res.returncode == 2 and "silver.nope" in res.stderr and "catalog" in res.stderr
