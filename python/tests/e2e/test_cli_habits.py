"""CLI habits a dbt user expects, through the real CLI: `ls`, did-you-mean, the files a run
wrote, readable permissions, a relative packages.yml, whole names when redirected, and `--llm`
without the optional `llm` extra (the demo runs without it: test_demo.py)."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess

import pytest
import yaml

from helpers import CLI, copy_example, hidden_litellm, run_cli

LONG = "DimStoreWithAVeryLongNameThatAnEightyColumnTerminalWouldCutSomewhereInTheMiddle"


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    work = tmp_path_factory.mktemp("habits")
    root = copy_example("retail", work / "retail")
    # A target whose name is longer than a terminal line (only `ls` reads it).
    table = json.loads((root / "catalog/tables/silver.dimstore.json").read_text())
    table["name"] = LONG
    (root / f"catalog/tables/silver.{LONG.lower()}.json").write_text(json.dumps(table))
    init = run_cli("init", "--project-root", str(root))
    run = run_cli(
        "run", "--project-root", ".", "--table", "dimstore", "--table", "silver.FactDailyStoreSales", cwd=root
    )
    return {"root": root, "init": init, "run": run}


def test_run_prints_the_files_it_wrote_and_accepts_model_names(ran):
    assert ran["run"].returncode == 0, ran["run"].stdout[-3000:] + ran["run"].stderr[-3000:]
    out = ran["run"].stdout
    for rel in (
        "dbt/models/staging/dimstore.sql",
        "dbt/models/staging/_dimstore.yml",
        "dbt/models/staging/factdailystoresales.sql",
    ):
        assert f"wrote {rel}" in out
        assert (ran["root"] / rel).is_file()


def test_written_files_are_readable_by_the_team(ran):
    mask = os.umask(0)
    os.umask(mask)
    dbt = ran["root"] / "dbt"
    written = [*dbt.joinpath("models").rglob("*.sql"), *dbt.joinpath("models").rglob("*.yml"), dbt / "packages.yml"]
    assert written
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path
    for doc in (ran["root"] / ".migration-runs").glob("*.json"):
        assert stat.S_IMODE(doc.stat().st_mode) == 0o666 & ~mask, doc


def test_packages_yml_points_at_the_package_relative_to_the_project(ran):
    assert ran["init"].returncode == 0, ran["init"].stderr
    dbt = ran["root"] / "dbt"
    entry = yaml.safe_load((dbt / "packages.yml").read_text())["packages"][0]
    assert not os.path.isabs(entry["local"]) and (dbt / entry["local"] / "macros").is_dir()
    assert (dbt / "dbt_packages" / "dbt_migrate").exists()  # dbt deps installed from it


def test_ls_lists_every_target_with_its_status_and_whole_names(ran):
    res = run_cli("ls", "--project-root", str(ran["root"]))
    assert res.returncode == 0, res.stderr
    lines = {line.split("│")[1].strip(): line for line in res.stdout.splitlines() if line.count("│") > 3}
    assert f"silver.{LONG}" in lines  # redirected output: the long name is not cut
    assert " ok " in lines["silver.dimstore"] and "dim_scd1" in lines["silver.dimstore"]
    assert " - " in lines[f"silver.{LONG}"]  # never generated
    doc = json.loads(run_cli("ls", "--project-root", str(ran["root"]), "--json").stdout)
    by_table = {r["table"].lower(): r for r in doc["tables"]}
    assert by_table["silver.factdailystoresales"] == {
        "table": by_table["silver.factdailystoresales"]["table"],
        "classification": "fact_aggregate",
        "writer": by_table["silver.factdailystoresales"]["writer"],
        "model": "factdailystoresales",
        "status": "ok",
    }


def test_an_unknown_table_suggests_the_nearest_and_writes_nothing(ran):
    before = sorted(p.name for p in (ran["root"] / ".migration-runs").iterdir())
    for command in ("generate", "run"):
        res = run_cli(command, "--project-root", str(ran["root"]), "--table", "silver.DimStor")
        assert res.returncode == 2, res.stderr
        assert "did you mean silver.dimstore" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in (ran["root"] / ".migration-runs").iterdir()) == before


def test_llm_without_the_extra_says_how_to_install_it(ran, tmp_path):
    res = run_cli(
        "generate",
        "--project-root",
        str(ran["root"]),
        "--table",
        "dimstore",
        "--llm",
        "openai/gpt-4o",
        env=hidden_litellm(tmp_path),
    )
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr[-2000:]
    assert "pip install 'dbt-migrate[llm]'" in res.stderr and "Traceback" not in res.stderr


def test_on_a_terminal_the_first_seconds_say_that_dbt_is_parsing(ran):
    """Run in a pseudo-terminal, as a person would: before any item is counted the screen names
    the stage (dbt's parse of the project), instead of staying blank."""
    master, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("DBT_PROJECT_PATH", None)
    proc = subprocess.Popen(
        [*CLI, "run", "--project-root", str(ran["root"]), "--table", "dimstore", "--no-build"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert proc.wait(timeout=600) == 0, screen[-3000:]
    text = screen.decode("utf-8", "replace")
    assert "parse" in text and text.index("parse") < text.index("render"), text[:3000]
