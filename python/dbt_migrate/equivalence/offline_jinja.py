"""Rendering a model's Jinja to plain SQL without dbt: a tiny jinja2 environment.

``source()`` / ``ref()`` / ``this`` become the legacy table names (``"bronze"."Customer"``) so the
model reads the same relations as the legacy SQL, ``is_incremental()`` is false,
``dbt_migrate.watermark_filter()`` is ``1 = 1`` (a full refresh), ``dbt.*`` cross-database macros
become DuckDB expressions and ``config()`` records its arguments and renders nothing. Given
``incremental_this`` (the relation holding the model's earlier rows), it renders an incremental
run instead: ``is_incremental()`` true, ``this`` that relation, the watermark filter against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .. import yamlio
from ..jinja_standins import DbtMigrateStandins, DbtStandins
from ..names import normalize_name, split_name
from ..rules import snapshot_of_staging


class RenderFailed(Exception):
    """The model's Jinja uses something this renderer does not provide."""


@dataclass
class Relations:
    """How the model's relation calls map back to legacy tables (normalized ``schema.table`` keys)."""

    current: str  # the target this model replaces (``this``)
    models: dict[str, str] = field(default_factory=dict)  # model name -> table key
    sources: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, table) -> table key

    def source(self, source_name: str, table_name: str) -> str:
        key = self.sources.get((source_name.lower(), table_name.lower()))
        return key or normalize_name(f"{source_name}.{table_name}")

    def ref(self, *args: str, **_: Any) -> str:
        name = args[-1].lower()
        return self.models.get(name) or self.models.get(snapshot_of_staging(name)) or name


def declared_sources(dbt_dir: Path) -> dict[tuple[str, str], str]:
    """(source, table) -> legacy key, from every ``sources:`` YAML under models/ (no dbt run)."""
    models = dbt_dir / "models"
    if not models.is_dir():
        return {}
    paths = sorted(models.rglob("*.yml")) + sorted(models.rglob("*.yaml"))
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in paths)
    cached = _SOURCES_CACHE.get(str(dbt_dir))
    if cached is None or cached[0] != stamp:
        cached = (stamp, _read_sources(paths))
        _SOURCES_CACHE[str(dbt_dir)] = cached
    return dict(cached[1])


_SOURCES_CACHE: dict[str, tuple[tuple, dict[tuple[str, str], str]]] = {}


def _read_sources(paths: list[Path]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        if not any(line.startswith("sources:") for line in text.splitlines()):
            continue
        try:
            doc = yamlio.load(text) or {}
        except yaml.YAMLError:  # not ours to validate here; dbt parse reports it
            continue
        for s in doc.get("sources", []) or []:
            schema = s.get("schema") or s.get("name")
            for t in s.get("tables", []) or []:
                identifier = t.get("identifier") or t.get("name")
                out[(str(s["name"]).lower(), str(t["name"]).lower())] = normalize_name(f"{schema}.{identifier}")
    return out


def quoted(key: str) -> str:
    schema, table = split_name(key)
    return f'"{schema}"."{table}"' if schema else f'"{table}"'


def _unsupported(namespace: str, name: str) -> Any:
    raise RenderFailed(f"{namespace}.{name}() is not supported by the equivalence renderer")


@dataclass
class Rendered:
    sql: str
    config: dict[str, Any]


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def render_model(text: str, relations: Relations, incremental_this: str | None = None) -> Rendered:
    """The model's SQL with every relation replaced by its quoted legacy table name; an
    incremental run's SQL against ``incremental_this`` (quoted) when it is given."""
    config: dict[str, Any] = {}

    def _config(*args: Any, **kwargs: Any) -> str:
        for a in args:
            if isinstance(a, dict):
                config.update(a)
        config.update(kwargs)
        return ""

    names = {
        "config": _config,
        "source": lambda s, t: quoted(relations.source(s, t)),
        "ref": lambda *a, **k: quoted(relations.ref(*a, **k)),
        "this": incremental_this or quoted(relations.current),
        "is_incremental": lambda: incremental_this is not None,
        "should_full_refresh": lambda: incremental_this is None,
        "invocation_id": "equivalence-check",
        "target": {"name": "check", "type": "duckdb", "schema": "main", "database": "memory"},
        "var": lambda name, default=None: default,
        "env_var": lambda name, default="": default,
        "execute": True,
        "dbt": DbtStandins(_unsupported),
        "dbt_migrate": DbtMigrateStandins(_unsupported, this=incremental_this),
        "adapter": None,
    }
    try:
        sql = _ENV.from_string(text).render(**names)
    except RenderFailed:
        raise
    except jinja2.TemplateError as exc:
        raise RenderFailed(f"cannot render the model's Jinja: {exc}") from exc
    return Rendered(sql=sql, config=config)


@dataclass
class JinjaTree:
    """A model as a sqlglot tree whose Jinja calls stand as placeholder identifiers, so edits are
    made on the tree and the model text is written back with its Jinja intact (``to_text``)."""

    tree: Any
    header: str  # the leading ``{{ config(...) }}`` block, kept verbatim
    placeholders: dict[str, str]
    dialect: str = "duckdb"

    def to_text(self) -> str:
        from ..convert.style import model_text

        return self.header + model_text(self.tree, self.dialect, self.placeholders)


def parse_model(text: str, dialect: str = "duckdb") -> JinjaTree:
    import sqlglot

    header = ""
    stripped = text.lstrip()
    if stripped.startswith("{{") and "config(" in stripped.split("}}", 1)[0]:
        head, rest = stripped.split("}}", 1)
        header, text = head + "}}\n\n", rest
    placeholders: dict[str, str] = {}

    def hold(jinja: str) -> str:
        for name, value in placeholders.items():
            if value == jinja:
                return name
        name = f"__dbtm_{len(placeholders)}__"
        placeholders[name] = jinja
        return name

    def call(fn: str):
        return lambda *a, **k: hold(
            "{{ " + fn + "(" + ", ".join([repr(x) for x in a] + [f"{key}={v!r}" for key, v in k.items()]) + ") }}"
        )

    class _NS:
        def __init__(self, ns: str):
            self.ns = ns

        def __getattr__(self, name: str):
            return call(f"{self.ns}.{name}")

    sql = _ENV.from_string(text).render(
        config=lambda *a, **k: "",
        source=call("source"),
        ref=call("ref"),
        this=hold("{{ this }}"),
        is_incremental=lambda: False,
        invocation_id="{{ invocation_id }}",
        dbt=_NS("dbt"),
        dbt_migrate=_NS("dbt_migrate"),
        var=call("var"),
    )
    return JinjaTree(sqlglot.parse_one(sql, read=dialect), header, placeholders, dialect)
