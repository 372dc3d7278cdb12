"""Python's mirrors of the package's rules agree with the macros, rendered through real dbt.

``dbt_migrate.rules`` (classification -> materialization, keyed classifications, the migrated tag,
the staging prefix, the full-refresh predicate) and ``dbt_migrate.jinja_standins`` (the offline
stand-ins for ``dbt.<macro>()`` and ``dbt_migrate.watermark_filter()`` that the equivalence check,
the LLM guard and the sqlfluff templater use) each copy something the package's Jinja decides.
One dbt project installs the package from this repository; one run-operation renders every macro
answer as JSON and one compile renders ``watermark_filter`` in a model; each Python copy is then
compared with it. Drift on either side fails here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_migrate import rules
from dbt_migrate.catalog import CLASSIFICATIONS as CATALOG_CLASSIFICATIONS
from dbt_migrate.jinja_standins import PINNED_CALLS, DbtMigrateStandins, DbtStandins
from helpers import REPO

DBT = str(Path(sys.executable).with_name("dbt"))

PIN_MACRO = """
{% macro pin_rules(calls, classifications) %}
  {%- set out = {'known': dbt_migrate._known_classifications(), 'materialization_for': {},
                 'config_keys': {}, 'dbt': [], 'fields': {}} -%}
  {%- for c in classifications -%}
    {%- do out['materialization_for'].update({c: dbt_migrate.materialization_for(c)}) -%}
    {%- do out['config_keys'].update({c: dbt_migrate.model_config(c, unique_key='k', watermark='w') | list}) -%}
    {%- set mat = {'classification': c, 'unique_key': ['k'], 'watermark': 'w'} -%}
    {%- set ctx = {'model_name': 'm', 'materialization': mat} -%}
    {%- set fields = dbt_migrate._context_fields(ctx, 'pin_rules') -%}
    {%- do out['fields'].update({c: {'node_name': fields.node_name, 'tags': fields.tags}}) -%}
  {%- endfor -%}
  {%- for c in calls -%}
    {%- do out['dbt'].append(context['dbt'][c[0]](*c[1]) | trim) -%}
  {%- endfor -%}
  {{ print('PIN::' ~ tojson(out)) }}
{% endmacro %}
"""


# Incremental renderings of watermark_filter the stand-in must reproduce: model name -> call.
INCREMENTAL_PINS = {
    "pin_wm_plain": "{{ dbt_migrate.watermark_filter('x') }}",
    "pin_wm_joined": "{{ dbt_migrate.watermark_filter('x', changed_columns=['x', ' y ']) }}",
    "pin_wm_lookback": "{{ dbt_migrate.watermark_filter('d', lookback=2) }}",
}
STANDIN_ARGS = {
    "pin_wm_plain": (("x",), {}),
    "pin_wm_joined": (("x",), {"changed_columns": ["x", " y "]}),
    "pin_wm_lookback": (("d",), {"lookback": 2}),
}


def _dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DBT, "--no-use-colors", *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    project = tmp_path_factory.mktemp("pin")
    (project / "dbt_project.yml").write_text(
        'name: pin\nversion: "1.0.0"\nconfig-version: 2\nprofile: pin\nmacro-paths: ["macros"]\n'
        'model-paths: ["models"]\n'
    )
    (project / "profiles.yml").write_text(
        "pin:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: pin.duckdb, threads: 1}\n"
    )
    (project / "packages.yml").write_text(f"packages:\n  - local: {REPO}\n")
    (project / "macros").mkdir()
    (project / "macros" / "pin.sql").write_text(PIN_MACRO)
    (project / "models").mkdir()
    (project / "models" / "pin_watermark.sql").write_text(
        "select 1 as x where {{ dbt_migrate.watermark_filter('x') }}\n"
    )
    (project / "models" / "pin_surrogate.sql").write_text(
        "select\n{{ dbt_migrate.surrogate_integer(['x', ' y ']) }}\nas k from (select 1 as x, 2 as y) t\n"
    )
    for name, call in INCREMENTAL_PINS.items():
        (project / "models" / f"{name}.sql").write_text(
            "{{ config(materialized='incremental') }}\n-- this: {{ this }}\n"
            f"select 1 as x, 2 as y, current_date as d where {call}\n"
        )
    deps = _dbt(project, "deps")
    assert deps.returncode == 0, deps.stdout + deps.stderr
    calls = [[name, list(args)] for name, args in PINNED_CALLS]
    op = _dbt(
        project,
        "run-operation",
        "pin_rules",
        "--args",
        json.dumps({"calls": calls, "classifications": list(rules.CLASSIFICATIONS)}),
    )
    assert op.returncode == 0, op.stdout + op.stderr
    line = next(ln for ln in op.stdout.splitlines() if "PIN::" in ln)
    out = json.loads(line.split("PIN::", 1)[1])
    compiled = _dbt(project, "compile", "--select", "pin_watermark", "pin_surrogate")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    text = next((project / "target" / "compiled").rglob("pin_watermark.sql")).read_text()
    out["watermark_full_refresh"] = text.split(" where ", 1)[1].strip()
    text = next((project / "target" / "compiled").rglob("pin_surrogate.sql")).read_text()
    out["surrogate"] = text.split("select\n", 1)[1].split("\nas k", 1)[0].strip()
    # The incremental form: build once, then compile against the existing relation.
    built = _dbt(project, "run", "--select", *INCREMENTAL_PINS)
    assert built.returncode == 0, built.stdout + built.stderr
    compiled = _dbt(project, "compile", "--select", *INCREMENTAL_PINS)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    out["watermark_incremental"] = {}
    for name in INCREMENTAL_PINS:
        text = next((project / "target" / "compiled").rglob(f"{name}.sql")).read_text()
        this = text.split("-- this: ", 1)[1].splitlines()[0].strip()
        out["watermark_incremental"][name] = (this, text.split(" where ", 1)[1].strip())
    return out


def test_materialization_mapping_matches_the_macro(rendered):
    assert rendered["known"] == rules.MATERIALIZATIONS
    assert rendered["materialization_for"] == {c: rules.materialization_for(c) for c in rules.CLASSIFICATIONS}
    assert set(CATALOG_CLASSIFICATIONS) == set(rendered["known"])


def test_keyed_classifications_are_the_ones_whose_config_carries_a_unique_key(rendered):
    keyed = {c for c, keys in rendered["config_keys"].items() if "unique_key" in keys}
    assert keyed == set(rules.KEYED)


def test_migrated_tag_and_staging_prefix_match_the_macros(rendered):
    for classification, fields in rendered["fields"].items():
        assert fields["tags"] == [rules.MIGRATED_TAG]
        expected = rules.staging_model("m") if rules.materialization_for(classification) == "snapshot" else "m"
        assert fields["node_name"] == expected
        assert rules.snapshot_of_staging(fields["node_name"]) == "m"


def test_watermark_filter_stand_in_is_what_dbt_renders_outside_an_incremental_run(rendered):
    assert rendered["watermark_full_refresh"] == rules.FULL_REFRESH_PREDICATE
    assert DbtMigrateStandins().watermark_filter("x") == rendered["watermark_full_refresh"]
    sqlfluff_lib = _load(REPO / "sqlfluff_libs" / "dbt_migrate.py")
    assert sqlfluff_lib.watermark_filter("x") == rendered["watermark_full_refresh"]


@pytest.mark.parametrize("name", list(INCREMENTAL_PINS))
def test_watermark_filter_stand_in_is_what_dbt_renders_on_an_incremental_run(rendered, name):
    this, predicate = rendered["watermark_incremental"][name]
    args, kwargs = STANDIN_ARGS[name]
    assert DbtMigrateStandins(this=this).watermark_filter(*args, **kwargs) == predicate


def test_surrogate_integer_stand_in_is_what_dbt_duckdb_renders(rendered):
    assert DbtMigrateStandins().surrogate_integer(["x", " y "]) == rendered["surrogate"]
    sqlfluff_lib = _load(REPO / "sqlfluff_libs" / "dbt_migrate.py")
    assert sqlfluff_lib.surrogate_integer(["x", " y "]) == rendered["surrogate"]


@pytest.mark.parametrize("index", range(len(PINNED_CALLS)), ids=[f"{m}{a}" for m, a in PINNED_CALLS])
def test_cross_database_stand_in_renders_what_dbt_duckdb_renders(rendered, index):
    name, args = PINNED_CALLS[index]
    expected = rendered["dbt"][index]
    assert getattr(DbtStandins(), name)(*args) == expected
    sqlfluff_lib = _load(REPO / "sqlfluff_libs" / "dbt.py")
    assert getattr(sqlfluff_lib, name)(*args) == expected


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"pin_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
