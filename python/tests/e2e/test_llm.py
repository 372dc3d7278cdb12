"""The LLM path through litellm's real call path (its own mock_response; no network, no key)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import DEMO_PROJECT, DEMO_REVENUE_ANSWER, run_cli

DEMO = DEMO_PROJECT
SENTINEL = "sk-SENTINEL-7f3a9c1e5b2d4f6a8c0e"

GOOD_SQL = DEMO_REVENUE_ANSWER


def answer(sql: str) -> str:
    return f"Here is the SELECT.\n\n```sql\n{sql}\n```\n"


GOOD = answer(GOOD_SQL)
# Passes every check, fails in dbt (no such column): the build error is fed back.
BROKEN = answer(GOOD_SQL.replace("sum(i.Qty) as", "sum(i.NoSuchColumn) as"))


def run_query(table: str) -> str:
    return f"create table main.{table} as select 1 as x"


# The bypasses that executed through the old Jinja guard (issue 13), each planting a canary.
JINJA_BYPASSES = [
    GOOD_SQL.replace(
        "sum(i.Qty) as ItemCount",
        '\'{{ var.__globals__["__builtins__"]["__import__"]("os").system("touch CANARY_FILE") }}\' as ItemCount',
    ),
    GOOD_SQL.replace(
        "where o.Status", f"where '{{{{ dbt.run_query(\"{run_query('canary_run_query')}\") }}}}' = '' and o.Status"
    ),
    "{% set dbt_migrate = dbt %}\n"
    + GOOD_SQL.replace(
        "as Revenue\n", f"as Revenue, '{{{{ dbt_migrate.run_query(\"{run_query('canary_shadow')}\") }}}}' as x\n"
    ),
    GOOD_SQL.replace(
        "from orders as o",
        f'from orders as o {{% if invocation_id %}}{{{{ run_query("{run_query("canary_branch")}") }}}}{{% endif %}}',
    ),
]
# Plain SQL that reaches past the model's inputs.
SQL_ATTACKS = {
    "select_into": "select * into main.canary_into from bronze.Orders",
    "copy": "copy (select 1 as x) to 'CANARY_FILE'",
    "read_text": GOOD_SQL.replace("sum(i.Qty) as ItemCount", "read_text('/etc/hostname') as ItemCount"),
    "other_table": "select * from main.information_schema_tables",
    "table_function": "select * from read_csv('/etc/passwd')",
    "drop_table": "drop table silver.FactDailyRevenue",
}
EXPECTED_CODE = {
    "select_into": "write:",
    "copy": "write:",
    "read_text": "function: 'read_text'",
    "other_table": "table: 'main.information_schema_tables'",
    "table_function": "table_function: 'read_csv'",
    "drop_table": "write:",
}
# Jinja in a trailing SQL comment: comments are dropped, the answer is otherwise fine.
COMMENTED = answer(GOOD_SQL + f'\n-- {{{{ run_query("{run_query("canary_comment")}") }}}}')


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The demo project with its daily-revenue loader routed to the LLM (as dynamic SQL would be)."""
    root = tmp_path_factory.mktemp("llm") / "wh"
    shutil.copytree(DEMO, root)
    proc = root / "catalog/procedures/silver.usp_load_factdailyrevenue.json"
    data = json.loads(proc.read_text())
    data.update(needs_llm=True, mode="llm", routing_reasons=["dynamic_sql"])
    proc.write_text(json.dumps(data))
    assert run_cli("init", "--project-root", str(root)).returncode == 0
    return root


def _generate(
    root: Path, tmp_path: Path, answers: list[str] | None, *extra: str, key: str = SENTINEL, model: str = "gpt-4o-mini"
):
    # Offline, each attempt waits for the network to fail: keep attempts few and short.
    env = {"OPENAI_API_KEY": key, "DBT_MIGRATE_LLM_RETRIES": "1", "DBT_MIGRATE_LLM_TIMEOUT": "5"}
    if answers is not None:
        mock = tmp_path / "answers.json"
        mock.write_text(json.dumps(answers))
        env["DBT_MIGRATE_LLM_MOCK_RESPONSES"] = str(mock)
    res = run_cli(
        "generate",
        "--project-root",
        str(root),
        "--table",
        "silver.FactDailyRevenue",
        "--json",
        "--llm",
        model,
        "--force",
        *extra,
        env=env,
    )
    doc = json.loads(res.stdout) if res.stdout.strip().startswith("{") else None
    return res, doc


def test_without_llm_a_needs_llm_item_stays_error_and_no_provider_runs(project):
    res = run_cli("generate", "--project-root", str(project), "--table", "silver.FactDailyRevenue", "--json")
    assert res.returncode == 1
    item = json.loads(res.stdout)["results"][0]
    assert item["status"] == "error" and item["reason"] == "needs_llm"
    assert "dynamic_sql" in item["errors"][0]
    assert item["output"]["llm"] is None


def test_good_mocked_answer_reaches_ok(project, tmp_path):
    res, doc = _generate(project, tmp_path, [GOOD])
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    item = doc["results"][0]
    assert item["status"] == "ok"
    assert item["output"]["generated"]["model_sql"]["generator"] == "llm"
    assert item["output"]["execution"]["unit_tests"] == {"total": 2, "passed": 2}
    llm = item["output"]["llm"]
    assert llm["model"] == "gpt-4o-mini" and llm["calls"] == 1 and llm["completion_tokens"] > 0


def _canaries(root: Path) -> list[str]:
    """Canary tables in the project's DuckDB file and canary files anywhere under the project."""
    import duckdb

    found = [str(p) for p in root.rglob("CANARY_FILE")]
    db = root / "dbt" / "warehouse.duckdb"
    if db.exists():
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("select table_name from information_schema.tables where table_name like 'canary%'")
            found += [r[0] for r in rows.fetchall()]
    return found


def _rejected_run(project: Path, tmp_path: Path, answers: list[str]):
    model_file = project / "dbt/models/staging/factdailyrevenue.sql"
    before = model_file.read_text() if model_file.exists() else None
    res, doc = _generate(project, tmp_path, answers, "--max-iterations", str(len(answers)))
    assert res.returncode == 1, res.stdout[-2000:] + res.stderr[-2000:]
    item = doc["results"][0]
    assert item["status"] != "ok" and item["reason"] == "llm_rejected"
    assert item["output"]["llm"]["calls"] == len(answers)
    after = model_file.read_text() if model_file.exists() else None
    assert after == before  # nothing written for a rejected answer
    return item


def test_jinja_bypasses_are_rejected_and_plant_nothing_even_after_a_plain_dbt_build(project, tmp_path):
    item = _rejected_run(project, tmp_path, [answer(sql) for sql in JINJA_BYPASSES])
    rejected = item["output"]["llm"]["rejected"]
    assert len(rejected) == len(JINJA_BYPASSES)
    assert all(r.startswith("jinja: the answer contains") for r in rejected), rejected
    assert "jinja:" in " ".join(item["errors"])
    # The user's next `dbt build`, as a person runs it.
    built = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--profiles-dir", "."],
        cwd=project / "dbt",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:]
    assert (project / "dbt" / "warehouse.duckdb").is_file()  # the canary query below looks at a real file
    assert _canaries(project) == []


def test_plain_sql_that_reaches_past_the_inputs_is_rejected(project, tmp_path):
    cases = sorted(SQL_ATTACKS)
    item = _rejected_run(project, tmp_path, [answer(SQL_ATTACKS[c]) for c in cases])
    rejected = item["output"]["llm"]["rejected"]
    assert len(rejected) == len(cases)
    for case, reason in zip(cases, rejected):
        assert reason.startswith(EXPECTED_CODE[case]), (case, reason)
    assert EXPECTED_CODE[cases[-1]] in " ".join(item["errors"])
    assert _canaries(project) == []


def test_jinja_in_a_comment_is_dropped_and_the_answer_ends_ok(project, tmp_path):
    res, doc = _generate(project, tmp_path, [COMMENTED], "--max-iterations", "1")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    item = doc["results"][0]
    assert item["status"] == "ok" and item["output"]["llm"]["rejected"] == []
    model = (project / "dbt/models/staging/factdailyrevenue.sql").read_text()
    assert "run_query" not in model and "--" not in model
    assert _canaries(project) == []


def test_a_rejected_answer_is_fed_back_and_the_next_one_wins(project, tmp_path):
    res, doc = _generate(project, tmp_path, [answer(JINJA_BYPASSES[1]), GOOD])
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    item = doc["results"][0]
    assert item["status"] == "ok"
    assert item["output"]["execution"]["self_correction_iterations"] == 1
    assert item["output"]["llm"]["calls"] == 2 and len(item["output"]["llm"]["rejected"]) == 1
    assert _canaries(project) == []


def test_compile_failure_is_fed_back_and_the_second_answer_wins(project, tmp_path):
    res, doc = _generate(project, tmp_path, [BROKEN, GOOD])
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    item = doc["results"][0]
    assert item["status"] == "ok"
    assert item["output"]["execution"]["self_correction_iterations"] == 1
    assert item["output"]["llm"]["calls"] == 2


def test_unreachable_provider_is_a_clear_error_without_traceback(project, tmp_path):
    res, doc = _generate(project, tmp_path, None, "--max-iterations", "1")
    assert res.returncode == 1, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    item = doc["results"][0]
    assert item["status"] == "error" and item["reason"] == "llm_unavailable"
    assert "could not be reached" in " ".join(item["errors"])


def test_api_key_never_appears_in_output_or_files(project, tmp_path):
    outputs = []
    for answers in ([GOOD], None):
        res, _ = _generate(project, tmp_path, answers, "--max-iterations", "1")
        outputs += [res.stdout, res.stderr]
    assert all(SENTINEL not in o for o in outputs)
    for path in project.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert SENTINEL.encode() not in path.read_bytes(), path
