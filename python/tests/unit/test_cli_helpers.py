"""Pure helpers behind the CLI habits: table lookup with did-you-mean, `ls` rows, the
packages.yml entry, and the permissions of written files."""

from __future__ import annotations

import json
import os
import stat

import pytest

from dbt_migrate import layout
from dbt_migrate.atomic import atomic_write
from dbt_migrate.catalog import MigrationProject
from dbt_migrate.errors import InputError
from dbt_migrate.init import package_entry, package_root
from dbt_migrate.listing import list_tables
from dbt_migrate.lookup import resolve_table
from helpers import CORPUS, copy_example


@pytest.fixture(scope="module")
def corpus() -> MigrationProject:
    return MigrationProject(CORPUS)


@pytest.mark.parametrize("text", ["silver.DimCustomer", "[silver].[dimcustomer]", "dimcustomer", "DimCustomer"])
def test_a_table_is_found_by_its_name_or_its_model_name(corpus, text):
    assert resolve_table(corpus, text).key == "silver.dimcustomer"


@pytest.mark.parametrize(
    "typo, suggested",
    [
        ("silver.DimCustomr", "silver.DimCustomer"),
        ("dimcustomr", "silver.DimCustomer"),
        ("silver.dimsku_", "silver.DimSku"),
    ],
)
def test_an_unknown_table_names_the_nearest_tables(corpus, typo, suggested):
    with pytest.raises(InputError) as err:
        resolve_table(corpus, typo)
    message = str(err.value)
    assert f"--table '{typo}'" in message and "did you mean" in message and suggested in message
    assert message.count(suggested + " ") + message.count(suggested + "?") == 1  # named once


def test_an_unknown_table_with_nothing_close_says_where_it_looked(corpus):
    with pytest.raises(InputError) as err:
        resolve_table(corpus, "zzz.qqq")
    assert "did you mean" not in str(err.value) and str(CORPUS / "catalog" / "tables") in str(err.value)


def test_ls_rows_come_from_the_catalog_and_the_files(tmp_path):
    root = copy_example("retail", tmp_path / "retail")
    dbt = tmp_path / "retail" / "dbt"
    (dbt / "models" / "staging").mkdir(parents=True)
    (dbt / "models" / "staging" / "dimstore.sql.skip").write_text("select 1")
    index = layout.item_index(root)  # what every run updates (results.update_item_index)
    index.parent.mkdir(parents=True)
    index.write_text(json.dumps({"silver.FactDailyStoreSales": {"status": "partial", "reason": "equivalence_gap"}}))
    rows = {r.table.lower(): r for r in list_tables(MigrationProject(root), dbt)}
    assert set(rows) == {"silver.dimstore", "silver.factdailystoresales"}
    assert rows["silver.dimstore"].status == "paused" and rows["silver.dimstore"].model == "dimstore"
    assert rows["silver.factdailystoresales"].status == "partial (equivalence_gap)"
    assert rows["silver.dimstore"].classification == "dim_scd1"
    assert rows["silver.dimstore"].writer.lower() == "silver.usp_load_dimstore"


def test_packages_entry_is_relative_to_the_dbt_project(tmp_path):
    dbt_dir = tmp_path / "proj" / "dbt"
    entry = package_entry({"url": "file:///somewhere", "dir_info": {"editable": True}}, dbt_dir)
    assert not os.path.isabs(entry["local"])
    assert (dbt_dir.resolve() / entry["local"]).resolve() == package_root()


def test_packages_entry_from_a_git_install_keeps_url_and_tag_without_credentials_or_jinja(tmp_path):
    direct = {
        "url": "https://user:tok3n@example.com/team/{{ env_var('X') }}.git",
        "vcs_info": {"vcs": "git", "requested_revision": "v0.2.0", "commit_id": "abc123"},
    }
    entry = package_entry(direct, tmp_path)
    assert entry["revision"] == "v0.2.0"
    assert "tok3n" not in entry["git"] and "user" not in entry["git"]
    assert "{{ env_var" not in entry["git"] and entry["git"].startswith("https://example.com/team/")
    assert (
        package_entry({**direct, "vcs_info": {"vcs": "git", "commit_id": "abc123"}}, tmp_path)["revision"] == "abc123"
    )


def test_written_files_get_the_umask_permissions_and_keep_existing_ones(tmp_path):
    new = tmp_path / "a" / "new.yml"
    atomic_write(new, "x: 1\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask
    kept = tmp_path / "kept.sql"
    kept.write_text("old")
    kept.chmod(0o640)
    atomic_write(kept, "new")
    assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert not list(tmp_path.rglob("*.tmp"))
