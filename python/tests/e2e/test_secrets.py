"""No environment value ever lands in an artifact: the tool itself never writes a secret.

Sentinels sit in every kind of secret variable (``*_KEY``, ``*_TOKEN``, ``*_SECRET``,
``*PASSWORD*``; long and short) in the environment of `migrate init`, `migrate run --all` on the
retail example and a following plain `dbt build`; no file under the migration project or the dbt
project (result JSON, models, YAML, target/manifest.json, target/run_results.json, logs, the
DuckDB file) holds any of them, and neither does the CLI's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import copy_example, run_cli

SENTINELS = {
    "OPENAI_API_KEY": "sk-SENTINEL-openai-3f9a7c1e",
    "ANTHROPIC_API_KEY": "SENTINEL-anthropic-b81d",
    "DBT_MIGRATE_TEST_TOKEN": "SENTINEL-token-51c2e0",
    "AWS_SECRET_ACCESS_KEY": "SENTINEL/aws+secret=77",
    "MY_APP_SECRET": "SENTINEL-app-secret-0d4e",
    "WAREHOUSE_PASSWORD": "SENTINEL-pw-9e2b",
    "PGPASSWORD": "SENTINEL-pgpass-11aa",
    "SHORT_KEY": "Zq7Xw9",  # short: today's redaction skipped keys under 8 characters
}


def _files_holding_a_sentinel(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for dirpath, _dirs, files in os.walk(root, followlinks=False):  # dbt_packages links to this repo
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            data = path.read_bytes()
            hits = [var for var, value in SENTINELS.items() if value.encode() in data]
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


def test_no_secret_from_the_environment_lands_in_any_file(tmp_path):
    root = copy_example("retail", tmp_path / "retail")
    outputs = []
    res = run_cli("init", "--project-root", str(root), env=SENTINELS)
    assert res.returncode == 0, res.stderr
    outputs.append(res)
    res = run_cli("run", "--project-root", str(root), "--all", "--json", env=SENTINELS)
    assert res.returncode == 0, res.stderr
    assert {r["status"] for r in json.loads(res.stdout)["results"]} == {"ok"}
    outputs.append(res)
    dbt = root / "dbt"
    env = {**os.environ, **SENTINELS}
    env.pop("DBT_PROJECT_PATH", None)
    built = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(dbt), "--profiles-dir", str(dbt)],
        cwd=dbt,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:]
    outputs.append(built)

    for expected in ("target/manifest.json", "target/run_results.json", "logs/dbt.log"):
        assert (dbt / expected).is_file(), expected  # the files the check must cover exist
    assert list((root / ".migration-runs").glob("*.json"))
    assert _files_holding_a_sentinel(root) == {}
    for out in outputs:
        for value in SENTINELS.values():
            assert value not in out.stdout and value not in out.stderr
