"""`migrate init`: create or complete the dbt project. Idempotent; never overwrites user files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from urllib.request import url2pathname

import yaml

from . import escaping, layout
from .atomic import atomic_write
from .dbt import DbtProject
from .errors import InputError, MigrateError
from .profiles import check_adapter, environment_variables, profiles_yml
from .rules import LEGACY_SCHEMA_VAR, MIGRATED_TAG, RECORD_RESULTS_HOOK

PACKAGE_NAME = "dbt_migrate"


def package_root() -> Path:
    """The dbt package's folder: the repository (or installed copy) holding dbt_project.yml."""
    for parent in Path(__file__).resolve().parents:
        if _is_package_folder(parent):
            return parent
    raise MigrateError(
        "cannot find the dbt_migrate dbt package next to the Python package; install dbt-migrate from "
        "its repository (pip install -e .) or add it to packages.yml yourself"
    )


def _is_package_folder(folder: Path) -> bool:
    candidate = folder / "dbt_project.yml"
    try:
        return (
            candidate.is_file()
            and (yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}).get("name") == PACKAGE_NAME
        )
    except (OSError, yaml.YAMLError, AttributeError):
        return False


@dataclass
class InitReport:
    dbt_dir: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deps_ran: bool = False


def _project_name(dbt_dir: Path) -> str:
    name = "".join(ch if ch.isalnum() else "_" for ch in dbt_dir.resolve().parent.name.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"migration_{name}" if name else "migration"
    return name


def init_project(
    dbt_dir: Path,
    adapter: str = "duckdb",
    run_deps: bool = True,
    legacy_schema: str | None = None,
    record_results: bool = False,
) -> InitReport:
    """``legacy_schema``: the schema holding the legacy tables, for the ``equal_to_legacy`` tests
    generated YAML then carries (it implies ``record_results``: the on-run-end hook)."""
    check_adapter(adapter)  # before any folder or file is made
    if legacy_schema is not None:
        escaping.check_name(legacy_schema, field="--legacy-schema", path_safe=True)
    tracking = legacy_extras(legacy_schema, record_results or legacy_schema is not None)
    report = InitReport(dbt_dir=dbt_dir)
    try:
        dbt_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{dbt_dir}: cannot create the dbt project folder: {exc}") from exc

    project_file = dbt_dir / "dbt_project.yml"
    if project_file.is_file():
        try:
            existing = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{project_file}: invalid YAML: {exc}") from exc
        name = existing.get("name") or _project_name(dbt_dir)
        profile = existing.get("profile") or name
    else:
        name = _project_name(dbt_dir)
        profile = name
    files = {
        "dbt_project.yml": _dbt_project_yml(name, profile, tracking),
        "profiles.yml": profiles_yml(profile, adapter),
        "packages.yml": _packages_yml(dbt_dir),
        ".gitignore": "target/\ndbt_packages/\nlogs/\n*.duckdb\n*.duckdb.wal\n",
    }
    for rel, text in files.items():
        path = dbt_dir / rel
        if path.exists():
            report.kept.append(rel)
            continue
        try:
            atomic_write(path, text)
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc}") from exc
        report.created.append(rel)
    if "profiles.yml" in report.created and environment_variables(adapter):
        report.notes.append(
            f"profiles.yml ({adapter}) reads its connection from the environment: "
            + ", ".join(environment_variables(adapter))
        )
    if tracking and "dbt_project.yml" in report.kept:
        report.notes.append(
            f"{project_file} exists and was left as it is; add for the legacy comparison and result tracking:\n"
            + yaml.safe_dump(tracking, sort_keys=False)
        )
    for folder in (layout.MODELS_DIR, layout.SNAPSHOTS_DIR, "macros", "tests"):
        (dbt_dir / folder).mkdir(parents=True, exist_ok=True)

    packages = dbt_dir / "packages.yml"
    if (
        "packages.yml" in report.kept
        and PACKAGE_NAME not in packages.read_text(encoding="utf-8")
        and "dbt-migrate" not in packages.read_text(encoding="utf-8")
    ):
        report.notes.append(
            f"{packages} does not install dbt_migrate; add:  - {_entry_text(dbt_dir)}  (file left as it is)"
        )
    if run_deps and not (dbt_dir / "dbt_packages" / PACKAGE_NAME).exists():
        outcome = DbtProject(dbt_dir).deps()
        if not outcome.success:
            raise InputError(f"dbt deps failed in {dbt_dir}: " + "; ".join(outcome.errors[:3]))
        report.deps_ran = True
    return report


def legacy_extras(legacy_schema: str | None, record_results: bool) -> dict[str, Any]:
    """The dbt_project.yml keys of the legacy comparison (a var the rendering macros read) and of
    result tracking (the package's on-run-end hook)."""
    extras: dict[str, Any] = {}
    if legacy_schema is not None:
        extras["vars"] = {LEGACY_SCHEMA_VAR: legacy_schema}
    if record_results:
        extras["on-run-end"] = [RECORD_RESULTS_HOOK]
    return extras


def _dbt_project_yml(name: str, profile: str, extras: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {
            "name": name,
            "version": "1.0.0",
            "config-version": 2,
            "profile": profile,
            "model-paths": ["models"],
            "analysis-paths": ["analyses"],
            "snapshot-paths": ["snapshots"],
            "macro-paths": ["macros"],
            "test-paths": ["tests"],
            "models": {name: {"staging": {"+tags": [MIGRATED_TAG]}}},
            **extras,
        },
        sort_keys=False,
    )


def _packages_yml(dbt_dir: Path) -> str:
    entry = package_entry(_direct_url(), dbt_dir)
    return yaml.safe_dump({"packages": [entry]}, sort_keys=False)


def _entry_text(dbt_dir: Path) -> str:
    return ", ".join(f"{k}: {v}" for k, v in package_entry(_direct_url(), dbt_dir).items())


def _direct_url() -> dict | None:
    """Where pip installed dbt-migrate from (PEP 610 ``direct_url.json``), if it says."""
    try:
        text = metadata.distribution("dbt-migrate").read_text("direct_url.json")
        data = json.loads(text) if text else None
    except (metadata.PackageNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def package_entry(direct_url: dict | None, dbt_dir: Path) -> dict[str, str]:
    """The packages.yml entry that installs this dbt package into the project at ``dbt_dir``.

    Installed from git (``pip install git+URL@tag``): the same URL and revision, so the project
    can be committed and installed anywhere. Otherwise the package folder, relative to the dbt
    project, so the project does not carry this machine's absolute paths.
    """
    vcs = (direct_url or {}).get("vcs_info")
    url = (direct_url or {}).get("url")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(url, str):
        revision = vcs.get("requested_revision") or vcs.get("commit_id")
        # dbt renders packages.yml as Jinja: both values go through the escaping layer. A token
        # in the URL (https://TOKEN@host/...) stays out of a file that gets committed.
        parts = urlsplit(url)
        entry = {"git": escaping.escape(urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])))}
        if isinstance(revision, str) and revision:
            entry["revision"] = escaping.escape(revision)
        return entry
    return {"local": os.path.relpath(_installed_from_folder(url) or package_root(), dbt_dir.resolve())}


def _installed_from_folder(url: object) -> Path | None:
    """The folder ``pip install <folder>`` took dbt-migrate from, when it still holds the package
    (a non-editable install carries only the Python side)."""
    if not isinstance(url, str) or not url.startswith("file://"):
        return None
    folder = Path(url2pathname(urlsplit(url).path))
    return folder if _is_package_folder(folder) else None
