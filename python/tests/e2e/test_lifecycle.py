"""pause / restore / status on real dbt projects (DuckDB, parsed in-process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dbt_migrate.cli import main
from dbt_migrate.dbt import DbtProject
from dbt_migrate.lifecycle import files, state
from dbt_migrate.lifecycle.ops import Lifecycle
from dbt_migrate.project import Project
from helpers.lifecycle import make_migration_project, snapshot_tree

GROUP = "dim_customer"
CUSTOMER_YML = """\
version: 2
models:
  - name: dim_customer
    description: one row per customer
    columns:
      - name: id
  - name: dim_customer_hist
    description: history
  - name: dim_customer_ok
unit_tests:
  - name: dim_customer_keeps_rows
    model: dim_customer
    given: []
    expect:
      rows: []
"""
CUSTOMER_FILES = {
    "models/staging/stg_customers.sql": "select * from {{ source('erp', 'customers') }}\n",
    "models/marts/dim_customer.sql": (
        "{{ config(tags=['dim_customer']) }}\n"
        "select c.id from {{ ref('stg_customers') }} c join {{ ref(\"stg_geo\") }} g on c.id = g.id\n"
    ),
    "models/marts/dim_customer_hist.sql": (
        "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('dim_customer') }}\n"
    ),
    "models/marts/dim_customer_ok.sql": (
        "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('stg_customers') }}\n"
    ),
    "models/marts/_dim_customer.yml": CUSTOMER_YML,
}


def lifecycle(root: Path) -> Lifecycle:
    return Lifecycle(Project(root))


def invoke(root: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--project-root", str(root)], catch_exceptions=False)


def doc_of(root: Path, group: str = GROUP) -> str:
    return state.state_path(root / "dimensions", group).read_text(encoding="utf-8")


@pytest.fixture
def paused_customer(tmp_path: Path) -> Path:
    """dim_customer paused (stg_geo missing), dim_customer_hist paused behind it."""
    make_migration_project(tmp_path, CUSTOMER_FILES)
    lifecycle(tmp_path).pause(GROUP)
    return tmp_path


def test_pause_skips_unresolved_and_dependent_models_and_writes_state_document(paused_customer: Path):
    root = paused_customer
    marts = root / "dbt/models/marts"
    assert sorted(p.name for p in marts.iterdir()) == [
        "_dim_customer.yml",
        "dim_customer.sql.skip",
        "dim_customer.yml.skip",
        "dim_customer_hist.sql.skip",
        "dim_customer_hist.yml.skip",
        "dim_customer_ok.sql",
    ]
    # YAML entries (model patch and unit test) moved aside: dbt no longer sees them.
    assert (
        marts / "_dim_customer.yml"
    ).read_text() == "version: 2\nmodels:\n  - name: dim_customer_ok\nunit_tests: []\n"
    assert DbtProject(root / "dbt").parse().success
    doc = doc_of(root)
    assert "**Status:** PAUSED" in doc and "1 of 3 models (33%)" in doc
    assert "- Missing dependencies: `ref('stg_geo')`" in doc
    assert "- Present dependencies: `ref('stg_customers')`" in doc
    block = state.read_block(doc)
    assert block.status == "PAUSED" and block.completed == ["dim_customer_ok"]
    assert {p.name: p.missing for p in block.paused} == {
        "dim_customer": ["ref('stg_geo')"],
        "dim_customer_hist": ["ref('dim_customer')"],
    }
    assert "migrate restore dim_customer" in doc


def test_restore_with_nothing_ready_changes_no_file(paused_customer: Path):
    before = snapshot_tree(paused_customer)
    result = invoke(paused_customer, "restore", GROUP, "--yes")
    assert result.exit_code == 0, result.output
    assert "nothing new is ready; no file changed" in result.output
    assert "ref('stg_geo')" in result.output
    assert snapshot_tree(paused_customer) == before


def test_restore_when_dependency_arrives_resumes_transitively_and_completes(paused_customer: Path):
    root = paused_customer
    (root / "dbt/models/staging/stg_geo.sql").write_text("select 1 as id\n")
    report = lifecycle(root).restore(GROUP)
    # dim_customer_hist waits on dim_customer, which waits on stg_geo: both come back.
    assert report.resumed == ["dim_customer", "dim_customer_hist"] and report.status == "COMPLETE"
    assert (root / "dbt/models/marts/_dim_customer.yml").read_text() == CUSTOMER_YML  # byte-identical
    assert not list((root / "dbt/models").rglob("*.skip"))
    assert DbtProject(root / "dbt").parse().success
    doc = doc_of(root)
    assert "**Status:** COMPLETE" in doc and "3 of 3 models (100%)" in doc
    log = doc[doc.index(state.LOG_MARK) : doc.index(state.STATE_START)]
    assert "pause; paused: dim_customer, dim_customer_hist" in log
    assert "restore; resumed: dim_customer, dim_customer_hist; still paused: none" in log
    assert [e.action for e in state.read_block(doc).log] == ["pause", "restore"]


def test_restore_partly_ready_reports_blocked_with_missing_names(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/dim_x.sql": "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('stg_geo') }}\n",
            "models/dim_y.sql": "{{ config(tags=['dim_customer']) }}\nselect * from {{ source('erp', 'payments') }}\n",
            "models/dim_z.sql": "{{ config(tags=['dim_customer']) }}\nselect 1 as id\n",
        },
    )
    lifecycle(tmp_path).pause(GROUP)
    (tmp_path / "dbt/models/stg_geo.sql").write_text("select 1 as id\n")
    result = invoke(tmp_path, "restore", GROUP, "--yes")
    assert result.exit_code == 0, result.output
    assert "RESUMED" in result.output and "2 of 3 models (67%)" in result.output
    assert "resumed: dim_x" in result.output
    assert "still paused: dim_y: source('erp', 'payments')" in result.output
    assert (tmp_path / "dbt/models/dim_y.sql.skip").is_file() and (tmp_path / "dbt/models/dim_x.sql").is_file()
    block = state.read_block(doc_of(tmp_path))
    assert block.status == "RESUMED" and [p.name for p in block.paused] == ["dim_y"]


def test_parse_failure_after_restore_reskips_only_the_culprit(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/stg_a.sql": "select 1 as id\n",
            "models/dim_good.sql.skip": "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('stg_a') }}\n",
            "models/dim_bad.sql.skip": "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('stg_a') }}\n",
            "models/dim_also_good.sql.skip": (
                "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('dim_good') }}\n"
            ),
            "models/_shared.yml": "version: 2\nmodels:\n  - name: stg_a\n",
        },
    )
    # dim_bad's moved-aside YAML has a value dbt rejects at parse time; the extractor cannot know.
    sidecar = tmp_path / "dbt/models/dim_bad.yml.skip"
    sidecar.write_text(
        files.render_sidecar(
            "dim_bad",
            [
                {
                    "file": "models/_shared.yml",
                    "entries": [
                        {
                            "key": "models",
                            "after": "stg_a",
                            "before": None,
                            "text": "  - name: dim_bad\n    access: bogus\n",
                        }
                    ],
                }
            ],
        )
    )
    before = snapshot_tree(tmp_path)
    result = invoke(tmp_path, "restore", GROUP, "--yes")
    assert result.exit_code == 0, result.output
    assert "no state document" in result.output and "working from the group's .skip files" in result.output
    assert "re-skipped dim_bad" in result.output and "access" in result.output
    after = snapshot_tree(tmp_path)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {
        "dbt/models/dim_good.sql.skip",
        "dbt/models/dim_good.sql",
        "dbt/models/dim_also_good.sql.skip",
        "dbt/models/dim_also_good.sql",
        "dimensions/dim_customer/DIM_CUSTOMER_MIGRATION_STATE.md",
    }
    block = state.read_block(doc_of(tmp_path))
    assert [p.name for p in block.paused] == ["dim_bad"]
    assert "re-skipped: dim_bad" in doc_of(tmp_path)


def test_restore_without_state_document_or_skip_files_suggests_next_steps(tmp_path: Path):
    make_migration_project(tmp_path, {"models/a.sql": "select 1 as id\n"})
    result = subprocess.run(
        [str(Path(sys.executable).parent / "migrate"), "restore", GROUP, "--project-root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "nothing to restore for 'dim_customer'" in result.stdout
    assert "migrate status" in result.stdout and "migrate pause dim_customer" in result.stdout


def test_hand_written_state_document_is_read_and_kept(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/stg_orders.sql": "select 1 as id\n",
            # no tags in the file: the hand-written document is what puts it in the group
            "models/fct_orders_late.sql.skip": "select * from {{ ref('stg_orders') }}\n",
        },
    )
    path = state.state_path(tmp_path / "dimensions", "fct_orders")
    path.parent.mkdir(parents=True)
    hand = (
        "# Orders migration\n\nStatus: PAUSED\n\nWaiting on finance for fct_orders_late.\n\n"
        "## Notes\n\n- keep this note\n"
    )
    path.write_text(hand)
    report = lifecycle(tmp_path).restore("fct_orders")
    assert report.resumed == ["fct_orders_late"] and report.status == "COMPLETE"
    doc = path.read_text()
    assert doc.startswith(
        "# Orders migration\n\nStatus: COMPLETE\n\nWaiting on finance for fct_orders_late.\n\n"
        "## Notes\n\n- keep this note\n"
    )
    assert state.read_block(doc).status == "COMPLETE" and "restore; resumed: fct_orders_late" in doc


def test_ref_forms_and_sources_are_read_by_dbt_extractor(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/stg_a.sql": "select 1 as id\n",
            "models/stg_b.sql": "select 1 as id\n",
            "models/stg_v_v1.sql": "select 1 as id\n",
            "models/stg_v_v2.sql": "select 2 as id\n",
            "models/_v.yml": "version: 2\nmodels:\n  - name: stg_v\n    latest_version: 2\n    versions:\n"
            "      - v: 1\n      - v: 2\n",
            "models/dim_ok.sql.skip": (
                "{{ config(tags=['dim_customer']) }}\n"
                "select * from {{ ref(\"stg_a\") }}, {{ ref('shop', 'stg_b') }}, {{ ref('stg_v', version=2) }},\n"
                '  {{ ref(\'stg_v\', v=1) }}, {{ source("erp", "orders") }}\n'
            ),
            "models/dim_blocked.sql.skip": (
                "{{ config(tags='dim_customer') }}\n"
                "select * from {{ ref('stg_v', v=3) }}, {{ ref('other_pkg', 'stg_a') }}, {{ source('erp', 'nope') }}\n"
            ),
            "models/dim_dynamic.sql.skip": (
                "{{ config(tags=['dim_customer']) }}\n"
                "{% for t in ['a', 'b'] %}select * from {{ ref('stg_' ~ t) }}{% endfor %}\n"
            ),
        },
    )
    # Unreadable Jinja, so no config() to read: its moved-aside YAML entry says which group it is in.
    (tmp_path / "dbt/models/dim_dynamic.yml.skip").write_text(
        files.render_sidecar(
            "dim_dynamic",
            [
                {
                    "file": "models/_v.yml",
                    "entries": [
                        {
                            "key": "models",
                            "after": "stg_v",
                            "before": None,
                            "text": "  - name: dim_dynamic\n    config:\n      tags: [dim_customer]\n",
                        }
                    ],
                }
            ],
        )
    )
    result = invoke(tmp_path, "restore", GROUP, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    models = json.loads(result.output)["models"]
    assert models["dim_ok"]["status"] == "ready"
    assert models["dim_ok"]["present"] == [
        "ref('stg_a')",
        "ref('shop', 'stg_b')",
        "ref('stg_v', v=2)",
        "ref('stg_v', v=1)",
        "source('erp', 'orders')",
    ]
    assert models["dim_blocked"]["status"] == "blocked"
    assert models["dim_blocked"]["missing"] == [
        "ref('stg_v', v=3)",
        "ref('other_pkg', 'stg_a')",
        "source('erp', 'nope')",
    ]
    assert models["dim_dynamic"]["status"] == "investigate" and "static extractor" in models["dim_dynamic"]["reason"]
    assert (tmp_path / "dbt/models/dim_ok.sql.skip").is_file()  # dry run: nothing moved


def test_other_groups_paused_models_are_left_alone_and_named_as_providers(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/stg_a.sql": "select 1 as id\n",
            "models/dim_a1.sql.skip": "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('stg_a') }}\n",
            "models/dim_a2.sql.skip": "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('dim_b1') }}\n",
            "models/dim_b1.sql.skip": "{{ config(tags=['dim_product']) }}\nselect * from {{ ref('stg_a') }}\n",
        },
    )
    b1 = (tmp_path / "dbt/models/dim_b1.sql.skip").read_bytes()
    result = invoke(tmp_path, "restore", GROUP, "--yes")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dbt/models/dim_a1.sql").is_file()
    assert (tmp_path / "dbt/models/dim_b1.sql.skip").read_bytes() == b1
    assert (
        "still paused: dim_a2: ref('dim_b1') [paused in group dim_product: `migrate restore dim_product`]"
        in result.output
    )
    status = json.loads(invoke(tmp_path, "status", "--json").output)
    by_group = {s["group"]: s for s in status}
    assert by_group["dim_product"]["ready"] == ["dim_b1"]
    assert by_group["dim_customer"]["blocked"] == ["dim_a2"]
    assert by_group["dim_customer"]["complete"] == ["dim_a1"]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_commit_refuses_unrelated_changes_unless_allow_dirty(paused_customer: Path):
    root = paused_customer
    (root / ".gitignore").write_text("dbt/target/\ndbt/logs/\ndbt/.user.yml\n*.duckdb\n")
    (root / "NOTES.md").write_text("notes\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "start")
    _git(root, "config", "user.name", "t")
    _git(root, "config", "user.email", "t@example.com")
    (root / "dbt/models/staging/stg_geo.sql").write_text("select 1 as id\n")
    _git(root, "add", "dbt/models/staging/stg_geo.sql")
    _git(root, "commit", "-qm", "stg_geo migrated")
    (root / "NOTES.md").write_text("notes, edited\n")  # unrelated, uncommitted
    before = snapshot_tree(root)

    refused = subprocess.run(
        [
            str(Path(sys.executable).parent / "migrate"),
            "restore",
            GROUP,
            "--yes",
            "--commit",
            "--project-root",
            str(root),
        ],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "--commit refused" in refused.stderr and "NOTES.md" in refused.stderr and "--allow-dirty" in refused.stderr
    assert snapshot_tree(root) == before
    assert _git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"

    result = invoke(root, "restore", GROUP, "--yes", "--commit", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert _git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "migrate/dim_customer"
    message = _git(root, "log", "-1", "--format=%B")
    assert "Resumed: dim_customer, dim_customer_hist" in message and "Still paused: none" in message
    committed = set(_git(root, "show", "--name-only", "--format=", "HEAD").split())
    assert "dimensions/dim_customer/DIM_CUSTOMER_MIGRATION_STATE.md" in committed
    assert "dbt/models/marts/dim_customer.sql" in committed and "NOTES.md" not in committed
    assert _git(root, "status", "--porcelain").strip() == "M NOTES.md"


def test_pause_restore_pause_round_trips_state_document(paused_customer: Path):
    root = paused_customer
    path = state.state_path(root / "dimensions", GROUP)
    path.write_text(path.read_text().replace("## Restart log", "## Team notes\n\nAsk Ana about geo.\n\n## Restart log"))
    geo = root / "dbt/models/staging/stg_geo.sql"
    geo.write_text("select 1 as id\n")
    lifecycle(root).restore(GROUP)
    geo.unlink()
    lifecycle(root).pause(GROUP)
    doc = path.read_text()
    assert "## Team notes\n\nAsk Ana about geo.\n" in doc
    block = state.read_block(doc)
    assert [e.action for e in block.log] == ["pause", "restore", "pause"] and block.status == "PAUSED"
    log = doc[doc.index(state.LOG_MARK) : doc.index(state.STATE_START)]
    assert log.count("\n- **") == 3
    assert sorted(p.name for p in block.paused) == ["dim_customer", "dim_customer_hist"]
    # and back again: the YAML is byte-identical after a second restore
    geo.write_text("select 1 as id\n")
    lifecycle(root).restore(GROUP)
    assert (root / "dbt/models/marts/_dim_customer.yml").read_text() == CUSTOMER_YML


def test_pause_refuses_when_models_outside_the_group_need_it(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/dim_x.sql": "{{ config(tags=['dim_customer']) }}\nselect * from {{ ref('stg_geo') }}\n",
            "models/rpt.sql": "select * from {{ ref('dim_x') }}\n",
        },
    )
    before = snapshot_tree(tmp_path)
    result = invoke(tmp_path, "pause", GROUP)
    assert result.exit_code == 2
    assert "rpt needs dim_x" in result.output and "nothing changed" in result.output
    assert snapshot_tree(tmp_path) == before


def test_restore_build_reports_passed_and_failed_tests(tmp_path: Path):
    make_migration_project(
        tmp_path,
        {
            "models/dim_geo.sql": "{{ config(tags=['dim_geo']) }}\nselect * from {{ ref('stg_geo') }}\n",
            "models/_geo.yml": (
                "version: 2\nmodels:\n  - name: dim_geo\n    columns:\n      - name: id\n"
                "        data_tests:\n          - not_null\n          - accepted_values:\n"
                "              arguments:\n                values: [2]\n"
            ),
        },
    )
    lifecycle(tmp_path).pause("dim_geo")
    # the dependency arrives, in the same group so that `dbt build -s tag:dim_geo` builds it first
    (tmp_path / "dbt/models/stg_geo.sql").write_text("{{ config(tags=['dim_geo']) }}\nselect 1 as id\n")
    result = invoke(tmp_path, "restore", "dim_geo", "--yes", "--build")
    assert result.exit_code == 0, result.output
    assert "build tag:dim_geo: tests passed 1, failed 1" in result.output
