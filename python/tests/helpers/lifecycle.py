"""Build small real dbt projects (DuckDB) on disk for the lifecycle tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

DBT_PROJECT = """\
name: shop
version: "1.0"
config-version: 2
profile: shop
model-paths: ["models"]
seed-paths: ["seeds"]
snapshot-paths: ["snapshots"]
"""

PROFILES = """\
shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{db}"
      threads: 1
"""

SOURCES = """\
version: 2
sources:
  - name: erp
    schema: main
    tables:
      - name: customers
      - name: orders
"""


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def make_migration_project(root: Path, files: dict[str, str], config: str | None = None) -> Path:
    """A migration project at ``root`` with its dbt project in ``root/dbt``; returns the dbt dir."""
    dbt_dir = root / "dbt"
    write_files(
        dbt_dir,
        {
            "dbt_project.yml": DBT_PROJECT,
            "profiles.yml": PROFILES.format(db=(root / "shop.duckdb").as_posix()),
            "models/sources.yml": SOURCES,
        },
    )
    write_files(dbt_dir, files)
    if config is not None:
        (root / "project.config.json").write_text(config, encoding="utf-8")
    return dbt_dir


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under root (except dbt's own target/logs output) with its bytes."""
    skip = {"target", "logs", "dbt_packages", ".git"}
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not (set(rel.parts) & skip) and not p.name.endswith(".duckdb"):
            out[rel.as_posix()] = p.read_bytes()
    return out
