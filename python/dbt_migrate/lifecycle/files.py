"""Files of paused models: ``.sql.skip`` renames and YAML entries moved aside, written atomically.

A paused model's entries in schema YAML (``models:``/``snapshots:`` items named after it,
``unit_tests:`` items for it) would make dbt warn about patches for a missing node, so pause cuts
them out and keeps them, verbatim, in a sidecar ``<model>.yml.skip`` beside the model. The cut is
made on the YAML node tree (``yaml.compose`` gives each item's exact lines), never by pattern
matching, and restore puts each item back after the item that preceded it, so a pause followed
by a restore gives the original bytes back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError

SKIP = ".skip"
MOVABLE = {"models": "name", "snapshots": "name", "unit_tests": "model"}
SIDECAR_HEADER = (
    "# Moved aside by `migrate pause`: the YAML entries of paused model `{model}`.\n"
    "# `migrate restore` puts them back where they were; dbt does not read .skip files.\n"
)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


# -- the dbt project's layout --------------------------------------------------------------------
@dataclass
class Layout:
    dbt_dir: Path
    name: str
    code_paths: list[str]  # model-paths + snapshot-paths
    config: dict


def load_layout(dbt_dir: Path) -> Layout:
    path = dbt_dir / "dbt_project.yml"
    try:
        config = yaml.safe_load(read_text(path)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from exc
    paths = list(config.get("model-paths") or ["models"]) + list(config.get("snapshot-paths") or ["snapshots"])
    return Layout(dbt_dir, str(config.get("name", "")), paths, config)


def newest_change(layout: Layout) -> float:
    """The latest modification time of the project's code folders (files and folders: a rename
    changes its folder), ``dbt_project.yml`` and ``packages.yml``."""
    newest = 0.0
    for name in ("dbt_project.yml", "packages.yml", "profiles.yml"):
        try:
            newest = max(newest, (layout.dbt_dir / name).stat().st_mtime)
        except OSError:
            pass
    stack = [layout.dbt_dir / rel for rel in [*layout.code_paths, "seeds"]]
    while stack:
        folder = stack.pop()
        try:
            newest = max(newest, folder.stat().st_mtime)
            with os.scandir(folder) as entries:
                for e in entries:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(Path(e.path))
                    else:
                        newest = max(newest, e.stat(follow_symlinks=False).st_mtime)
        except OSError:
            continue
    return newest


def skip_files(layout: Layout) -> list[Path]:
    out: list[Path] = []
    for rel in layout.code_paths:
        base = layout.dbt_dir / rel
        if base.is_dir():
            out += sorted(base.rglob("*.sql.skip"))
    return out


def yaml_files(layout: Layout) -> list[Path]:
    out: list[Path] = []
    for rel in layout.code_paths:
        base = layout.dbt_dir / rel
        if base.is_dir():
            out += sorted(p for p in base.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())
    return out


def model_name_of(skip_file: Path) -> str:
    return skip_file.name[: -len(".sql.skip")]


def sidecar_for(model_file: Path) -> Path:
    """``models/x/dim_a.sql`` or ``models/x/dim_a.sql.skip`` -> ``models/x/dim_a.yml.skip``."""
    name = model_file.name
    stem = name[: -len(".sql.skip")] if name.endswith(".sql.skip") else name[: -len(".sql")]
    return model_file.with_name(f"{stem}.yml{SKIP}")


def folder_tags(layout: Layout, rel_path: str) -> set[str]:
    """Tags ``dbt_project.yml`` gives a file by folder (``models: <project>: <dir>: +tags``)."""
    parts = Path(rel_path).parts
    if not parts:
        return set()
    section = {"snapshots": "snapshots"}.get(parts[0], "models")
    node: Any = (layout.config.get(section) or {}).get(layout.name) or {}
    tags: set[str] = set()
    for part in (None, *parts[1:-1]):
        if part is not None:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            break
        for key in ("+tags", "tags"):
            value = node.get(key)
            if isinstance(value, str):
                tags.add(value)
            elif isinstance(value, list):
                tags.update(v for v in value if isinstance(v, str))
    return tags


# -- YAML surgery on the node tree -----------------------------------------------------------------
def _compose(text: str, path: Path) -> Any:
    try:
        return yaml.compose(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from exc


def _item_id(item: Any, field: str) -> str | None:
    if not isinstance(item, yaml.MappingNode):
        return None
    for k, v in item.value:
        if k.value == field and isinstance(v, yaml.ScalarNode):
            return v.value
    return None


def _end_line(lines: list[str], mark: Any) -> int:
    """First line after a node: its end mark's line unless text precedes the mark on that line."""
    if mark.line >= len(lines):
        return len(lines)
    return mark.line + 1 if lines[mark.line][: mark.column].strip() else mark.line


def _sequences(root: Any, path: Path):
    """(key, key_node, sequence_node) for each movable top-level sequence."""
    if not isinstance(root, yaml.MappingNode):
        return
    for k, v in root.value:
        if k.value in MOVABLE and isinstance(v, yaml.SequenceNode):
            if v.flow_style and v.value:
                raise InputError(
                    f"{path}: '{k.value}' is a flow-style list ([...]); rewrite it as a "
                    "block list (one '- ' item per line) so entries can be moved aside"
                )
            yield k.value, k, v


def entries_for(text: str, path: Path, model: str) -> bool:
    """Does this YAML text hold entries of ``model``?"""
    if model not in text:
        return False
    root = _compose(text, path)
    return any(_item_id(i, MOVABLE[key]) == model for key, _, seq in _sequences(root, path) for i in seq.value)


def cut_entries(text: str, path: Path, model: str) -> tuple[str, list[dict]]:
    """Remove ``model``'s entries; returns the new text and the entries (verbatim lines + position).

    A list left empty becomes ``key: []`` (the original key line is kept in the entry), so the
    file stays valid for dbt and restoring in any order rebuilds the original bytes.
    """
    root = _compose(text, path)
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    replace: dict[int, str] = {}
    entries: list[dict] = []
    for key, key_node, seq in _sequences(root, path):
        items = seq.value
        previous: str | None = None
        mine: list[dict] = []
        for idx, item in enumerate(items):
            ident = _item_id(item, "name")
            start = item.start_mark.line
            end = items[idx + 1].start_mark.line if idx + 1 < len(items) else _end_line(lines, seq.end_mark)
            if _item_id(item, MOVABLE[key]) == model:
                following = _item_id(items[idx + 1], "name") if idx + 1 < len(items) else None
                mine.append({"key": key, "after": previous, "before": following, "text": "".join(lines[start:end])})
                drop.update(range(start, end))
            previous = ident
        if mine and len(mine) == len(items):
            k = key_node.start_mark.line
            mine[0]["key_line"] = lines[k]
            replace[k] = lines[k][: key_node.start_mark.column] + f"{key}: []\n"
        entries += mine
    if not entries:
        return text, []
    out = [replace.get(i, line) for i, line in enumerate(lines) if i not in drop]
    return "".join(out), entries


def insert_entries(text: str | None, path: Path, entries: list[dict]) -> str:
    """Put entries cut by ``cut_entries`` back where they were."""
    if text is None:
        text = "version: 2\n"
    for entry in entries:
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        body = entry["text"] if entry["text"].endswith("\n") else entry["text"] + "\n"
        root = _compose(text, path)
        target = next(((kn, seq) for key, kn, seq in _sequences(root, path) if key == entry["key"]), None)
        if target is None:
            lines += [entry.get("key_line") or f"{entry['key']}:\n", body]
            text = "".join(lines)
            continue
        key_node, seq = target
        items = seq.value
        if not items:  # `key: []` left by the cut: the original key line comes back
            k = key_node.start_mark.line
            lines[k] = entry.get("key_line") or lines[k][: key_node.start_mark.column] + f"{entry['key']}:\n"
            lines[k + 1 : k + 1] = [body]
            text = "".join(lines)
            continue
        ids = [_item_id(item, "name") for item in items]
        after, before = entry.get("after"), entry.get("before")
        if after is not None and after in ids:  # back after the item that preceded it ...
            idx = ids.index(after)
            at = items[idx + 1].start_mark.line if idx + 1 < len(items) else _end_line(lines, seq.end_mark)
        elif before is not None and before in ids:  # ... or before the one that followed it
            at = items[ids.index(before)].start_mark.line
        elif after is None:
            at = items[0].start_mark.line
        else:
            at = _end_line(lines, seq.end_mark)
        lines[at:at] = [body]
        text = "".join(lines)
    return text


class _Literal(str):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _SidecarDumper(yaml.SafeDumper):
    pass


_SidecarDumper.add_representer(_Literal, _literal)


def render_sidecar(model: str, moved: list[dict]) -> str:
    """``moved``: [{"file": rel path, "entries": [...]}] -> the sidecar's text."""
    doc = {
        "model": model,
        "moved": [
            {"file": m["file"], "entries": [{**e, "text": _Literal(e["text"])} for e in m["entries"]]} for m in moved
        ],
    }
    return SIDECAR_HEADER.format(model=model) + yaml.dump(
        doc, Dumper=_SidecarDumper, sort_keys=False, allow_unicode=True, width=10_000
    )


def read_sidecar(path: Path) -> dict:
    try:
        doc = yaml.safe_load(read_text(path)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML in a moved-aside sidecar: {exc}; fix or delete it") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("moved"), list):
        raise InputError(f"{path}: not a dbt-migrate sidecar (no 'moved' list); rename it if it is yours")
    return doc


def sidecar_tags(doc: dict) -> set[str]:
    """Tags the moved-aside entries give the model (``config: tags:`` or ``tags:``)."""
    tags: set[str] = set()
    for moved in doc.get("moved", []):
        for e in moved.get("entries", []):
            try:
                data = yaml.safe_load(e.get("text", ""))
            except yaml.YAMLError:
                continue
            items = data if isinstance(data, list) else [data]
            for item in items:
                if not isinstance(item, dict):
                    continue
                for holder in (item, item.get("config") or {}):
                    value = holder.get("tags") if isinstance(holder, dict) else None
                    if isinstance(value, str):
                        tags.add(value)
                    elif isinstance(value, list):
                        tags.update(v for v in value if isinstance(v, str))
    return tags
