"""Shared test helpers: repository paths, the real CLI in a subprocess, fixture projects.

Importable as ``helpers`` because ``[tool.pytest.ini_options] pythonpath`` puts ``python/tests`` on
``sys.path`` (``pytest python/tests/unit`` and a full run alike). Fixtures live in the conftest.py
files; everything a test calls lives here:

- ``helpers`` (this module): paths, ``run_cli``, ``copy_example``, ``load_json``, the corpus targets;
- ``helpers.lifecycle``: small real dbt projects on disk for pause / restore;
- ``helpers.migration``: migration projects (manifest, catalogs, DDL) written from plain data, and
  the conversion fixture cases of ``fixtures/convert/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parents[1]
FIXTURES = TESTS / "fixtures"
CORPUS = FIXTURES / "corpus"
CLI = [sys.executable, "-m", "dbt_migrate"]
DEMO_PROJECT = REPO / "python" / "dbt_migrate" / "demo_project"

# A plain-SQL answer an LLM could give for the demo's silver.FactDailyRevenue: one SELECT over the
# legacy table names, equivalent to its procedure (the LLM tests plant payloads into copies of it).
DEMO_REVENUE_ANSWER = """\
with orders as (
    select * from bronze.Orders
),
items as (
    select * from bronze.OrderItem
)
select
    cast(o.OrderDate as date) as RevenueDate,
    count(distinct o.OrderID) as OrderCount,
    sum(i.Qty) as ItemCount,
    sum(i.Qty * i.Price) as Revenue
from orders as o
inner join items as i on i.OrderID = o.OrderID
where o.Status <> 'CANCELLED'
group by cast(o.OrderDate as date)"""

# Non-convertible corpus targets and a word the item error must contain (the construct, named).
CORPUS_NON_CONVERTIBLE = {
    "silver.dimcalendar": "WHILE loop",
    "silver.factcurrencyratelatest": "CURSOR",
    "silver.factdepartmentheadcount": "EXEC of another procedure",
    "silver.factpromotionusage": "TRY/CATCH",
}


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 600):
    """The real CLI in a subprocess: returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    full_env.pop("DBT_PROJECT_PATH", None)  # tests say explicitly where the dbt project is
    full_env.update(env or {})
    return subprocess.run([*CLI, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def side_by_side(
    commands: dict[str, tuple[list[str], Path | None]], timeout: int = 600
) -> dict[str, subprocess.CompletedProcess]:
    """Several commands at once, each ``(argv, cwd)`` (projects that share nothing: a fraction of
    the wall time); their results by the same keys. ``$DBT_PROJECT_PATH`` is left out, as in ``run_cli``."""
    env = {k: v for k, v in os.environ.items() if k != "DBT_PROJECT_PATH"}
    procs = {
        key: subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for key, (argv, cwd) in commands.items()
    }
    done = {}
    for key, proc in procs.items():
        out, err = proc.communicate(timeout=timeout)
        done[key] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def hidden_litellm(tmp_path: Path) -> dict[str, str]:
    """Environment for ``run_cli`` in which ``import litellm`` fails, as in an install without
    the ``llm`` extra: a ``sitecustomize`` marks the module as not importable (``None`` in
    ``sys.modules`` is how Python says so)."""
    shim = tmp_path / "no_litellm"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text("import sys\nsys.modules['litellm'] = None\n")
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(shim), os.environ.get("PYTHONPATH", "")) if p)}


def copy_example(name: str, dest: Path) -> Path:
    """A fresh copy of the migration project ``fixtures/<name>`` (e.g. ``retail``) at ``dest``."""
    shutil.copytree(FIXTURES / name, dest)
    return dest


def corpus_targets() -> list[str]:
    """``schema.table`` (lower case) of every corpus table with a profile that is not a source."""
    out = []
    for path in sorted((CORPUS / "catalog" / "tables").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("profile") and not data.get("is_source"):
            out.append(f"{data['schema']}.{data['name']}".lower())
    return out


def gaps_despite_passing_unit_tests(results) -> dict[str, str]:
    """Items of a result document whose ground-truth unit tests all passed in dbt but whose
    equivalence verdict is ``gap`` (the check must agree with dbt: there should be none)."""
    out = {}
    for r in results:
        units = r["output"].get("execution", {}).get("unit_tests") or {}
        verdict = (r["output"].get("equivalence") or {}).get("verdict")
        if units.get("total") and units.get("passed") == units.get("total") and verdict == "gap":
            out[r["item_id"]] = r["output"]["equivalence"]["checks"]
    return out


def load_json(text: str):
    return json.loads(text)
