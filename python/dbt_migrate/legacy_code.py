"""Where a target's legacy logic comes from: its writer procedure, its slice of a multi-table
writer (``table_slices``), or a view's own body (``catalog/views/``). Pure: catalogs in, one
``LegacyCode`` out; a missing piece is an ``InputError`` / ``NotReadyError`` naming the file."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlglot

from .catalog import MigrationProject, ReferencedTable, Statement, TableCatalog
from .errors import InputError, NotReadyError
from .escaping import check_name
from .names import normalize_name

SLICE_MISSING = "slice_missing"


@dataclass
class LegacyCode:
    writer: str  # schema.name of the procedure, or of the view itself
    writer_key: str  # the catalog file stem of the writer (for messages)
    statements: list[Statement]
    proc_body_key: str | None  # key into ddl/procedures.sql; None: no body to scan (view, slice)
    refactored_sql: str | None
    references: list[ReferencedTable] = field(default_factory=list)
    needs_llm: bool = False
    routing_reasons: list[str] = field(default_factory=list)
    origin: str = "procedure"  # procedure | slice | view
    writer_statements: list[Statement] = field(default_factory=list)  # a slice's writer: the record
    file: str = ""  # the catalog file the statements come from


def split_statements(sql: str, dialect: str) -> list[Statement]:
    """A slice's SQL (one or more statements) as migrate statements; unparseable text stays one
    statement, so conversion names the parse error."""
    try:
        trees = [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
    except sqlglot.errors.SqlglotError:
        return [Statement(type="", action="migrate", sql=sql)]
    return [Statement(type=type(t).__name__, action="migrate", sql=t.sql(dialect)) for t in trees]


def legacy_code_for(mp: MigrationProject, table: TableCatalog, dialect: str) -> LegacyCode:
    path = mp.root / "catalog" / ("views" if table.is_view else "tables") / f"{table.key}.json"
    if table.is_view:
        table.need("view_sql", "references", "refactor")
        if not (table.view_sql or "").strip():
            raise NotReadyError(f"view {table.schema_}.{table.name} has no 'sql' in {path}: nothing to convert")
        references = table.references.in_scope if table.references else []
        return LegacyCode(
            writer=f"{table.schema_}.{table.name}",
            writer_key=table.key,
            statements=[Statement(type="Select", action="migrate", sql=table.view_sql or "")],
            proc_body_key=None,
            refactored_sql=table.refactor.refactored_sql if table.refactor else None,
            references=references,
            origin="view",
            file=str(path),
        )
    table.need("scoping")
    writer_name = table.scoping.selected_writer if table.scoping else None
    if not writer_name:
        raise NotReadyError(
            f"{table.schema_}.{table.name} has no selected writer (scoping.selected_writer in {path}): "
            "run scoping upstream first"
        )
    check_name(writer_name, field="scoping.selected_writer", file=path)
    proc = mp.procedure(writer_name)
    proc_path = mp.root / "catalog" / "procedures" / f"{normalize_name(writer_name)}.json"
    if proc is None:
        raise InputError(f"writer {writer_name} of {table.schema_}.{table.name} has no catalog: expected {proc_path}")
    refactored = (proc.refactor.refactored_sql if proc.refactor else None) or (
        table.refactor.refactored_sql if table.refactor else None
    )
    code = LegacyCode(
        writer=f"{proc.schema_}.{proc.name}",
        writer_key=proc.key,
        statements=list(proc.statements),
        proc_body_key=proc.key,
        refactored_sql=refactored,
        references=proc.references.in_scope,
        needs_llm=proc.needs_llm,
        routing_reasons=proc.routing_reasons,
        file=str(proc_path),
    )
    if proc.table_slices:
        sliced = proc.slice_for(table.key)
        if sliced is None:
            raise NotReadyError(
                f"{SLICE_MISSING}: writer {writer_name} is a multi-table writer (table_slices in {proc_path}) "
                f"with no slice for {table.schema_}.{table.name}; re-run scoping upstream to slice it"
            )
        # The writer's refactored SQL is of the whole procedure, not of this target's slice.
        statements = split_statements(sliced, dialect)
        return replace(
            code,
            statements=statements,
            proc_body_key=None,
            refactored_sql=None,
            origin="slice",
            writer_statements=list(proc.statements),
        )
    if not proc.migrate_statements:
        raise NotReadyError(
            f"writer {writer_name} has no statements with action 'migrate' "
            f"({mp.root / 'catalog' / 'procedures'}): nothing to convert"
        )
    return code
