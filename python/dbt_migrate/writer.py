"""`migrate write`: put a model's SQL and YAML (produced elsewhere) into the dbt project."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import layout
from .artifacts import Ledger, merge_schema_yml, write_all
from .errors import InputError, MigrateError
from .names import model_name_for, model_names, normalize_name
from .project import Project


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} {path}: cannot read: {exc}") from exc


def _model_name(project: Project, table: str) -> str:
    """The name `generate` gives this table's model: the catalog decides when two targets share a
    table name (names.model_names); without a readable catalog, the table name."""
    from .catalog import MigrationProject

    try:
        targets = [t.key for t in MigrationProject(project.root).targets]
    except MigrateError:
        targets = []
    return model_names(targets).get(normalize_name(table)) or model_name_for(table)


def write_model(project: Project, table: str, sql_file: Path, yml_file: Path, force: bool = False) -> list[Path]:
    dbt_dir = project.require_dbt_project()
    sql = _read(sql_file, "--model-sql-file")
    yml = _read(yml_file, "--schema-yml-file")
    if not sql.strip():
        raise MigrateError(f"--model-sql-file {sql_file}: empty; nothing to write")
    if not yml.strip():
        raise MigrateError(f"--schema-yml-file {yml_file}: empty; nothing to write")
    try:
        doc = yaml.safe_load(yml)
    except yaml.YAMLError as exc:
        raise MigrateError(f"--schema-yml-file {yml_file}: invalid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise MigrateError(f"--schema-yml-file {yml_file}: expected a YAML mapping with 'models:'")
    model = _model_name(project, table)
    is_snapshot = "{% snapshot" in sql.replace("{%-", "{%")
    if is_snapshot:
        sql_path, yml_path = layout.snapshot_sql(dbt_dir, model), layout.snapshot_yaml(dbt_dir, model)
    else:
        sql_path, yml_path = layout.model_sql(dbt_dir, model), layout.model_yaml(dbt_dir, model)
    existing = yml_path.read_text(encoding="utf-8") if yml_path.is_file() else None
    files = {sql_path: sql if sql.endswith("\n") else sql + "\n", yml_path: merge_schema_yml(existing, yml, yml_path)}
    return write_all(Ledger(dbt_dir), files, force=force)
