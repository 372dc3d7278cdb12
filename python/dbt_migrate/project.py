"""Locating things: the migration project root, its dbt project, and ``project.config.json``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError

CONFIG_FILE = "project.config.json"


class PathsConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    dbt_repository: str | None = None
    dimensions_output: str = "dimensions"


class GitConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    branch_prefix: str = "migrate/"


class ProjectConfig(BaseModel):
    """``project.config.json``: optional; every field has a default."""

    model_config = ConfigDict(extra="allow")

    paths: PathsConfig = Field(default_factory=PathsConfig)
    git: GitConfig = Field(default_factory=GitConfig)


def load_config(root: Path) -> ProjectConfig:
    path = root / CONFIG_FILE
    if not path.is_file():
        return ProjectConfig()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    try:
        return ProjectConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"{path}: field '{where}': {first['msg']}") from exc


class Project:
    """A migration project: ``root`` holds manifest.json, catalog/, test-specs/, ddl/."""

    def __init__(self, root: Path | str = ".", dbt_dir: Path | str | None = None):
        self.root = Path(root).resolve()
        self.config = load_config(self.root)
        self.dbt_dir = self._resolve_dbt_dir(dbt_dir)

    def _resolve_dbt_dir(self, explicit: Path | str | None) -> Path:
        # Precedence: explicit argument, $DBT_PROJECT_PATH, project.config.json, <root>/dbt.
        if explicit:
            return Path(explicit).resolve()
        env = os.environ.get("DBT_PROJECT_PATH")
        if env:
            p = Path(env)
            return (p if p.is_absolute() else self.root / p).resolve()
        if self.config.paths.dbt_repository:
            p = Path(self.config.paths.dbt_repository)
            return (p if p.is_absolute() else self.root / p).resolve()
        return self.root / "dbt"

    @property
    def runs_dir(self) -> Path:
        from .layout import runs_dir

        return runs_dir(self.root)

    @property
    def dimensions_dir(self) -> Path:
        p = Path(self.config.paths.dimensions_output)
        return p if p.is_absolute() else self.root / p

    def require_dbt_project(self) -> Path:
        if not (self.dbt_dir / "dbt_project.yml").is_file():
            raise InputError(
                f"no dbt project at {self.dbt_dir} (dbt_project.yml missing): run `migrate init` first, "
                "or point $DBT_PROJECT_PATH at your dbt project"
            )
        return self.dbt_dir
