"""The LLM path through litellm's real call path (its own mock_response; no network, no key)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import REPO, run_cli

DEMO = REPO / "python" / "dbt_migrate" / "demo_project"
SENTINEL = "sk-SENTINEL-7f3a9c1e5b2d4f6a8c0e"

GOOD = """Here is the model.

```sql
with orders as (
    select * from {{ source('bronze', 'Orders') }}
),

orderitem as (
    select * from {{ source('bronze', 'OrderItem') }}
),

final as (
    select
        cast(o.OrderDate as date) as RevenueDate,
        count(distinct o.OrderID) as OrderCount,
        sum(i.Qty) as ItemCount,
        sum(i.Qty * i.Price) as Revenue,
        '{{ invocation_id }}' as _dbt_run_id
    from orders as o
    inner join orderitem as i on i.OrderID = o.OrderID
    where o.Status <> 'CANCELLED'
    group by cast(o.OrderDate as date)
)

select * from final
```
"""
BROKEN_JINJA = GOOD.replace("'{{ invocation_id }}' as _dbt_run_id", "{{ dbt.no_such_macro() }} as _dbt_run_id")
BAD_ANSWERS = {
    "statement_block": "```sql\n{% call statement('x') %}delete from t{% endcall %}\nselect 1 as a\n```",
    "drop_table": "```sql\ndrop table silver.FactDailyRevenue\n```",
    "env_var": "```sql\nselect '{{ env_var(\"X\") }}' as a\n```",
    "unknown_source": "```sql\nselect * from {{ source('bronze', 'Secrets') }}\n```",
}
EXPECTED_REASON = {
    "statement_block": "statement",
    "drop_table": "DDL/DML not allowed",
    "env_var": "env_var",
    "unknown_source": "unknown source('bronze', 'Secrets')",
}


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


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_guard_rejects_dangerous_or_unknown_output(project, tmp_path, case):
    model_file = project / "dbt/models/staging/factdailyrevenue.sql"
    before = model_file.read_text() if model_file.exists() else None
    res, doc = _generate(project, tmp_path, [BAD_ANSWERS[case]], "--max-iterations", "1")
    assert res.returncode == 1
    item = doc["results"][0]
    assert item["status"] in ("partial", "error") and item["reason"] == "llm_rejected"
    assert EXPECTED_REASON[case] in " ".join(item["errors"])
    assert item["output"]["llm"]["rejected"] and EXPECTED_REASON[case] in item["output"]["llm"]["rejected"][0]
    after = model_file.read_text() if model_file.exists() else None
    assert after == before  # nothing written for a rejected answer


def test_compile_failure_is_fed_back_and_the_second_answer_wins(project, tmp_path):
    res, doc = _generate(project, tmp_path, [BROKEN_JINJA, GOOD])
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
