"""The two generations of the upstream format (FORMATS.md, FORMATS-current.md) read as one.

Pure functions over the raw JSON values, applied before validation (``catalog.py``): each takes
one shape a field may arrive in and returns the shape the contracts read. Renamed fields become
their new names, legacy ones are copied into the new layout, entries upstream's own consumers
ignore (a string where an object is expected in ``primary_keys``) are dropped. Nothing here
raises: a value it does not recognise is passed on unchanged, and validation names the field.
"""

from __future__ import annotations

from typing import Any

# Table kinds the older tooling wrote; each maps onto one kind of the current vocabulary.
LEGACY_KINDS = ("insert", "fact", "fact_insert")
# View kinds (a bare string classification on a view's profile).
VIEW_KINDS = ("stg", "mart")


def _first_str(raw: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def column(raw: Any) -> Any:
    """``sql_type`` is the source type in the first generation and the target type in the
    current one, where ``source_sql_type`` holds the source type; older files say ``data_type``
    or ``type``. Out: ``sql_type`` = the source-dialect type, ``target_sql_type`` = the target
    type when the file gives one."""
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    declared = _first_str(raw, "sql_type", "data_type", "type")
    native = _first_str(raw, "source_sql_type")
    if native is not None:
        out["sql_type"] = native
        out["target_sql_type"] = declared
    else:
        out["sql_type"] = declared
    if out.get("is_nullable") is None:
        out.pop("is_nullable", None)
    return out


def objects_only(raw: Any) -> Any:
    """A list keeps its object entries (upstream consumers ignore the others)."""
    if isinstance(raw, list):
        return [e for e in raw if isinstance(e, dict)]
    return [] if raw is None else raw


def primary_keys(raw: Any) -> Any:
    """Declared PKs: object entries with a ``columns`` list (a bare column string is one column)."""
    out = []
    for entry in objects_only(raw) if isinstance(raw, list) else []:
        cols = entry.get("columns")
        if isinstance(cols, str):
            cols = [cols]
        if isinstance(cols, list):
            out.append({**entry, "columns": [c for c in cols if isinstance(c, str)]})
    return out if isinstance(raw, list) else objects_only(raw)


def declared_foreign_key(raw: Any) -> Any:
    """Legacy ``{column, references_schema, references_table, references_column}`` and current
    ``{columns[], referenced_schema, referenced_table, referenced_columns[]}`` -> the current shape."""
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    if "columns" not in out and isinstance(raw.get("column"), str):
        out["columns"] = [raw["column"]]
    for old, new in (("references_schema", "referenced_schema"), ("references_table", "referenced_table")):
        if new not in out and old in raw:
            out[new] = raw[old]
    if "referenced_columns" not in out and isinstance(raw.get("references_column"), str):
        out["referenced_columns"] = [raw["references_column"]]
    return out


def profile_key(raw: Any) -> Any:
    """``primary_key``: a legacy single ``column`` is copied into ``columns``."""
    if isinstance(raw, dict) and not raw.get("columns") and isinstance(raw.get("column"), str):
        return {**raw, "columns": [raw["column"]]}
    if isinstance(raw, list):
        return {"columns": raw}
    return raw


def profile_foreign_key(raw: Any) -> Any:
    """``column`` or ``columns[]``; ``references_source_relation`` or its alias ``references_table``."""
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    cols = raw.get("columns")
    if not isinstance(raw.get("column"), str) and isinstance(cols, list) and cols and isinstance(cols[0], str):
        out["column"] = cols[0]
    if out.get("references_source_relation") is None and isinstance(raw.get("references_table"), str):
        out["references_source_relation"] = raw["references_table"]
    return out


def pii_action(raw: Any) -> Any:
    """``suggested_action`` or its alias ``action``."""
    if isinstance(raw, dict) and raw.get("suggested_action") is None and isinstance(raw.get("action"), str):
        return {**raw, "suggested_action": raw["action"]}
    return raw


def classification(raw: Any) -> Any:
    """An object ``{resolved_kind, ...}``, or the bare string views carry."""
    if isinstance(raw, str):
        return {"resolved_kind": raw.strip()}
    return raw


def view_as_table(raw: Any) -> Any:
    """A ``catalog/views/`` file read with the table contract: its body and MV flag kept, its
    string classification as a profile kind, its analysis-only scoping left out."""
    if not isinstance(raw, dict):
        return raw
    out = {k: v for k, v in raw.items() if k not in ("scoping", "sql")}
    out["object_type"] = "view"
    out["view_sql"] = raw.get("sql")
    profile = raw.get("profile")
    if isinstance(profile, dict) and profile.get("classification") in (None, ""):
        out["profile"] = None  # not profiled yet: not a target
    return out
