"""`migrate init --adapter A`: profile templates with no secret in the file, and the project extras."""

from __future__ import annotations

import pytest
import yaml

from dbt_migrate import profiles
from dbt_migrate.convert.dialects import dialect_for_adapter
from dbt_migrate.errors import InputError
from dbt_migrate.escaping import UnsafeInputError
from dbt_migrate.init import init_project

SECRET_KEYS = {"password", "token", "client_secret"}
DIALECTS = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "snowflake": "snowflake",
    "databricks": "databricks",
    "fabric": "tsql",
    "sqlserver": "tsql",
}


@pytest.mark.parametrize("adapter", profiles.ADAPTERS)
def test_every_setting_but_fixed_choices_comes_from_the_environment(adapter):
    target = yaml.safe_load(profiles.profiles_yml("p", adapter))["p"]["outputs"]["dev"]
    assert target["type"] == adapter
    assert dialect_for_adapter(target["type"]) == DIALECTS[adapter]
    fixed = {"type", "threads", "path", "driver", "authentication", "encrypt", "trust_cert"}
    for key, value in target.items():
        if key in SECRET_KEYS:
            assert value.startswith("{{ env_var('DBT_ENV_SECRET_") and "', '" not in value, (key, value)
        elif key not in fixed:
            assert "env_var('DBT_MIGRATE_" in value, (key, value)


def test_the_adapters_are_the_six_the_issue_names():
    assert set(profiles.ADAPTERS) == set(DIALECTS)


def test_an_unknown_adapter_is_refused_before_any_folder_is_made(tmp_path):
    with pytest.raises(InputError, match="choose one of duckdb, postgres"):
        init_project(tmp_path / "dbt", adapter="oracle", run_deps=False)
    assert not (tmp_path / "dbt").exists()


def test_legacy_schema_adds_the_var_and_the_record_results_hook(tmp_path):
    init_project(tmp_path / "dbt", run_deps=False, legacy_schema="legacy")
    project = yaml.safe_load((tmp_path / "dbt" / "dbt_project.yml").read_text())
    assert project["vars"] == {"dbt_migrate_legacy_schema": "legacy"}
    assert project["on-run-end"] == ["{{ dbt_migrate.record_results(results) }}"]


def test_record_results_alone_adds_only_the_hook_and_plain_init_neither(tmp_path):
    init_project(tmp_path / "a", run_deps=False, record_results=True)
    init_project(tmp_path / "b", run_deps=False)
    a = yaml.safe_load((tmp_path / "a" / "dbt_project.yml").read_text())
    b = yaml.safe_load((tmp_path / "b" / "dbt_project.yml").read_text())
    assert "vars" not in a and a["on-run-end"] == ["{{ dbt_migrate.record_results(results) }}"]
    assert "vars" not in b and "on-run-end" not in b


@pytest.mark.parametrize("schema", ["{{ env_var('X') }}", "a'b", "a/b", ""])
def test_an_unsafe_legacy_schema_is_refused(tmp_path, schema):
    with pytest.raises(UnsafeInputError):
        init_project(tmp_path / "dbt", run_deps=False, legacy_schema=schema)
    assert not (tmp_path / "dbt").exists()


def test_an_existing_project_is_kept_and_the_note_says_what_to_add(tmp_path):
    (tmp_path / "dbt").mkdir()
    (tmp_path / "dbt" / "dbt_project.yml").write_text("name: mine\nprofile: mine\n")
    report = init_project(tmp_path / "dbt", run_deps=False, legacy_schema="legacy")
    assert (tmp_path / "dbt" / "dbt_project.yml").read_text() == "name: mine\nprofile: mine\n"
    assert any("dbt_migrate_legacy_schema: legacy" in n and "record_results" in n for n in report.notes)
