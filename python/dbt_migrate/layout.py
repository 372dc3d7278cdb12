"""Where dbt-migrate's output goes: the one home of every path it writes.

Models and their YAML in the project's models folder (``models/marts/`` when the dbt project has
one, else ``models/staging/``; ``--models-dir`` / ``$DBT_MIGRATE_MODELS_DIR`` choose another),
snapshots' YAML in ``snapshots/``, undeclared sources in one file in ``models/staging/``, the
ledger of written files in ``.dbt-migrate/``, and each run's result JSON in the migration
project's ``.migration-runs/``, beside the lock a running command holds
(``.migration-runs/.lock``). Callers ask here; no other module spells a folder or file name.

A model name becomes a file name only when it matches ``[a-z0-9_]+`` (``escaping.check_model_name``),
and ``inside`` is the check every write makes (``artifacts.write_all``): the path, resolved with the
symlinks on its way, stays inside the dbt project.
"""

from __future__ import annotations

import os
from pathlib import Path

from .escaping import UNSAFE_PATH, UnsafeInputError, check_model_name, check_name
from .rules import STAGING_PREFIX

MODELS_DIR = Path("models") / "staging"
MARTS_DIR = Path("models") / "marts"
MODELS_DIR_ENV = "DBT_MIGRATE_MODELS_DIR"
SNAPSHOTS_DIR = Path("snapshots")
SOURCES_FILE = MODELS_DIR / "_dbt_migrate__sources.yml"
LEDGER_FILE = Path(".dbt-migrate") / "written.json"
STORED_CONTEXT_DIR = Path("analyses") / "dbt_migrate"
RUNS_DIR = ".migration-runs"
RUN_LOCK_FILE = ".lock"
VERSIONS_SUFFIX = "_versions"
ITEM_INDEX_FILE = "index/items.json"  # in a folder: `.migration-runs/*.json` are run documents only
CATALOG_DIR = "catalog"
CATALOG_BUCKETS = ("tables", "views", "procedures", "functions")
MANIFEST_FILE = "manifest.json"
DDL_DIR = "ddl"


def _named(dbt_dir: Path, folder: Path, model: str, file_name: str) -> Path:
    """A file named after a model: only once the model name is safe as a file name."""
    check_model_name(model)
    return dbt_dir / folder / file_name


def models_dir(dbt_dir: Path) -> Path:
    """Where generated models go, relative to the dbt project: ``$DBT_MIGRATE_MODELS_DIR`` (set by
    ``--models-dir``; a relative path under ``models/``), else ``models/marts`` when the team's
    project has that folder, else ``models/staging``."""
    chosen = os.environ.get(MODELS_DIR_ENV, "").strip()
    if chosen:
        folder = Path(chosen)
        if folder.is_absolute() or ".." in folder.parts or folder.parts[:1] != ("models",):
            raise UnsafeInputError(
                f"{UNSAFE_PATH}: --models-dir {chosen!r} must be a relative folder under models/, e.g. models/marts",
                reason=UNSAFE_PATH,
            )
        return folder
    return MARTS_DIR if (dbt_dir / MARTS_DIR).is_dir() else MODELS_DIR


def model_sql(dbt_dir: Path, model: str) -> Path:
    """``<models dir>/<model>.sql``."""
    return _named(dbt_dir, models_dir(dbt_dir), model, f"{model}.sql")


def model_yaml(dbt_dir: Path, model: str) -> Path:
    """``<models dir>/_<model>.yml``: the model's schema YAML and unit tests."""
    return _named(dbt_dir, models_dir(dbt_dir), model, f"_{model}.yml")


def staging_wrapper_sql(dbt_dir: Path, model: str) -> Path:
    """``models/staging/stg_<source>__<table>.sql``: a staging wrapper (``--staging-wrappers``)."""
    return _named(dbt_dir, MODELS_DIR, model, f"{model}.sql")


def snapshot_yaml(dbt_dir: Path, model: str) -> Path:
    """``snapshots/_<model>.yml``: a dim_scd2 table's snapshot."""
    return _named(dbt_dir, SNAPSHOTS_DIR, model, f"_{model}.yml")


def snapshot_sql(dbt_dir: Path, model: str) -> Path:
    """``snapshots/<model>.sql``: a hand-written snapshot block (``migrate write``)."""
    return _named(dbt_dir, SNAPSHOTS_DIR, model, f"{model}.sql")


def stored_context_sql(dbt_dir: Path, model: str) -> Path:
    """``analyses/dbt_migrate/dbt_migrate_context__<model>.sql``: the analysis holding a stored context."""
    return _named(dbt_dir, STORED_CONTEXT_DIR, model, f"dbt_migrate_context__{model}.sql")


def stored_context_yml(dbt_dir: Path, model: str) -> Path:
    """``analyses/dbt_migrate/_dbt_migrate_context__<model>.yml``: its meta, the stored context itself."""
    return _named(dbt_dir, STORED_CONTEXT_DIR, model, f"_dbt_migrate_context__{model}.yml")


def versions_model(model: str) -> str:
    """``<model>_versions``: the view adding a legacy current flag over snapshot ``<model>``."""
    return f"{model}{VERSIONS_SUFFIX}"


def inside(root: Path, path: Path) -> Path:
    """``path`` when it stays inside ``root`` once resolved (``..``, an absolute path, a symlink on
    the way that points elsewhere all leave it); else ``UnsafeInputError`` (reason ``unsafe_path``)."""
    base = root.resolve()
    target = path.resolve()  # follows every symlink on the way, the file's own included
    if target != base and base not in target.parents:
        via = f" (resolves to {target})" if target != Path(path).absolute() else ""
        raise UnsafeInputError(
            f"{UNSAFE_PATH}: {path}{via} is outside the dbt project {base}; nothing written", reason=UNSAFE_PATH
        )
    return path


def sources_file(dbt_dir: Path) -> Path:
    return dbt_dir / SOURCES_FILE


def ledger_file(dbt_dir: Path) -> Path:
    return dbt_dir / LEDGER_FILE


def runs_dir(root: Path) -> Path:
    return root / RUNS_DIR


def reconcile_dir(root: Path) -> Path:
    """``<root>/.migration-runs/reconcile/``: each ``migrate reconcile`` result and HTML report."""
    return root / RUNS_DIR / "reconcile"


def reconcile_result(root: Path, run_id: str) -> Path:
    return reconcile_dir(root) / f"{run_id}.json"


def reconcile_html(root: Path, run_id: str) -> Path:
    return reconcile_dir(root) / f"{run_id}.html"


def reconcile_latest_html(root: Path) -> Path:
    """The stable copy of the newest report: ``.migration-runs/reconcile/reconcile-report.html``."""
    return reconcile_dir(root) / "reconcile-report.html"


def run_lock(root: Path) -> Path:
    """``<root>/.migration-runs/.lock``: held by the command that is writing into the project."""
    return runs_dir(root) / RUN_LOCK_FILE


def item_index(root: Path) -> Path:
    """``<root>/.migration-runs/index/items.json``: each item's latest status, for ``migrate status``."""
    return runs_dir(root) / ITEM_INDEX_FILE


def model_sql_candidates(model: str) -> tuple[str, str]:
    """File names a model's SQL may have under ``models/``: its own, or the staging model a
    snapshot reads (``stg_<model>.sql``)."""
    return f"{model}.sql", f"{STAGING_PREFIX}{model}.sql"


def find_model_sql(dbt_dir: Path, model: str) -> Path | None:
    """The model's SQL anywhere under ``models/`` (a person may have moved it)."""
    models = dbt_dir / "models"
    if not models.is_dir():
        return None
    for name in model_sql_candidates(model):
        hits = sorted(models.rglob(name))
        if hits:
            return hits[0]
    return None


def snapshot_yamls(dbt_dir: Path) -> list[Path]:
    folder = dbt_dir / SNAPSHOTS_DIR
    return sorted(folder.rglob("*.yml")) if folder.is_dir() else []


def catalog_file(root: Path, bucket: str, key: str) -> Path:
    """``<root>/catalog/<bucket>/<key>.json`` for an object's normalised key (``schema.name``): only
    once the key is safe as a file name (no ``/``, no ``..``, no Jinja brace or control character:
    ``escaping.check_name``) and the path stays inside the migration project."""
    if bucket not in CATALOG_BUCKETS:
        raise ValueError(f"unknown catalog bucket {bucket!r}")
    check_name(key, field=f"{bucket[:-1]} name", path_safe=True)
    return inside(root, root / CATALOG_DIR / bucket / f"{key}.json")


def manifest_file(root: Path) -> Path:
    return root / MANIFEST_FILE


def ddl_file(root: Path, name: str) -> Path:
    """``<root>/ddl/tables.sql`` / ``procedures.sql``."""
    return root / DDL_DIR / name
