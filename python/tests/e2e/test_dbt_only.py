"""Acceptance 1 of #19: a dbt Cloud team generates a model with only dbt installed.

`migrate export` runs once where the migration project is; its files are "committed" (the dbt
project copied without what .gitignore leaves out) and used from a separate virtualenv holding dbt-core
and dbt-duckdb but not the dbt_migrate Python package: the venv reaches the shared environment's
site-packages through a ``.pth`` line, and a path added that way is not a site dir, so the editable
dbt_migrate install there is not loaded (asserted). There, `dbt run-operation
dbt_migrate.generate_model --args '{table: silver.DimStore}'` prints the model and its YAML, which
build and pass their unit tests; bad arguments exit non-zero with a message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import copy_example, run_cli


def _dbt_only_python(where: Path) -> Path:
    """A virtualenv whose only packages are the shared environment's, minus the editable dbt_migrate."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "shared_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DBT_PROJECT_PATH")}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    """(python of the dbt-only venv, the committed dbt project, a function running dbt there)."""
    root = copy_example("retail", tmp_path_factory.mktemp("dbt_only") / "retail")
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    exported = run_cli("export", "--project-root", str(root), "--all")
    assert exported.returncode == 0, exported.stdout + exported.stderr
    # What a commit holds: init's .gitignore leaves out target/, dbt_packages/, logs/ and the DuckDB file.
    clone = root / "cloud"
    shutil.copytree(root / "dbt", clone, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb*"))
    python = _dbt_only_python(root.parent / "venv")

    def dbt(*args: str) -> subprocess.CompletedProcess:
        code = "import sys; from dbt.cli.main import cli; sys.exit(cli())"
        return subprocess.run(
            [str(python), "-c", code, *args], cwd=clone, env=_env(), capture_output=True, text=True, timeout=300
        )

    assert dbt("deps").returncode == 0
    return python, clone, dbt


def test_the_venv_has_dbt_but_not_the_dbt_migrate_python_package(cloud):
    python = cloud[0]
    probe = (
        "import importlib.util as u; print(u.find_spec('dbt_migrate'), u.find_spec('dbt.adapters.duckdb') is not None)"
    )
    out = subprocess.run([str(python), "-c", probe], env=_env(), capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "True"]


def test_export_stores_each_table_in_an_analysis_beside_the_source_declarations(cloud):
    clone = cloud[1]
    stored = sorted(p.name for p in (clone / "analyses" / "dbt_migrate").iterdir())
    assert stored == [
        "_dbt_migrate_context__dimstore.yml",
        "_dbt_migrate_context__factdailystoresales.yml",
        "dbt_migrate_context__dimstore.sql",
        "dbt_migrate_context__factdailystoresales.sql",
    ]
    assert (clone / "models" / "staging" / "_dbt_migrate__sources.yml").is_file()
    assert not list((clone / "models" / "staging").glob("*.sql"))  # export renders no model


def test_generated_model_and_yaml_build_and_pass_their_unit_tests_with_only_dbt(cloud):
    _, clone, dbt = cloud
    # The legacy sources exist in a real warehouse; here they are created empty, as declared.
    declared = yaml.safe_load((clone / "models/staging/_dbt_migrate__sources.yml").read_text())
    with duckdb.connect(str(clone / "warehouse.duckdb")) as con:
        for source in declared["sources"]:
            con.execute(f'create schema if not exists "{source["schema"]}"')
            for t in source["tables"]:
                columns = ", ".join(f'"{c["name"]}" {c["data_type"]}' for c in t["columns"])
                con.execute(f'create table "{source["schema"]}"."{t["name"]}" ({columns})')
    # The YAML part first, while no model file exists: it is rendered from the stored context alone.
    generate = ("--quiet", "run-operation", "dbt_migrate.generate_model", "--args")
    yml = dbt(*generate, "{table: silver.DimStore, part: yaml}")
    assert yml.returncode == 0, yml.stdout + yml.stderr
    sql = dbt(*generate, "{table: silver.DimStore}")
    assert sql.returncode == 0, sql.stdout + sql.stderr
    assert sql.stdout.startswith("{{ config(materialized='incremental'")
    assert "{{ source('bronze', 'Store') }}" in sql.stdout
    (clone / "models/staging/dimstore.sql").write_text(sql.stdout)
    (clone / "models/staging/_dimstore.yml").write_text(yml.stdout)

    built = dbt("build", "--select", "dimstore")
    assert built.returncode == 0, built.stdout + built.stderr
    results = json.loads((clone / "target" / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) == 3 and all(r["status"] == "pass" for r in unit)
    assert any(r["unique_id"].endswith(".dimstore") and r["status"] == "success" for r in results)


def test_tables_prints_every_file_of_each_table_under_its_path(cloud):
    dbt = cloud[2]
    out = dbt(
        "--quiet", "run-operation", "dbt_migrate.generate_model", "--args",
        "{tables: [silver.DimStore, silver.FactDailyStoreSales]}",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    headers = [line for line in out.stdout.splitlines() if line.startswith(("-- models/", "# models/"))]
    assert headers == [
        "-- models/staging/dimstore.sql",
        "# models/staging/_dimstore.yml",
        "-- models/staging/factdailystoresales.sql",
        "# models/staging/_factdailystoresales.yml",
    ]
    assert "{{ ref('dimstore') }}" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("{table: silver.DimStore", "not valid YAML"),
        ("{table: silver.NoSuchTable}", "expected a table with a stored migration context: silver.dimstore, "),
        ("{}", "exactly one of: table"),
    ],
    ids=["malformed", "unknown_table", "nothing"],
)
def test_bad_arguments_exit_non_zero_with_a_message_and_print_no_model(cloud, args, message):
    out = cloud[2]("--quiet", "run-operation", "dbt_migrate.generate_model", "--args", args)
    assert out.returncode != 0
    assert message in out.stdout + out.stderr
    assert "config(" not in out.stdout
