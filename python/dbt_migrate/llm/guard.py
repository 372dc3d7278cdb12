"""The answer check: an LLM answer is plain SQL, read as data, never as a template.

The model is asked for one SELECT over the legacy table names. Before anything is written the
answer must pass, in this order (the first failure names the reason, ``<code>: <detail>``):

1. ``jinja``: no Jinja delimiter (``{{ {% {# }} %} #}``) outside SQL comments. Comments are
   dropped, so Jinja inside one is neutralised rather than rejected;
2. ``parse``: sqlglot reads it in the answer dialect as exactly one statement, a query
   (``not_select``), with no DDL/DML or ``SELECT ... INTO`` anywhere in it (``write``);
3. ``table``: every table read is an allowed input (CTE names are not tables), written as a plain
   name (no file paths, no table functions: ``table_function``);
4. ``function``: no function on the deny list (file readers, SQL-in-a-string, settings and
   environment, extension loading, warehouse-side system procedures);
5. ``placeholder``: no identifier that looks like dbt-migrate's own placeholders.

dbt-migrate then emits every piece of Jinja itself (``convert.model_from_query``), and the text of
the checked tree as the target dialect writes it is scanned once more for delimiters and denied
function names.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from ..names import normalize_name

DELIMITERS = ("{{", "{%", "{#", "}}", "%}", "#}")
PLACEHOLDER_PREFIX = "__dbtm"

WRITE_NODES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Drop,
    exp.Create,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
    exp.Copy,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Into,
)

# Functions no model needs and an attacker wants: file and network readers, SQL hidden in a string,
# settings and the environment, extension loading, warehouse system procedures.
DENIED_FUNCTIONS = frozenset(
    {
        # DuckDB
        "read_csv",
        "read_csv_auto",
        "read_text",
        "read_blob",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "read_parquet",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "sniff_csv",
        "glob",
        "query",
        "query_table",
        "json_execute_serialized_sql",
        "getenv",
        "current_setting",
        "set_config",
        "which_secret",
        "load",
        "install",
        "attach",
        "detach",
        "copy",
        "pragma",
        "checkpoint",
        "force_checkpoint",
        "export_database",
        "import_database",
        "http_get",
        "http_post",
        # Postgres
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "pg_sleep",
        "lo_import",
        "lo_export",
        "dblink",
        "dblink_exec",
        # SQL Server
        "openrowset",
        "opendatasource",
        "openquery",
        "openxml",
        # Spark / Databricks
        "read_files",
        "reflect",
        "java_method",
        "secret",
    }
)
DENIED_PREFIXES = ("read_", "duckdb_", "pg_", "xp_", "sp_", "system$", "system_", "sqlite_", "mysql_", "postgres_")
DENIED_SUFFIXES = ("_scan",)
# Table functions (a function in FROM / APPLY) are refused unless listed here.
ALLOWED_TABLE_FUNCTIONS = frozenset({"unnest", "generate_series"})


class AnswerRejected(Exception):
    """The answer may not become a model; ``reason`` is ``<code>: <detail>``."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.reason = f"{code}: {detail}"


def _delimiter_in(text: str) -> str | None:
    return next((d for d in DELIMITERS if d in text), None)


def text_without_comments(sql: str, dialect: str) -> str:
    """The answer as its tokens see it: comments dropped, tokens kept with their spacing."""
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except sqlglot.errors.SqlglotError as exc:
        raise AnswerRejected("parse", f"the SQL does not tokenize ({dialect}): {str(exc).splitlines()[0]}") from None
    pieces: list[str] = []
    pos = 0
    for tok in tokens:
        if pieces and tok.start > pos:
            pieces.append(" ")  # whitespace or a comment between tokens: one space
        pieces.append(sql[tok.start : tok.end + 1])
        pos = tok.end + 1
    return "".join(pieces)


def parse_answer(sql: str, dialect: str) -> exp.Query:
    """Steps 1 and 2: one query, no Jinja outside comments, no writes; comments removed."""
    text = text_without_comments(sql, dialect)
    found = _delimiter_in(text)
    if found:
        what = "answers are plain SQL; dbt-migrate writes the Jinja"
        raise AnswerRejected("jinja", f"the answer contains '{found}' outside a comment ({what})")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise AnswerRejected("parse", f"the SQL does not parse ({dialect}): {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise AnswerRejected("not_select", f"expected exactly one SELECT statement, found {len(statements)}")
    tree = statements[0]
    writes = sorted({n.key.upper() for n in tree.walk() if isinstance(n, WRITE_NODES)})
    if writes:
        raise AnswerRejected("write", f"DDL/DML or SELECT INTO is not allowed in a model: {', '.join(writes)}")
    if not isinstance(tree, exp.Query):
        raise AnswerRejected("not_select", f"a model is one SELECT, got {tree.key.upper()}")
    for node in tree.walk():
        node.comments = None
    return tree


def _function_names(node: exp.Func) -> set[str]:
    names = {n.lower() for n in type(node).sql_names()} if not isinstance(node, exp.Anonymous) else set()
    if isinstance(node, exp.Anonymous):
        names.add(str(node.name).lower())
    return names


def is_denied(name: str) -> bool:
    name = name.lower()
    return name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES) or name.endswith(DENIED_SUFFIXES)


def _cte_names(tree: exp.Expr) -> set[str]:
    return {cte.alias.lower() for cte in tree.find_all(exp.CTE)}


def _check_tables(tree: exp.Query, allowed: set[str]) -> None:
    ctes = _cte_names(tree)
    for table in tree.find_all(exp.Table):
        target = table.this
        if not isinstance(target, exp.Identifier):
            names = _function_names(target) if isinstance(target, exp.Func) else {target.key}
            if not names & ALLOWED_TABLE_FUNCTIONS or any(is_denied(n) for n in names):
                raise AnswerRejected(
                    "table_function", f"'{sorted(names)[0]}' in FROM: a model reads tables, not table functions"
                )
            continue
        if not table.db and table.name.lower() in ctes:
            continue  # a CTE of the answer, not a table
        key = normalize_name(f"{table.db}.{table.name}" if table.db else table.name)
        if key not in allowed:
            written = f"{table.db}.{table.name}" if table.db else table.name
            shown = ", ".join(sorted(allowed)[:12]) + (", ..." if len(allowed) > 12 else "")
            raise AnswerRejected("table", f"'{written}' is not an input of this table (allowed: {shown})")
    for lateral in tree.find_all(exp.Lateral):
        body = lateral.this
        if isinstance(body, exp.Func):
            names = _function_names(body)
            if not names & ALLOWED_TABLE_FUNCTIONS or any(is_denied(n) for n in names):
                name = sorted(names)[0]
                raise AnswerRejected(
                    "table_function", f"'{name}' in APPLY/LATERAL: a model reads tables, not functions"
                )


def _check_functions(tree: exp.Query) -> None:
    for node in tree.find_all(exp.Func):
        denied = sorted(n for n in _function_names(node) if is_denied(n))
        if denied:
            raise AnswerRejected(
                "function", f"'{denied[0]}' is not allowed in a model (files, settings, SQL in a string)"
            )


def _check_placeholders(tree: exp.Query) -> None:
    for ident in tree.find_all(exp.Identifier):
        if str(ident.name).lower().startswith(PLACEHOLDER_PREFIX):
            raise AnswerRejected("placeholder", f"identifier '{ident.name}' is reserved for dbt-migrate's placeholders")


def check_rendered(tree: exp.Expr, dialect: str) -> None:
    """The checked tree as the target dialect writes it: still no delimiter, no denied call."""
    text = tree.sql(dialect=dialect)
    found = _delimiter_in(text)
    if found:
        raise AnswerRejected("jinja", f"the SQL written for {dialect} contains '{found}'")
    tokens = sqlglot.tokenize(text, read=dialect)
    for tok, nxt in zip(tokens, tokens[1:]):
        if nxt.token_type == TokenType.L_PAREN and is_denied(tok.text):
            raise AnswerRejected("function", f"'{tok.text.lower()}' is not allowed in a model ({dialect})")


def checked_query(sql: str, allowed: set[str], dialect: str) -> exp.Query:
    """Every check of the answer text and tree; raises ``AnswerRejected`` with the first reason."""
    tree = parse_answer(sql, dialect)
    _check_tables(tree, {normalize_name(a) for a in allowed})
    _check_functions(tree)
    _check_placeholders(tree)
    return tree
