"""One version source: ``dbt_migrate.__version__``.

pyproject.toml reads it (``dynamic = ["version"]``), the installed distribution carries it, and the
dbt package's ``dbt_project.yml`` (and its integration project's) repeat it because dbt needs a
literal ``version:``. These tests fail when any of them disagrees, e.g. a release that bumped one
place and not the others, or a virtualenv installed before the bump (re-run scripts/_setup.sh).
No dbt, no subprocess: files and metadata only.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from pathlib import Path

import pytest
import yaml

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")

REPO = Path(__file__).resolve().parents[3]
DBT_PROJECTS = ("dbt_project.yml", "integration_tests/dbt_project.yml")
SEMVER = re.compile(r"\d+\.\d+\.\d+")


def package_version() -> str:
    return importlib.import_module("dbt_migrate").__version__


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_package_version_is_a_plain_release_number():
    assert SEMVER.fullmatch(package_version()), package_version()


def test_pyproject_takes_its_version_from_the_package_and_states_none_itself():
    data = pyproject()
    assert "version" not in data["project"], "pyproject.toml must not repeat the version"
    assert "version" in data["project"]["dynamic"]
    assert data["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dbt_migrate.__version__"}


def test_imported_package_is_this_repository():
    module = importlib.import_module("dbt_migrate")
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().is_relative_to(REPO / "python"), module.__file__


def test_installed_distribution_has_the_package_version():
    installed = importlib.metadata.version("dbt-migrate")
    assert installed == package_version(), (
        f"installed dbt-migrate is {installed}, dbt_migrate.__version__ is {package_version()}: "
        "re-install (scripts/_setup.sh)"
    )


@pytest.mark.parametrize("path", DBT_PROJECTS)
def test_dbt_project_version_is_the_package_version(path):
    document = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))
    assert str(document["version"]) == package_version(), (
        f"{path} says version {document['version']!r}, dbt_migrate.__version__ is {package_version()!r}"
    )


def test_changelog_has_a_section_for_the_package_version():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    heading = re.compile(rf"^## \[{re.escape(package_version())}\] - \d{{4}}-\d{{2}}-\d{{2}}$", re.MULTILINE)
    assert heading.search(changelog), f"CHANGELOG.md has no '## [{package_version()}] - YYYY-MM-DD' section"
