"""`migrate init`: create or complete the dbt project. Idempotent; never overwrites user files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import escaping, layout
from .artifacts import atomic_write
from .dbt import DbtProject
from .errors import InputError, MigrateError
from .profiles import check_adapter, environment_variables, profiles_yml
from .rules import LEGACY_SCHEMA_VAR, MIGRATED_TAG, RECORD_RESULTS_HOOK

PACKAGE_NAME = "dbt_migrate"


def package_root() -> Path:
    """The dbt package's folder: the repository (or installed copy) holding dbt_project.yml."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "dbt_project.yml"
        if candidate.is_file():
            try:
                if (yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}).get("name") == PACKAGE_NAME:
                    return parent
            except yaml.YAMLError:
                continue
    raise MigrateError(
        "cannot find the dbt_migrate dbt package next to the Python package; install dbt-migrate from "
        "its repository (pip install -e .) or add it to packages.yml yourself"
    )


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
        "packages.yml": _packages_yml(),
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
            f"{packages} does not install dbt_migrate; add:  - local: {package_root()}  (file left as it is)"
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


def _packages_yml() -> str:
    return yaml.safe_dump({"packages": [{"local": str(package_root())}]}, sort_keys=False)
