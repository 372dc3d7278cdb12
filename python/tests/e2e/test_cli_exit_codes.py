"""Every documented exit code of context / write / generate / init, through the real CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from helpers import run_cli


def _edit_json(path: Path, fn) -> None:
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


# -- context -----------------------------------------------------------------------------------
def test_context_prints_the_documented_fields(retail):
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.DimStore")
    assert res.returncode == 0, res.stderr
    ctx = json.loads(res.stdout)
    for field in (
        "table",
        "writer",
        "profile",
        "materialization",
        "statements",
        "proc_body",
        "columns",
        "source_tables",
        "schema_tests",
        "refactored_sql",
        "needs_llm",
    ):
        assert field in ctx, field
    assert ctx["materialization"]["unique_key"] == ["StoreAlternateKey"]
    assert "CREATE PROCEDURE [silver].[usp_load_DimStore]" in ctx["proc_body"]
    assert len(ctx["unit_tests"]) == 3


def test_context_without_profile_exits_1_and_says_what_to_run(retail):
    _edit_json(retail / "catalog/tables/silver.dimstore.json", lambda d: d.pop("profile"))
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.dimstore")
    assert res.returncode == 1
    assert "has no profile" in res.stderr and "silver.dimstore.json" in res.stderr
    assert "Traceback" not in res.stderr


def test_context_without_migrate_statements_exits_1(retail):
    def skip_all(d):
        for s in d["statements"]:
            s["action"] = "skip"

    _edit_json(retail / "catalog/procedures/silver.usp_load_dimstore.json", skip_all)
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.dimstore")
    assert res.returncode == 1
    assert "no statements with action 'migrate'" in res.stderr


def test_context_with_missing_manifest_exits_2(retail):
    (retail / "manifest.json").unlink()
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.dimstore")
    assert res.returncode == 2
    assert "manifest.json: missing" in res.stderr and '"dialect"' in res.stderr


def test_context_with_invalid_json_exits_2_naming_file_and_line(retail):
    (retail / "catalog/tables/silver.dimstore.json").write_text('{"schema": "silver",\n  "name": ')
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.dimstore")
    assert res.returncode == 2
    assert "silver.dimstore.json: invalid JSON at line 2" in res.stderr


def test_context_with_invalid_field_exits_2_naming_the_field(retail):
    _edit_json(
        retail / "catalog/tables/silver.dimstore.json",
        lambda d: d["profile"].update({"pii_actions": [{"column": "X", "suggested_action": "shred"}]}),
    )
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.dimstore")
    assert res.returncode == 2
    assert "field 'profile.pii_actions.0.suggested_action'" in res.stderr


def test_context_for_unknown_table_exits_2_with_expected_path(retail):
    res = run_cli("context", "--project-root", str(retail), "--table", "silver.nope")
    assert res.returncode == 2
    assert "catalog/tables/silver.nope.json" in res.stderr


# -- write -------------------------------------------------------------------------------------
def _files(tmp_path: Path, sql: str, yml: str) -> tuple[Path, Path]:
    s, y = tmp_path / "m.sql", tmp_path / "m.yml"
    s.write_text(sql)
    y.write_text(yml)
    return s, y


MODEL_YML = "version: 2\nmodels:\n  - name: dimstore\n    description: first\n"


def _write_args(root: Path, sql_file: Path, yml_file: Path) -> list[str]:
    """`migrate write` of silver.DimStore from the two files."""
    return [
        "write",
        "--project-root",
        str(root),
        "--table",
        "silver.DimStore",
        "--model-sql-file",
        str(sql_file),
        "--schema-yml-file",
        str(yml_file),
    ]


def test_write_without_dbt_project_exits_2(retail, tmp_path):
    s, y = _files(tmp_path, "select 1 as a", MODEL_YML)
    res = run_cli(*_write_args(retail, s, y))
    assert res.returncode == 2
    assert "run `migrate init` first" in res.stderr


@pytest.mark.parametrize(
    "sql, yml, what", [("  \n", MODEL_YML, "--model-sql-file"), ("select 1", "", "--schema-yml-file")]
)
def test_write_with_empty_input_exits_1_naming_the_argument(retail, tmp_path, sql, yml, what):
    (retail / "dbt").mkdir()
    (retail / "dbt" / "dbt_project.yml").write_text("name: x\n")
    s, y = _files(tmp_path, sql, yml)
    res = run_cli(*_write_args(retail, s, y))
    assert res.returncode == 1
    assert what in res.stderr and "empty" in res.stderr
    assert not (retail / "dbt" / "models").exists()  # nothing half-written


def test_write_merges_yaml_by_model_and_refuses_to_clobber_edits(retail, tmp_path):
    dbt = retail / "dbt"
    (dbt / "models" / "staging").mkdir(parents=True)
    (dbt / "dbt_project.yml").write_text("name: x\n")
    s, y = _files(tmp_path, "select 1 as a", MODEL_YML)
    args = _write_args(retail, s, y)
    assert run_cli(*args).returncode == 0
    model = dbt / "models" / "staging" / "dimstore.sql"
    yml = dbt / "models" / "staging" / "_dimstore.yml"
    assert model.read_text() == "select 1 as a\n"
    # A second model in the same YAML file survives a rewrite of the first.
    doc = yaml.safe_load(yml.read_text())
    doc["models"].append({"name": "other", "description": "kept"})
    yml.write_text(yaml.safe_dump(doc))
    y.write_text("version: 2\nmodels:\n  - name: dimstore\n    description: second\n")
    res = run_cli(*args)
    assert res.returncode == 1 and "--force" in res.stderr  # the YAML was edited by hand
    res = run_cli(*args, "--force")
    assert res.returncode == 0, res.stderr
    text = yml.read_text()
    assert "second" in text and "name: other" in text and "first" not in text
    # A hand-edited model is not overwritten without --force.
    model.write_text("select 2 as a -- my fix\n")
    res = run_cli(*args)
    assert res.returncode == 1 and "dimstore.sql" in res.stderr
    assert model.read_text() == "select 2 as a -- my fix\n"


# -- generate ----------------------------------------------------------------------------------
def test_generate_with_missing_manifest_exits_2(retail):
    (retail / "manifest.json").unlink()
    res = run_cli("generate", "--project-root", str(retail), "--table", "silver.dimstore", "--json")
    assert res.returncode == 2 and "manifest.json" in res.stderr
    assert "Traceback" not in res.stderr


def test_generate_without_dbt_project_exits_2(retail):
    res = run_cli("generate", "--project-root", str(retail), "--table", "silver.dimstore")
    assert res.returncode == 2 and "migrate init" in res.stderr


def test_generate_without_profile_exits_1_with_result_json(retail):
    (retail / "dbt").mkdir()
    assert run_cli("init", "--project-root", str(retail)).returncode == 0
    _edit_json(retail / "catalog/tables/silver.dimstore.json", lambda d: d.pop("profile"))
    res = run_cli("generate", "--project-root", str(retail), "--table", "silver.dimstore", "--json")
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    item = doc["results"][0]
    assert item["status"] == "error" and "has no profile" in item["errors"][0]
    assert (retail / ".migration-runs" / f"{doc['run_id']}.json").is_file()


# -- init --------------------------------------------------------------------------------------
def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts and "target" not in p.parts
    }


def test_init_is_idempotent_and_keeps_user_files(retail):
    dbt = retail / "dbt"
    dbt.mkdir()
    (dbt / "profiles.yml").write_text("# mine\n")
    res = run_cli("init", "--project-root", str(retail), "--json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert "profiles.yml" in report["kept"] and "dbt_project.yml" in report["created"]
    assert (dbt / "profiles.yml").read_text() == "# mine\n"
    assert (dbt / "dbt_packages" / "dbt_migrate").exists()
    before = _tree_digest(dbt)
    res = run_cli("init", "--project-root", str(retail), "--json")
    assert res.returncode == 0
    assert json.loads(res.stdout)["created"] == []
    assert _tree_digest(dbt) == before


def test_init_honours_dbt_project_path(retail, tmp_path):
    target = tmp_path / "elsewhere"
    res = run_cli("init", "--project-root", str(retail), env={"DBT_PROJECT_PATH": str(target)})
    assert res.returncode == 0, res.stderr
    assert (target / "dbt_project.yml").is_file() and not (retail / "dbt").exists()


def test_write_with_unparseable_existing_yaml_exits_1_naming_it(retail, tmp_path):
    dbt = retail / "dbt"
    (dbt / "models" / "staging").mkdir(parents=True)
    (dbt / "dbt_project.yml").write_text("name: x\n")
    broken = dbt / "models" / "staging" / "_dimstore.yml"
    broken.write_text("models: [\n")
    s, y = _files(tmp_path, "select 1 as a", MODEL_YML)
    res = run_cli(*_write_args(retail, s, y), "--force")
    assert res.returncode == 1 and "_dimstore.yml: invalid YAML" in res.stderr
    assert "Traceback" not in res.stderr and broken.read_text() == "models: [\n"
