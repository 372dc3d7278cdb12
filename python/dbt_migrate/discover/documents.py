"""The catalog documents discover writes, built from what was read (``Discovered``) and what the
procedure analysis inferred (``Analysis``): pure functions, in the current generation of the
format (``FORMATS-current.md``) as ``catalog.py`` reads it.

Every DDL-derived field is named in the document's ``discover`` block with a one-line rationale
and a fingerprint of the value written (``merge.py`` uses it to tell discover's own fields from
edits); inferred profile and scoping fields carry ``source: "discover"`` themselves.
"""

from __future__ import annotations

from typing import Any

from .model import Analysis, Column, Discovered, SqlObject, TableFacts, TableInference
from .provenance import stamp

SCHEMA_VERSION = "1.0"
# SQL Server types with no portable equivalent: the catalog's (target) sql_type says what the
# migrated column holds instead; source_sql_type keeps the type as written.
_TARGET_TYPES = {
    "geography": "nvarchar(max)", "sys.geography": "nvarchar(max)", "geometry": "nvarchar(max)",
    "sys.geometry": "nvarchar(max)", "hierarchyid": "nvarchar(4000)", "sys.hierarchyid": "nvarchar(4000)",
    "sql_variant": "nvarchar(4000)", "xml": "nvarchar(max)", "sysname": "nvarchar(128)",
    "sys.sysname": "nvarchar(128)", "timestamp": "binary(8)", "rowversion": "binary(8)",
}  # fmt: skip


def target_type(source_type: str) -> str:
    return _TARGET_TYPES.get(source_type.lower(), source_type)


def _column(c: Column, view: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name, "sql_type": target_type(c.type), "source_sql_type": c.type}
    out["is_nullable"] = c.nullable
    if not view:
        out["is_identity"] = c.identity
    if c.default is not None:
        out["default"] = c.default
    return out


def _split(fqn: str, discovered: Discovered) -> tuple[str, str]:
    """Schema and name as written for a referenced table (its fqn when the input lacks it)."""
    facts = discovered.tables.get(fqn)
    if facts is not None:
        return facts.schema, facts.name
    schema, _, name = fqn.partition(".")
    return schema, name


def _where(facts: TableFacts | SqlObject) -> str:
    return f"{facts.file}:{facts.line}"


def table_document(facts: TableFacts, inference: TableInference | None, discovered: Discovered) -> dict[str, Any]:
    where = _where(facts)
    doc: dict[str, Any] = {"schema": facts.schema, "name": facts.name}
    fields: dict[str, str] = {"columns": f"columns, types and nullability of CREATE TABLE at {where}"}
    doc["columns"] = [_column(c) for c in facts.columns]
    if facts.primary_key:
        doc["primary_keys"] = [
            {"constraint_name": facts.primary_key_name, "columns": facts.primary_key, "type": "PRIMARY KEY"}
        ]
        fields["primary_keys"] = f"PRIMARY KEY constraint of {where}"
    if facts.unique_keys:
        doc["unique_indexes"] = [
            {"index_name": n, "columns": cols} for cols, n in zip(facts.unique_keys, _names(facts), strict=True)
        ]
        fields["unique_indexes"] = "UNIQUE constraints and unique indexes of the DDL"
    if facts.foreign_keys:
        doc["foreign_keys"] = []
        for fk in facts.foreign_keys:
            schema, name = _split(fk.ref_table, discovered)
            doc["foreign_keys"].append(
                {
                    "constraint_name": fk.name,
                    "columns": fk.columns,
                    "referenced_schema": schema,
                    "referenced_table": name,
                    "referenced_columns": fk.ref_columns,
                }  # fmt: skip
            )
        fields["foreign_keys"] = "FOREIGN KEY constraints of the DDL (inline and ALTER TABLE ... ADD CONSTRAINT)"
    identities = [c for c in facts.columns if c.identity]
    if identities:
        doc["auto_increment_columns"] = [
            {"column": c.name, "mechanism": "sequence" if c.default else "identity"} for c in identities
        ]
        fields["auto_increment_columns"] = "IDENTITY columns, and columns defaulting to NEXT VALUE FOR a sequence"
    scoping = dict(inference.scoping) if inference and inference.scoping else _no_writer()
    doc["scoping"] = scoping
    has_writer = scoping.get("status") in ("resolved", "ambiguous_multi_writer")
    doc["is_source"] = not has_writer
    fields["is_source"] = (
        "a procedure in the input writes it" if has_writer else "no procedure in the input writes it: a dbt source"
    )
    if inference and inference.profile and has_writer:
        doc["profile"] = dict(inference.profile)
    return stamp(doc, fields, where)


def _names(facts: TableFacts) -> list[str | None]:
    names = list(facts.unique_key_names)
    return names + [None] * (len(facts.unique_keys) - len(names))


def _no_writer() -> dict[str, Any]:
    return {
        "status": "no_writer_found",
        "selected_writer": None,
        "candidates": [],
        "source": "discover",
        "selected_writer_rationale": "no procedure in the input writes this table",
    }


def view_document(facts: TableFacts, obj: SqlObject | None, inference: TableInference | None) -> dict[str, Any]:
    where = _where(facts)
    doc: dict[str, Any] = {"schema": facts.schema, "name": facts.name, "is_materialized_view": False}
    doc["sql"] = obj.sql if obj else (facts.select_sql or "")
    fields = {"sql": f"CREATE VIEW at {where}", "is_materialized_view": "a CREATE VIEW, not an indexed view"}
    if facts.columns:
        doc["columns"] = [_column(c, view=True) for c in facts.columns]
        fields["columns"] = "the output names of the view's SELECT (types are not in a view's text)"
    if inference and inference.profile:
        doc["profile"] = dict(inference.profile)
    return stamp(doc, fields, where)


def procedure_document(obj: SqlObject, inferred: dict[str, Any] | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema": obj.schema, "name": obj.name}
    fields: dict[str, str] = {}
    if inferred:
        for key, value in inferred.items():
            if key in ("schema", "name"):
                continue
            doc[key] = value
            fields[key] = "procedure analysis (statements, references, routing) by discover"
    return stamp(doc, fields, _where(obj))


def manifest_document(discovered: Discovered) -> dict[str, Any]:
    schemas = sorted({o.schema for o in discovered.objects if o.kind != "other"}, key=str.lower)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "technology": "sql_server",
        "dialect": "tsql",
        "extraction": {"schemas": schemas},
    }
    return stamp(doc, dict.fromkeys(doc, "discover reads SQL Server T-SQL"), "")


def documents(discovered: Discovered, analysis: Analysis) -> dict[str, dict[str, Any]]:
    """Relative path (``manifest.json``, ``catalog/<bucket>/<fqn>.json``) -> document. Paths are
    checked and placed by the writer; here they are only named."""
    out: dict[str, dict[str, Any]] = {"manifest.json": manifest_document(discovered)}
    by_fqn = {(o.kind, o.fqn): o for o in discovered.objects}
    for fqn, facts in sorted(discovered.tables.items()):
        inference = analysis.tables.get(fqn)
        if facts.kind == "view":
            out[f"catalog/views/{fqn}.json"] = view_document(facts, by_fqn.get(("view", fqn)), inference)
        else:
            out[f"catalog/tables/{fqn}.json"] = table_document(facts, inference, discovered)
    for obj in discovered.procedures():
        out[f"catalog/procedures/{obj.fqn}.json"] = procedure_document(obj, analysis.procedures.get(obj.fqn))
    return out
