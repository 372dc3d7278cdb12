"""Integration tests for the dbt_migrate dbt package: real dbt subprocesses, real DuckDB / PostgreSQL.

The ``integration_tests/`` dbt project (``packages.yml: - local: ../``) is copied with the package
into a temporary folder, so every run starts from nothing (no target/, no database file) and the
repository stays clean. One module-scoped fixture per target drives the whole scenario:

1. ``dbt deps``
2. ``dbt run-operation dbt_migrate.generate_models`` (the sidecar's batch call); the rendered model
   SQL / schema YAML / snapshot YAML from its debug line are written into the project
3. ``dbt build`` (watermark stage 0: the incremental models are created empty)
4. ``dbt build --select tag:watermark --vars '{batch: 1}'`` (incremental run on an existing empty target)
5. ``dbt build --select tag:watermark --vars '{batch: 2}'`` (increment + late rows, lookback)
6. ``dbt compile`` of the package's analysis with and without its vars

and the tests assert on exit codes, run_results.json, rows read back from the warehouse and error
text. PostgreSQL runs when DBT_MIGRATE_PG_HOST is set (``eval "$(.ci/postgres.sh start)"``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from helpers import REPO

INTEGRATION = REPO / "integration_tests"
PACKAGE_FILES = ("dbt_project.yml", "macros", "analyses")
KNOWN_CLASSIFICATIONS = (
    "dim_scd2",
    "dim_scd1",
    "dim_non_scd",
    "dim_junk",
    "fact_transaction",
    "fact_periodic_snapshot",
    "fact_accumulating_snapshot",
    "fact_aggregate",
    "stg",
    "mart",
)
TAGGED_MODELS = {
    "dim_store",
    "fct_events",
    "fct_events_lookback",
    "fct_events_joined",
    "gen_dim_store",
    "gen_fct_events",
    "stg_gen_dim_store_history",
    "gen_dim_store_history",  # the dim_scd2 snapshot
    "gen_dim_region",
}
PG_ENABLED = bool(os.environ.get("DBT_MIGRATE_PG_HOST"))


def _dbt_executable() -> str:
    for candidate in (Path(sys.executable).with_name("dbt"), REPO / ".venv" / "bin" / "dbt"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("dbt")
    if not found:
        pytest.skip("dbt is not installed")
    return found


DBT = _dbt_executable()


def run_dbt(project: Path, *args: str, env: dict[str, str], check: bool = False) -> subprocess.CompletedProcess:
    """Runs the venv's dbt in `project` and returns the completed process (stdout + stderr as text)."""
    proc = subprocess.run(
        [DBT, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def base_env(project: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(project),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
            "DBT_PARTIAL_PARSE": "true",
        }
    )
    env.pop("DBT_PROJECT_DIR", None)
    env.pop("DBT_TARGET", None)
    return env


def copy_package(dest: Path) -> Path:
    """Copies the package (dbt_project.yml, macros/, analyses/) and integration_tests/ into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        else:
            shutil.copy2(source, dest / name)
    shutil.copytree(
        INTEGRATION,
        dest / "integration_tests",
        ignore=shutil.ignore_patterns(
            "target", "dbt_packages", "logs", "*.duckdb", "*.duckdb.wal", "package-lock.yml", "generated"
        ),
    )
    return dest / "integration_tests"


def run_results(project: Path) -> dict:
    return json.loads((project / "target" / "run_results.json").read_text())


def statuses(results: dict) -> dict[str, str]:
    """unique_id -> status of a run_results.json."""
    return {r["unique_id"]: r["status"] for r in results["results"]}


class Warehouse:
    """Reads the target back: DuckDB file or PostgreSQL schema."""

    def __init__(self, target: str, env: dict[str, str], schema: str):
        self.target = target
        self.env = env
        self.schema = schema
        self.audit_schema = f"{schema}_dbt_test__audit"

    def query(self, sql: str) -> list[tuple]:
        if self.target == "duckdb":
            import duckdb

            con = duckdb.connect(self.env["DBT_MIGRATE_DUCKDB_PATH"], read_only=True)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
        import psycopg2

        con = psycopg2.connect(**pg_connection_args(self.env))
        try:
            with con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else []
        finally:
            con.close()

    def count(self, table: str) -> int:
        return self.query(f"select count(*) from {self.schema}.{table}")[0][0]

    def drop(self) -> None:
        if self.target == "postgres":
            self.query(
                f"drop schema if exists {self.audit_schema} cascade; drop schema if exists {self.schema} cascade"
            )


def pg_connection_args(env: dict[str, str]) -> dict:
    return {
        "host": env.get("DBT_MIGRATE_PG_HOST", "127.0.0.1"),
        "port": int(env.get("DBT_MIGRATE_PG_PORT", "5432")),
        "user": env.get("DBT_MIGRATE_PG_USER", "dbt_migrate"),
        "password": env.get("DBT_MIGRATE_PG_PASSWORD", "dbt_migrate"),
        "dbname": env.get("DBT_MIGRATE_PG_DBNAME", "dbt_migrate"),
    }


def debug_line_payloads(output: str, prefix: str) -> list:
    """Payloads of debug log lines starting with `prefix` in dbt's --log-format json output."""
    payloads = []
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        message = event.get("data", {}).get("msg")
        if isinstance(message, str) and message.startswith(prefix):
            payloads.append(json.loads(message[len(prefix) :]))
    return payloads


@pytest.fixture(
    scope="module",
    params=[
        "duckdb",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(
                not PG_ENABLED,
                reason='DBT_MIGRATE_PG_HOST is not set (start one with: eval "$(.ci/postgres.sh start)")',
            ),
        ),
    ],
)
def scenario(request, tmp_path_factory):
    """Runs the whole integration scenario once per target and returns what it observed."""
    target = request.param
    project = copy_package(tmp_path_factory.mktemp(f"dbt_migrate_{target}") / "package")
    env = base_env(project)
    env["DBT_TARGET"] = target
    if target == "duckdb":
        env["DBT_MIGRATE_DUCKDB_PATH"] = str(project / "integration.duckdb")
        schema = "main"
    else:
        schema = f"dbt_migrate_it_{uuid.uuid4().hex[:8]}"
        env["DBT_MIGRATE_PG_SCHEMA"] = schema
    warehouse = Warehouse(target, env, schema)
    seen: dict = {"project": project, "env": env, "warehouse": warehouse, "target": target}

    try:
        seen["deps"] = run_dbt(project, "deps", env=env)

        # the sidecar's batch call: one run-operation, results read from the debug line
        models = json.loads((project / "fixtures" / "generate_models.json").read_text())
        seen["generate_models"] = run_dbt(
            project,
            "--debug",
            "--log-format",
            "json",
            "run-operation",
            "dbt_migrate.generate_models",
            "--args",
            json.dumps(models),
            env=env,
        )
        payloads = debug_line_payloads(seen["generate_models"].stdout, "dbt_migrate__generate_models::")
        seen["generate_models_payloads"] = payloads
        generated = project / "models" / "generated"
        snapshots = project / "snapshots" / "generated"
        generated.mkdir(parents=True, exist_ok=True)
        snapshots.mkdir(parents=True, exist_ok=True)
        for result in payloads[0] if payloads else []:
            (generated / f"{result['model_name']}.sql").write_text(result["model_sql"])
            (generated / f"_{result['model_name']}.yml").write_text(result["schema_yml"])
            if result["snapshot_yml"]:
                (snapshots / f"{result['snapshot_name']}.yml").write_text(result["snapshot_yml"])

        seen["build"] = run_dbt(project, "build", env=env)
        seen["build_results"] = run_results(project)
        seen["counts"] = {0: (warehouse.count("fct_events"), warehouse.count("fct_events_lookback"))}
        for batch in (1, 2):
            seen[f"build_batch_{batch}"] = run_dbt(
                project, "build", "--select", "tag:watermark", "--vars", json.dumps({"batch": batch}), env=env
            )
            seen[f"build_batch_{batch}_results"] = run_results(project)
            seen["counts"][batch] = (warehouse.count("fct_events"), warehouse.count("fct_events_lookback"))

        seen["results_table"] = warehouse.query(
            f"select invocation_id, model_name, status, execution_time, recorded_at from {schema}.dbt_migrate_results"
        )
        seen["drift_failures"] = warehouse.query(
            "select dbt_migrate_only_in, dbt_migrate_difference, store_alternate_key, store_name "
            f"from {warehouse.audit_schema}.equal_to_legacy_detects_drift"
        )
        seen["drift_excluding_failures"] = warehouse.query(
            "select dbt_migrate_only_in, store_alternate_key"
            f" from {warehouse.audit_schema}.equal_to_legacy_drift_excluding_store_name"
        )
        seen["duplicate_failures"] = warehouse.query(
            "select dbt_migrate_only_in, store_alternate_key, dbt_migrate_occurrence "
            f"from {warehouse.audit_schema}.equal_to_legacy_detects_duplicate_row"
        )

        compare_vars = {
            "dbt_migrate_model": "dim_store",
            "dbt_migrate_legacy_relation": "source('legacy', 'legacy_dim_store_drifted')",
            "dbt_migrate_key": "store_alternate_key",
        }
        seen["compile_compare"] = run_dbt(
            project, "compile", "--select", "compare_with_legacy", "--vars", json.dumps(compare_vars), env=env
        )
        compiled = project / "target" / "compiled" / "dbt_migrate" / "analyses" / "compare_with_legacy.sql"
        seen["compare_rows"] = warehouse.query(compiled.read_text()) if compiled.is_file() else None
        yield seen
    finally:
        warehouse.drop()


def test_deps_installs_the_package_from_the_parent_folder(scenario):
    assert scenario["deps"].returncode == 0, scenario["deps"].stdout
    installed = scenario["project"] / "dbt_packages" / "dbt_migrate"
    assert (installed / "macros" / "materialization" / "materialization_for.sql").is_file()


def test_build_passes_every_model_seed_and_test(scenario):
    build = scenario["build"]
    assert build.returncode == 0, build.stdout
    results = scenario["build_results"]["results"]
    failing = {r["unique_id"]: r["status"] for r in results if r["status"] not in ("success", "pass")}
    assert failing == {}
    by_type: dict[str, int] = {}
    for r in results:
        by_type[r["unique_id"].split(".")[0]] = by_type.get(r["unique_id"].split(".")[0], 0) + 1
    # seeds, the hand-written and generated models, the snapshot, data tests and unit tests all ran
    assert by_type["seed"] == 11
    assert by_type["model"] == 12
    assert by_type["snapshot"] == 1
    assert by_type["unit_test"] == 5
    assert by_type["test"] == 31  # 24 hand-written (10 of them assert rendered text) + 7 rendered from schema_tests


def test_surrogate_integer_gives_the_same_bigint_on_every_adapter_and_its_default_agrees(scenario):
    # the singular test compares with keys computed in Python: md5 of the '|'-joined text, 15 hex digits
    results = statuses(scenario["build_results"])
    assert results["test.dbt_migrate_integration_tests.assert_surrogate_integer_values"] == "pass"


def test_build_emits_no_deprecation_warnings(scenario):
    output = scenario["build"].stdout + scenario["build"].stderr
    assert "deprecat" not in output.lower(), output


def test_materialization_for_and_model_config_match_expected_for_every_classification(scenario):
    outcome = statuses(scenario["build_results"])
    assert outcome["test.dbt_migrate_integration_tests.assert_config_matrix_matches_expected"] == "pass"
    warehouse = scenario["warehouse"]
    rows = warehouse.query(f"select classification, materialized from {warehouse.schema}.config_matrix")
    assert {classification for classification, _ in rows} == set(KNOWN_CLASSIFICATIONS)
    assert dict(rows)["dim_scd2"] == "snapshot"
    assert dict(rows)["fact_transaction"] == "incremental"
    assert dict(rows)["fact_aggregate"] == "table"


def test_generate_models_logs_exactly_one_debug_line_with_every_result(scenario):
    proc = scenario["generate_models"]
    assert proc.returncode == 0, proc.stdout
    payloads = scenario["generate_models_payloads"]
    assert len(payloads) == 1
    by_name = {r["model_name"]: r for r in payloads[0]}
    assert list(by_name) == ["gen_dim_store", "gen_fct_events", "stg_gen_dim_store_history", "gen_dim_region"]
    for result in payloads[0]:
        assert set(result) == {
            "model_name",
            "materialized",
            "model_sql",
            "schema_yml",
            "snapshot_name",
            "snapshot_yml",
            "versions_sql",
        }

    dim = by_name["gen_dim_store"]
    assert dim["materialized"] == "incremental"
    assert dim["model_sql"].splitlines()[0] == (
        "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='store_alternate_key', "
        "on_schema_change='append_new_columns', tags=['dbt_migrate', 'dim_store']) }}"
    )
    assert dim["model_sql"].endswith("on stores.region_id = regions.region_id\n")
    assert dim["snapshot_name"] is None and dim["snapshot_yml"] is None

    scd2 = by_name["stg_gen_dim_store_history"]
    assert scd2["materialized"] == "snapshot"
    assert scd2["model_sql"].startswith("{{ config(materialized='table', tags=['dbt_migrate', 'dim_store']) }}\n\n")
    assert scd2["snapshot_name"] == "gen_dim_store_history"
    snapshot = yaml.safe_load(scd2["snapshot_yml"])["snapshots"][0]
    assert snapshot == {
        "name": "gen_dim_store_history",
        "relation": "ref('stg_gen_dim_store_history')",
        "config": {
            "strategy": "timestamp",
            "updated_at": "modified_date",
            "unique_key": "store_id",
            "tags": ["dbt_migrate", "dim_store"],
        },
    }
    assert by_name["gen_dim_region"]["model_sql"].startswith("{{ config(materialized='table', tags=['dbt_migrate']) }}")


def test_render_schema_yml_maps_schema_tests_pii_and_copies_unit_tests_exactly(scenario):
    payload = {r["model_name"]: r for r in scenario["generate_models_payloads"][0]}
    document = yaml.safe_load(payload["gen_dim_store"]["schema_yml"])
    assert document["version"] == 2
    model = document["models"][0]
    assert model["name"] == "gen_dim_store"
    assert model["config"]["tags"] == ["dbt_migrate", "dim_store"]
    assert model["config"]["meta"]["dbt_migrate"] == {
        "table": "silver.DimStore",
        "writer": "silver.usp_load_DimStore",
        "classification": "dim_scd1",
        "recency": [{"column": "modified_date", "interval_days": 30}],
    }
    assert model["data_tests"] == [
        {
            "dbt_migrate.unique_combination_of_columns": {
                "arguments": {"combination_of_columns": ["store_alternate_key", "region_name"]}
            }
        }
    ]
    columns = {c["name"]: c for c in model["columns"]}
    assert columns["store_alternate_key"]["data_tests"] == [
        "unique",
        "not_null",
        {"relationships": {"arguments": {"to": "ref('dim_store')", "field": "store_alternate_key"}}},
    ]
    assert columns["store_name"]["config"] == {"meta": {"pii_action": "mask"}}

    # unit tests: given rows and expect rows are the context's, unchanged
    contexts = json.loads((INTEGRATION / "fixtures" / "generate_models.json").read_text())["models"]
    source_tests = contexts[0]["context"]["unit_tests"]
    rendered = document["unit_tests"]
    assert [t["name"] for t in rendered] == [t["name"] for t in source_tests]
    for original, test in zip(source_tests, rendered):
        assert test["model"] == "gen_dim_store"
        assert test["given"] == original["given"]
        assert test["expect"] == original["expect"]
        assert test.get("description") == original.get("description")
    # dim_scd2: unit tests belong to the staging model
    scd2 = yaml.safe_load(payload["stg_gen_dim_store_history"]["schema_yml"])
    assert [t["model"] for t in scd2["unit_tests"]] == ["stg_gen_dim_store_history"]
    # no unit tests: no unit_tests key
    assert "unit_tests" not in yaml.safe_load(payload["gen_dim_region"]["schema_yml"])


def test_generated_models_snapshot_and_their_tests_build(scenario):
    outcome = statuses(scenario["build_results"])
    generated = {uid: status for uid, status in outcome.items() if "gen_" in uid}
    assert outcome["model.dbt_migrate_integration_tests.gen_dim_store"] == "success"
    assert outcome["model.dbt_migrate_integration_tests.stg_gen_dim_store_history"] == "success"
    assert outcome["snapshot.dbt_migrate_integration_tests.gen_dim_store_history"] == "success"
    assert outcome["unit_test.dbt_migrate_integration_tests.gen_dim_store.test_open_store_with_region"] == "pass"
    assert outcome["unit_test.dbt_migrate_integration_tests.gen_dim_store.test_closed_store_without_region"] == "pass"
    assert (
        outcome["unit_test.dbt_migrate_integration_tests.stg_gen_dim_store_history.test_history_source_rows"] == "pass"
    )
    # unique, not_null, relationships, unique_combination_of_columns on gen_dim_store + the others
    generated_tests = [uid for uid in generated if uid.startswith("test.")]
    assert len(generated_tests) >= 6
    assert all(status == "pass" for uid, status in generated.items() if uid.startswith("test."))
    warehouse = scenario["warehouse"]
    assert warehouse.count("gen_dim_store") == 3
    assert warehouse.count("gen_dim_store_history") == 3


def test_watermark_filter_loses_no_rows_on_an_empty_target_and_reads_only_the_increment(scenario):
    for batch in (1, 2):
        proc = scenario[f"build_batch_{batch}"]
        assert proc.returncode == 0, proc.stdout
        outcome = statuses(scenario[f"build_batch_{batch}_results"])
        assert outcome["test.dbt_migrate_integration_tests.assert_watermark_stage_matches_expected"] == "pass"
        # the merge over a join re-reads event 2 when only its label changed (changed_columns)
        assert outcome["test.dbt_migrate_integration_tests.assert_watermark_joined_stage_matches_expected"] == "pass"
        assert outcome["model.dbt_migrate_integration_tests.fct_events"] == "success"
    # (fct_events append, fct_events_lookback merge + 1 day lookback) row counts per stage:
    # stage 0 creates both empty; stage 1 is an incremental run on the existing empty tables and
    # must read all 3 rows; stage 2 adds rows 4 and 5, and only the lookback model the late row 6.
    assert scenario["counts"] == {0: (0, 0), 1: (3, 3), 2: (5, 6)}


def test_equal_to_legacy_returns_the_differing_rows_in_both_directions(scenario):
    outcome = statuses(scenario["build_results"])
    prefix = "test.dbt_migrate_integration_tests."
    equal_test = [uid for uid in outcome if uid.startswith(prefix + "dbt_migrate_equal_to_legacy_dim_store")]
    assert len(equal_test) == 1 and outcome[equal_test[0]] == "pass"  # equal relations: no rows
    for name in (
        "assert_equal_to_legacy_accepts_relation_strings",
        "assert_equal_to_legacy_accepts_dotted_names",
        "assert_equal_to_legacy_finds_both_directions",
    ):
        assert outcome[prefix + name] == "pass"
    # the unequal comparisons pass only with their exact failure count (error_if: "!=N"); the rows
    # they stored (store_failures) say which side each differing row is only in
    by_name = {uid.split(".")[2]: status for uid, status in outcome.items()}
    for name in (
        "equal_to_legacy_detects_drift",
        "equal_to_legacy_drift_excluding_store_name",
        "equal_to_legacy_detects_duplicate_row",
    ):
        assert by_name[name] == "pass"
    assert sorted(scenario["drift_failures"]) == [
        ("legacy", "changed", "2", "Airport Terminal"),
        ("legacy", "missing_in_model", "9", "Ghost"),
        ("model", "changed", "2", "Airport"),
        ("model", "missing_in_legacy", "3", "Harbor"),
    ]
    assert sorted(scenario["drift_excluding_failures"]) == [("legacy", "9"), ("model", "3")]
    assert scenario["duplicate_failures"] == [("legacy", "1", 2)]


def test_record_results_hook_appends_one_row_per_tagged_model(scenario):
    rows = scenario["results_table"]
    build_invocation = scenario["build_results"]["metadata"]["invocation_id"]
    first = [r for r in rows if r[0] == build_invocation]
    assert {r[1] for r in first} == TAGGED_MODELS  # config_matrix, events_source, seeds: not tagged
    assert all(r[2] == "success" and r[3] is not None and r[4] is not None for r in first)
    # the two watermark builds appended their three tagged models each
    later = [r for r in rows if r[0] != build_invocation]
    assert sorted(r[1] for r in later) == sorted(["fct_events", "fct_events_joined", "fct_events_lookback"] * 2)


def test_compare_with_legacy_analysis_reports_row_counts_and_match_rates(scenario):
    assert scenario["compile_compare"].returncode == 0, scenario["compile_compare"].stdout
    rows = {r[0]: tuple(r[1:]) for r in scenario["compare_rows"]}
    # dim_store has stores 1, 2, 3; the drifted legacy table 1, 2 (renamed) and 9
    assert list(rows) == [
        "store_alternate_key",
        "store_name",
        "region_name",
        "country_code",
        "is_open",
        "modified_date",
    ]
    assert {(model_rows, legacy_rows) for model_rows, legacy_rows, _, _ in rows.values()} == {(3, 3)}
    assert rows["store_name"][2] == 1 and float(rows["store_name"][3]) == pytest.approx(1 / 3)
    assert rows["region_name"][2] == 2 and float(rows["region_name"][3]) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("macro", "args", "expected"),
    [
        (
            "dbt_migrate.materialization_for",
            {"classification": "dim_scd3"},
            ["`classification`", "'dim_scd3'", *KNOWN_CLASSIFICATIONS],
        ),
        ("dbt_migrate.model_config", {"classification": "dim_scd1"}, ["`unique_key`", "merges on it"]),
        (
            "dbt_migrate.model_config",
            {"classification": "dim_scd2", "unique_key": ["store_id"]},
            ["`watermark`", "updated_at"],
        ),
        (
            "dbt_migrate.watermark_filter",
            {"column": "event_ts", "lookback": "three"},
            ["`lookback`", "whole number of days"],
        ),
        (
            "dbt_migrate.watermark_filter",
            {"column": "event_ts", "changed_columns": "e.event_ts"},
            ["`changed_columns`", "non-empty list"],
        ),
        (
            "dbt_migrate.generate_model",
            {"table": "silver.DimStore"},
            ["no stored migration context", "'silver.DimStore'", "run `migrate export`"],
        ),
        ("dbt_migrate.generate_model", {"tables": "silver.DimStore"}, ["`tables`", "a non-empty list of table names"]),
    ],
    ids=[
        "unknown_classification",
        "scd1_without_unique_key",
        "scd2_without_watermark",
        "non_integer_lookback",
        "changed_columns_not_a_list",
        "generate_model_without_stored_contexts",
        "generate_model_tables_not_a_list",
    ],
)
def test_wrong_arguments_stop_with_a_compiler_error_naming_the_argument(scenario, macro, args, expected):
    if scenario["target"] != "duckdb":
        pytest.skip("argument validation is adapter-independent: checked once, on DuckDB")
    proc = run_dbt(scenario["project"], "run-operation", macro, "--args", json.dumps(args), env=scenario["env"])
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Compilation Error" in output or "compil" in output.lower()
    for text in expected:
        assert text in output


# --- installing the package into a fresh project ----------------------------------------------

FRESH_CONTEXT = {
    "table": "silver.DimStore",
    "model_name": "dimstore",
    "description": "Migrated from silver.usp_load_DimStore",
    "writer": "silver.usp_load_DimStore",
    "tags": ["dbt_migrate"],
    "materialization": {"classification": "dim_scd1", "unique_key": ["StoreAlternateKey"], "watermark": "ModifiedDate"},
    "columns": [
        {
            "name": "StoreAlternateKey",
            "sql_type": "NVARCHAR(20)",
            "data_type": "varchar",
            "is_nullable": False,
            "is_identity": False,
        },
        {"name": "StoreName", "sql_type": "NVARCHAR(50)", "is_nullable": False, "is_identity": False},
        {"name": "ModifiedDate", "sql_type": "DATETIME", "is_nullable": False, "is_identity": False},
    ],
    "schema_tests": [
        {"kind": "entity_integrity", "column": "StoreAlternateKey", "test": "unique"},
        {"kind": "entity_integrity", "column": "StoreAlternateKey", "test": "not_null"},
        {"kind": "pii", "column": "StoreName", "action": "mask"},
    ],
    "unit_tests": [
        {
            "name": "test_store_name_is_trimmed",
            "description": "names are trimmed, ids become text keys",
            "origin": "test_spec",
            "given": [
                {
                    "input": "ref('bronze_store')",
                    "rows": [{"StoreID": 1, "StoreName": "  Downtown ", "ModifiedDate": "2024-01-05 10:00:00"}],
                }
            ],
            "expect": {
                "rows": [{"StoreAlternateKey": "1", "StoreName": "Downtown", "ModifiedDate": "2024-01-05 10:00:00"}]
            },
        }
    ],
}
FRESH_SQL = (
    "select\n"
    "    cast(StoreID as varchar) as StoreAlternateKey,\n"
    "    trim(StoreName) as StoreName,\n"
    "    ModifiedDate\n"
    "from {{ ref('bronze_store') }}\n"
    "where {{ dbt_migrate.watermark_filter('ModifiedDate') }}\n"
)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=dbt-migrate tests", "-c", "user.email=tests@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def package_git_url(tmp: Path) -> str:
    """file:// URL of this repository when HEAD already holds the package as it is in the working
    tree; otherwise of a temporary clone with the working tree's package files committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        head_has_package = bool(git("ls-tree", "--name-only", "HEAD", "macros/", cwd=REPO).strip())
        dirty = git("status", "--porcelain", "--untracked-files=all", "--", *PACKAGE_FILES, cwd=REPO).strip()
        if head_has_package and not dirty:
            return REPO.as_uri()
        clone = tmp / "package_repo"
        git("clone", "--quiet", "--no-local", str(REPO), str(clone), cwd=tmp)
    except subprocess.CalledProcessError:
        clone = tmp / "package_repo"
        clone.mkdir()
        git("init", "--quiet", cwd=clone)
    for name in PACKAGE_FILES:
        target = clone / name
        if target.is_dir():
            shutil.rmtree(target)
        source = REPO / name
        shutil.copytree(source, target) if source.is_dir() else shutil.copy2(source, target)
    git("add", "--", *PACKAGE_FILES, cwd=clone)
    git("commit", "--quiet", "--allow-empty", "-m", "dbt_migrate package under test", cwd=clone)
    return clone.as_uri()


def write_fresh_project(root: Path, packages_yml: str) -> Path:
    project = root / "fresh"
    (project / "seeds").mkdir(parents=True)
    (project / "models").mkdir()
    (project / "dbt_project.yml").write_text(
        "name: fresh_project\nversion: '1.0'\nconfig-version: 2\nprofile: fresh_project\n"
        "flags:\n  send_anonymous_usage_stats: false\n"
    )
    (project / "profiles.yml").write_text(
        "fresh_project:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{project / 'fresh.duckdb'}'\n      threads: 1\n"
    )
    (project / "packages.yml").write_text(packages_yml)
    (project / "seeds" / "bronze_store.csv").write_text(
        "StoreID,StoreName,ModifiedDate\n1,  Downtown ,2024-01-05 10:00:00\n2,Airport,2024-01-06 09:00:00\n"
    )
    return project


def test_package_installs_from_git_and_local_path_and_generate_model_prints_a_model_that_builds(tmp_path):
    url = package_git_url(tmp_path)

    # 1. from a git URL
    git_project = write_fresh_project(tmp_path / "git", f'packages:\n  - git: "{url}"\n')
    env = base_env(git_project)
    deps = run_dbt(git_project, "deps", env=env)
    assert deps.returncode == 0, deps.stdout
    installed = git_project / "dbt_packages" / "dbt_migrate"
    assert not installed.is_symlink()
    assert (installed / "macros" / "rendering" / "generate_model.sql").is_file()

    # 2. from a local path
    project = write_fresh_project(tmp_path / "local", f"packages:\n  - local: '{REPO}'\n")
    env = base_env(project)
    deps = run_dbt(project, "deps", env=env)
    assert deps.returncode == 0, deps.stdout
    assert (project / "dbt_packages" / "dbt_migrate" / "macros" / "rendering" / "generate_model.sql").is_file()

    # 3. the codegen workflow: dbt --quiet run-operation ... > model file, then build it
    args = json.dumps({"context": FRESH_CONTEXT, "sql": FRESH_SQL})
    model_sql = run_dbt(
        project, "--quiet", "run-operation", "dbt_migrate.generate_model", "--args", args, env=env, check=True
    )
    assert model_sql.stdout.startswith(
        "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='StoreAlternateKey', "
        "on_schema_change='append_new_columns', tags=['dbt_migrate']) }}\n"
    ), model_sql.stdout
    (project / "models" / "dimstore.sql").write_text(model_sql.stdout)
    yaml_args = json.dumps({"context": FRESH_CONTEXT, "sql": FRESH_SQL, "part": "yaml"})
    model_yml = run_dbt(
        project, "--quiet", "run-operation", "dbt_migrate.generate_model", "--args", yaml_args, env=env, check=True
    )
    assert yaml.safe_load(model_yml.stdout)["models"][0]["name"] == "dimstore"
    (project / "models" / "_dimstore.yml").write_text(model_yml.stdout)

    build = run_dbt(project, "build", env=env)
    assert build.returncode == 0, build.stdout
    assert "deprecat" not in build.stdout.lower(), build.stdout
    outcome = statuses(run_results(project))
    assert outcome["model.fresh_project.dimstore"] == "success"
    assert outcome["unit_test.fresh_project.dimstore.test_store_name_is_trimmed"] == "pass"
    assert sum(1 for uid, status in outcome.items() if uid.startswith("test.") and status == "pass") == 2

    import duckdb

    con = duckdb.connect(str(project / "fresh.duckdb"), read_only=True)
    try:
        rows = con.execute("select StoreAlternateKey, StoreName from main.dimstore order by 1").fetchall()
    finally:
        con.close()
    assert rows == [("1", "Downtown"), ("2", "Airport")]

    # the package's analysis parses and compiles without its vars in a project that sets none
    compiled = run_dbt(project, "compile", "--select", "compare_with_legacy", env=env)
    assert compiled.returncode == 0, compiled.stdout
    text = (project / "target" / "compiled" / "dbt_migrate" / "analyses" / "compare_with_legacy.sql").read_text()
    assert "dbt_migrate_message" in text
