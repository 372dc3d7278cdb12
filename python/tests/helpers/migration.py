"""Migration projects written from plain data, and the conversion fixture cases of fixtures/convert/.

``write_migration_project`` lays out the files of FORMATS.md (manifest.json, catalog/tables,
catalog/procedures, test-specs, ddl/) from dicts. ``ConvertCase`` reads one ``<case>.sql``: a header
of ``-- key: value`` lines, then the writer procedure's T-SQL statements, each ending with ``;`` at
the end of a line (fixtures/convert/README.md). ``convert_fixture`` turns a case into the model SQL
the converter produces, with no dbt: catalogs in a temporary folder, ``build_context`` and
``convert_context``.

Print a case's model (to write its ``.expected.sql``)::

    PYTHONPATH=python/tests .venv/bin/python -m helpers.migration python/tests/fixtures/convert/<case>.sql
"""

from __future__ import annotations

import json
import sys
import tempfile
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.context import build_context
from dbt_migrate.convert import convert_context
from dbt_migrate.ddl import parse_tables
from dbt_migrate.names import normalize_name, split_name
from dbt_migrate.warehouse import DbtInfo, Warehouse

MANIFEST = {"technology": "sql_server", "dialect": "tsql"}


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_migration_project(
    root: Path,
    *,
    tables: Iterable[dict] = (),
    procedures: Iterable[dict] = (),
    test_specs: Iterable[dict] = (),
    tables_ddl: str = "",
    procedures_ddl: str = "",
    manifest: dict | None = None,
) -> Path:
    """A migration project at ``root``: each catalog / test spec under its lower-case file name."""
    _dump(root / "manifest.json", manifest or MANIFEST)
    for table in tables:
        _dump(root / "catalog" / "tables" / f"{normalize_name(table['schema'] + '.' + table['name'])}.json", table)
    for proc in procedures:
        _dump(root / "catalog" / "procedures" / f"{normalize_name(proc['schema'] + '.' + proc['name'])}.json", proc)
    for spec in test_specs:
        _dump(root / "test-specs" / f"{normalize_name(spec['item_id'])}.json", spec)
    (root / "ddl").mkdir(parents=True, exist_ok=True)
    (root / "ddl" / "tables.sql").write_text(tables_ddl, encoding="utf-8")
    (root / "ddl" / "procedures.sql").write_text(procedures_ddl, encoding="utf-8")
    return root


# -- conversion fixture cases ------------------------------------------------------------------

HEADER_KEYS = ("about", "target", "classification", "unique_key", "watermark", "adapter")
STATEMENT_TYPES = {
    exp.Insert: "Insert",
    exp.Merge: "Merge",
    exp.Update: "Update",
    exp.Delete: "Delete",
    exp.TruncateTable: "TruncateTable",
    exp.Drop: "DropTable",
    exp.Declare: "Declare",
    exp.Create: "Create",
}


def _split_statements(body: str) -> list[str]:
    """Statements end with ``;`` at the end of a line; full-line ``--`` comments are left out."""
    statements, current = [], []
    for line in body.splitlines():
        if line.strip().startswith("--") or (not current and not line.strip()):
            continue
        current.append(line.rstrip())
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).rstrip(";").strip())
            current = []
    if "".join(current).strip():
        raise ValueError(f"statement without a closing ';' at the end of a line: {' '.join(current)[:80]}")
    return statements


def _parse(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read="tsql")
    except sqlglot.errors.ParseError:
        return None  # the converter says what it cannot read


def _statement_type(tree: exp.Expression | None) -> str:
    if isinstance(tree, exp.Select) and tree.args.get("into") is not None:
        return "SelectInto"
    for node, name in STATEMENT_TYPES.items():
        if isinstance(tree, node):
            return name
    return tree.key.title() if tree is not None else "Unknown"


def _written_table(tree: exp.Expression | None) -> exp.Table | None:
    if isinstance(tree, exp.Select) and tree.args.get("into") is not None:
        node = tree.args["into"].this
    elif isinstance(tree, (exp.Insert, exp.Merge, exp.Update)):
        node = tree.this
    else:
        return None
    node = node.this if isinstance(node, exp.Schema) else node
    return node if isinstance(node, exp.Table) else None


@dataclass
class ConvertCase:
    """One ``fixtures/convert/<case>.sql``: header settings, DDL of the tables, writer statements."""

    name: str
    target: str
    classification: str
    statements: list[str]
    ddl: list[str] = field(default_factory=list)  # CREATE TABLE of permanent tables -> ddl/tables.sql
    unique_key: list[str] = field(default_factory=list)
    watermark: str | None = None
    adapter: str = "duckdb"

    @classmethod
    def read(cls, path: Path) -> ConvertCase:
        lines = path.read_text(encoding="utf-8").splitlines()
        settings: dict[str, str] = {}
        n = 0
        while n < len(lines) and lines[n].startswith("--"):
            key, sep, value = lines[n][2:].partition(":")
            key = key.strip()
            if not sep or key not in HEADER_KEYS:
                raise ValueError(f"{path}:{n + 1}: header lines are '-- key: value' with key in {HEADER_KEYS}")
            settings[key] = value.strip()
            n += 1
        for required in ("target", "classification"):
            if required not in settings:
                raise ValueError(f"{path}: header needs '-- {required}: ...'")
        ddl, statements = [], []
        for sql in _split_statements("\n".join(lines[n:])):
            tree = _parse(sql)
            created = tree.find(exp.Table) if isinstance(tree, exp.Create) and tree.kind == "TABLE" else None
            (ddl if created is not None and created.db else statements).append(sql)  # #temp: a statement
        return cls(
            name=path.name.removesuffix(".sql"),
            target=settings["target"],
            classification=settings["classification"],
            statements=statements,
            ddl=ddl,
            unique_key=[c.strip() for c in settings.get("unique_key", "").split(",") if c.strip()],
            watermark=settings.get("watermark") or None,
            adapter=settings.get("adapter") or "duckdb",
        )

    @property
    def writer(self) -> str:
        schema, name = split_name(self.target)
        return f"{schema}.usp_load_{name}"

    def _references(self) -> list[dict]:
        """Every schema-qualified table the statements name: updated when written, selected when read."""
        refs: dict[str, dict] = {}
        for sql in self.statements:
            tree = _parse(sql)
            written = _written_table(tree)
            for table in tree.find_all(exp.Table) if tree is not None else ():
                if not table.db:
                    continue  # CTEs, #temp tables, @table variables
                ref = refs.setdefault(
                    normalize_name(f"{table.db}.{table.name}"),
                    {"schema": table.db, "name": table.name, "is_selected": False, "is_updated": False, "columns": []},
                )
                ref["is_updated" if table is written else "is_selected"] = True
        return list(refs.values())

    def write_project(self, root: Path) -> Path:
        return write_cases_project(root, [self])

    def catalogs(self) -> tuple[dict, dict, str, str]:
        """(table catalog, procedure catalog, tables DDL, procedures DDL) of this case."""
        schema, name = split_name(self.target)
        proc_schema, proc_name = split_name(self.writer)
        ddl_text = "".join(f"{sql};\nGO\n" for sql in self.ddl)
        columns = parse_tables(ddl_text).get(normalize_name(self.target), [])
        profile: dict[str, Any] = {"classification": {"resolved_kind": self.classification}}
        if self.unique_key:
            profile["natural_key"] = self.unique_key
        if self.watermark:
            profile["watermark"] = {"column": self.watermark}
        table = {
            "schema": schema,
            "name": name,
            "columns": [
                {"name": c.name, "sql_type": c.sql_type, "is_nullable": c.is_nullable, "is_identity": c.is_identity}
                for c in columns
            ],
            "scoping": {"status": "resolved", "selected_writer": self.writer},
            "profile": profile,
            "is_source": False,
        }
        procedure = {
            "schema": proc_schema,
            "name": proc_name,
            "references": {"tables": {"in_scope": self._references()}},
            "mode": "deterministic",
            "needs_llm": False,
            "routing_reasons": [],
            "statements": [
                {"type": _statement_type(_parse(sql)), "action": "migrate", "sql": sql} for sql in self.statements
            ],
        }
        body = "".join(textwrap.indent(f"{sql};\n", "    ") for sql in self.statements)
        procedures_ddl = (
            f"CREATE PROCEDURE [{proc_schema}].[{proc_name}]\nAS\nBEGIN\n    SET NOCOUNT ON;\n{body}END;\nGO\n"
        )
        return table, procedure, ddl_text, procedures_ddl


def write_cases_project(root: Path, cases: list[ConvertCase]) -> Path:
    """One migration project holding the targets of several cases (``fixtures/loads`` share one)."""
    parts = [case.catalogs() for case in cases]
    return write_migration_project(
        root,
        tables=[p[0] for p in parts],
        procedures=[p[1] for p in parts],
        tables_ddl="".join(p[2] for p in parts),
        procedures_ddl="".join(p[3] for p in parts),
    )


def convert_fixture(path: Path, workdir: Path | None = None) -> str:
    """The model SQL the converter produces for the case at ``path`` (no dbt involved)."""
    case = ConvertCase.read(Path(path))
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        wh = Warehouse(MigrationProject(case.write_project(Path(tmp) / case.name)), DbtInfo(adapter_type=case.adapter))
        conv = convert_context(build_context(wh, case.target), wh)
    if not conv.ok:
        raise AssertionError(f"{path}: not converted: {conv.error}: {conv.construct}")
    return conv.sql


if __name__ == "__main__":
    sys.stdout.write(convert_fixture(Path(sys.argv[1])))


def wide_table_project(root: Path, n: int) -> Path:
    """A migration project whose one target ``silver.Wide`` has ``n`` columns, loaded by a plain
    INSERT...SELECT from ``bronze.WideSrc`` (same columns), with a one-row test spec over all of
    them. For the scale checks of context building and conversion (bench/bench_columns.py)."""
    cols = [f"Col{i}" for i in range(n)]
    ddl_cols = ",\n".join(f"    [{c}] INT NULL" for c in cols)
    tables_ddl = (
        f"CREATE TABLE [bronze].[WideSrc] (\n{ddl_cols}\n);\nGO\nCREATE TABLE [silver].[Wide] (\n{ddl_cols}\n);\nGO\n"
    )
    col_list = ", ".join(cols)
    insert = f"INSERT INTO silver.Wide ({col_list}) SELECT {', '.join(f's.{c}' for c in cols)} FROM bronze.WideSrc AS s"
    row = {c: i for i, c in enumerate(cols)}
    table = {
        "schema": "silver",
        "name": "Wide",
        "columns": [{"name": c, "sql_type": "INT", "is_nullable": True} for c in cols],
        "scoping": {"status": "resolved", "selected_writer": "silver.usp_load_Wide"},
        "profile": {"classification": {"resolved_kind": "dim_non_scd"}, "natural_key": [cols[0]]},
    }
    procedure = {
        "schema": "silver",
        "name": "usp_load_Wide",
        "references": {
            "tables": {
                "in_scope": [
                    {
                        "schema": "bronze",
                        "name": "WideSrc",
                        "is_selected": True,
                        "columns": [{"name": c} for c in cols],
                    },
                    {"schema": "silver", "name": "Wide", "is_updated": True, "columns": [{"name": c} for c in cols]},
                ]
            }
        },
        "statements": [{"type": "Insert", "action": "migrate", "sql": insert}],
    }
    spec = {
        "item_id": "silver.wide",
        "unit_tests": [
            {
                "name": "test_wide_copies_every_column",
                "given": [{"table": "bronze.WideSrc", "rows": [row]}],
                "expect": {"rows": [row]},
            }
        ],
    }
    procedures_ddl = f"CREATE PROCEDURE [silver].[usp_load_Wide]\nAS\nBEGIN\n    {insert};\nEND;\nGO\n"
    return write_migration_project(
        root,
        tables=[table],
        procedures=[procedure],
        test_specs=[spec],
        tables_ddl=tables_ddl,
        procedures_ddl=procedures_ddl,
    )
