"""Reading the raw warehouse code: GO-separated scripts (``ddl/tables.sql``, ``ddl/procedures.sql``)
or any folder of ``.sql`` files (an SSDT project: one object per file, UTF-8 with or without a
BOM, UTF-16 with a BOM, bracketed names with spaces) -> ``Discovered``.

Every batch is tokenized with sqlglot's T-SQL tokenizer; each top-level CREATE/ALTER starts an
object. A batch that cannot be read (unterminated string, comment or bracket, a BEGIN without its
END, an unclosed column list, unknown syntax) becomes a ``Problem`` with its file and line, its
name located when possible, and reading goes on with the rest. Sequences, indexes that are not
unique, triggers, types and other objects dbt has no use for are noted and left out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from .ddl_facts import Constraint, alter_table_constraints, apply_constraints, table_facts, unique_index, view_facts
from .model import Discovered, ObjectKind, Problem, SqlObject, TableFacts
from .tokens import Batch, decode, read_name, schema_and_name, split_batches, token_error_line, tokenize, upper

MODULES: dict[str, ObjectKind] = {"PROCEDURE": "procedure", "FUNCTION": "function", "VIEW": "view"}
# Statements a deployment script holds between objects: read past without a note.
LOOSE_STATEMENTS = {
    "SET", "EXEC", "EXECUTE", "PRINT", "USE", "IF", "DECLARE", "INSERT", "UPDATE", "DELETE", "MERGE",
    "SELECT", "WITH", "DROP", "GRANT", "DENY", "REVOKE", "BEGIN", "COMMIT", "ROLLBACK", "TRUNCATE",
    "RAISERROR", "THROW", "ENABLE", "DISABLE", "DBCC", "WHILE", "RETURN", "SEMICOLON", ";", "GO",
}  # fmt: skip
SKIPPED_DIRS = {"dbt_packages", "target", "node_modules", "bin", "obj"}
_HEADER = re.compile(
    r"\b(?:CREATE|ALTER)\s+(?:OR\s+ALTER\s+)?(?P<kind>PROC(?:EDURE)?|FUNCTION|VIEW|TABLE|TRIGGER|SEQUENCE)\s+"
    r"(?P<name>(?:\[[^\]]*\]|\"[^\"]*\"|[\w@#$]+)(?:\s*\.\s*(?:\[[^\]]*\]|\"[^\"]*\"|[\w@#$]+))*)",
    re.IGNORECASE,
)


def sql_files(root: Path) -> list[Path]:
    """The ``.sql`` files under ``root`` (or ``root`` itself), in a stable order; hidden folders,
    build output and dbt projects are left out."""
    if root.is_file():
        return [root]
    out: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in SKIPPED_DIRS and not (here / d / "dbt_project.yml").exists()
        )
        out += [here / f for f in sorted(files) if f.lower().endswith(".sql")]
    return out


def read_inputs(root: Path) -> Discovered:
    """Everything under ``root`` (a folder or one script) read into objects, DDL facts and problems."""
    root = Path(root)
    reader = _Reader()
    for path in sql_files(root):
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        try:
            text = decode(path.read_bytes())
        except OSError as exc:
            reader.problems.append(Problem(rel, 1, f"cannot read: {exc.strerror or exc}"))
            continue
        for batch in split_batches(text):
            reader.batch(rel, batch)
    return reader.result()


@dataclass
class _Segment:
    tokens: list[Token]
    start: int  # index of CREATE/ALTER
    end: int  # exclusive


class _Reader:
    def __init__(self) -> None:
        self.objects: list[SqlObject] = []
        self.seen: dict[tuple[str, str], SqlObject] = {}  # (kind, fqn) -> the first definition
        self.tables: dict[str, TableFacts] = {}
        self.constraints: list[tuple[str, list[Constraint], str, int]] = []  # table, constraints, file, line
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def result(self) -> Discovered:
        for fqn, constraints, file, line in self.constraints:
            if fqn in self.tables:
                self.tables[fqn] = apply_constraints(self.tables[fqn], constraints)
            else:
                self.notes.append(f"{file}:{line}: constraint on {fqn}, a table the input does not create: ignored")
        return Discovered(self.objects, self.tables, self.problems, self.notes)

    def batch(self, file: str, batch: Batch) -> None:
        try:
            tokens = tokenize(batch.text)
        except TokenError as exc:
            line = batch.line + token_error_line(exc, batch.text) - 1
            head = _HEADER.search(batch.text)
            name = _located(head[2]) if head else None
            self.problems.append(Problem(file, line, f"cannot read the batch: {_token_message(exc)}", name))
            return
        if not tokens:
            return
        segments = list(_segments(tokens))
        loose_end = segments[0].start if segments else len(tokens)
        if loose_end and upper(tokens[0]) not in LOOSE_STATEMENTS and tokens[0].token_type.name not in LOOSE_STATEMENTS:
            words = " ".join(t.text for t in tokens[: min(loose_end, 4)])
            line = batch.line + tokens[0].line - 1
            self.problems.append(Problem(file, line, f"unknown syntax: cannot read '{words[:60]}'; batch skipped"))
            return
        for seg in segments:
            self.segment(file, batch, seg)

    def segment(self, file: str, batch: Batch, seg: _Segment) -> None:
        tokens, i = seg.tokens, seg.start
        line = batch.line + tokens[i].line - 1
        sql = batch.text[tokens[i].start : tokens[seg.end - 1].end + 1]
        words = [upper(t) for t in tokens[i : i + 5]]
        is_alter = words[0] == "ALTER"
        j = i + 1
        if not is_alter and len(words) > 2 and words[1] == "OR" and words[2] == "ALTER":
            j = i + 3
        word = upper(tokens[j]) if j < len(tokens) else ""
        kind_token = tokens[j].token_type if j < len(tokens) else None
        if kind_token == TokenType.PROCEDURE or word in ("FUNCTION", "VIEW"):
            kind = MODULES["PROCEDURE" if kind_token == TokenType.PROCEDURE else word]
            self.module(file, line, sql, kind, tokens, j + 1, seg.end)
        elif word == "TABLE" and is_alter:
            fqn, constraints = alter_table_constraints(tokens[: seg.end], j + 1)
            if constraints:
                self.constraints.append((fqn, constraints, file, line))
        elif word == "TABLE":
            self.table(file, line, sql, tokens[: seg.end], j + 1)
        elif any(t.token_type == TokenType.INDEX for t in tokens[j : min(j + 4, seg.end)]):
            k = next(n for n in range(j, seg.end) if tokens[n].token_type == TokenType.INDEX)
            found = unique_index(tokens[: seg.end], k + 1) if word == "UNIQUE" else None
            if found:  # other indexes say nothing dbt uses
                self.constraints.append((found[0], [found[1]], file, line))
        elif not is_alter:
            parts, _ = read_name(tokens, j + 1)
            schema, name = schema_and_name(parts)
            self.objects.append(SqlObject("other", schema, name, sql, file, line))
            self.notes.append(f"{file}:{line}: {word.lower()} {schema}.{name} ignored (not a table, view or routine)")

    def module(self, file: str, line: int, sql: str, kind: ObjectKind, tokens: list[Token], j: int, end: int) -> None:
        schema, name = schema_and_name(read_name(tokens, j)[0])
        obj = SqlObject(kind, schema, name, sql, file, line)
        open_at = _unclosed_begin(tokens[j:end]) if kind != "view" else None
        if open_at is not None:
            at = line + open_at.line - tokens[j - 1].line
            self.problems.append(
                Problem(file, at, "unterminated batch: this BEGIN has no END before the batch ends", obj.fqn)
            )
            return
        if not self.new(obj):
            return
        self.objects.append(obj)
        if kind == "view":
            self.tables[obj.fqn] = view_facts(obj)

    def table(self, file: str, line: int, sql: str, tokens: list[Token], j: int) -> None:
        schema, name = schema_and_name(read_name(tokens, j)[0])
        if name.startswith("#"):
            return  # a temporary table of a script: no catalog
        obj = SqlObject("table", schema, name, sql, file, line)
        # table_facts reads the object's own text: token offsets from the object's first token
        shifted = [_shift(t, tokens[j - 2].start) for t in tokens[j - 2 :]]
        facts = table_facts(obj, shifted, 2)
        if facts is None:
            self.problems.append(Problem(file, line, "unterminated batch: the column list is not closed", obj.fqn))
            return
        if not self.new(obj):
            return
        self.objects.append(obj)
        self.tables[obj.fqn] = facts

    def new(self, obj: SqlObject) -> bool:
        """False (and a problem) when an object of that name was read already (the first is kept)."""
        other = self.seen.setdefault((obj.kind, obj.fqn), obj)
        if other is obj:
            return True
        message = f"defined again (first in {other.file}:{other.line}); this one ignored"
        self.problems.append(Problem(obj.file, obj.line, message, obj.fqn))
        return False


def _shift(t: Token, by: int) -> Token:
    return Token(t.token_type, t.text, t.line, t.col, t.start - by, t.end - by, t.comments)


def _segments(tokens: list[Token]) -> Iterator[_Segment]:
    """One segment per top-level CREATE/ALTER; a module (procedure, function, view, trigger) runs
    to the end of its batch (its body may hold CREATE TABLE #tmp)."""
    starts: list[int] = []
    depth = 0
    for idx, t in enumerate(tokens):
        depth += t.token_type == TokenType.L_PAREN
        depth -= t.token_type == TokenType.R_PAREN
        if depth == 0 and t.token_type in (TokenType.CREATE, TokenType.ALTER):
            starts.append(idx)
            if _is_module(tokens, idx):
                break
    for n, s in enumerate(starts):
        yield _Segment(tokens, s, starts[n + 1] if n + 1 < len(starts) else len(tokens))


def _is_module(tokens: list[Token], i: int) -> bool:
    for t in tokens[i + 1 : i + 4]:
        if t.token_type in (TokenType.PROCEDURE, TokenType.FUNCTION, TokenType.VIEW, TokenType.TRIGGER):
            return True
        if upper(t) not in ("OR", "ALTER"):
            return False
    return False


def _unclosed_begin(tokens: list[Token]) -> Token | None:
    """The outermost BEGIN (or CASE) left open at the end of a routine's tokens, else None.
    ``BEGIN TRAN``/``BEGIN TRANSACTION``/``BEGIN DISTRIBUTED`` open no block."""
    stack: list[Token] = []
    for n, t in enumerate(tokens):
        if t.token_type == TokenType.BEGIN:
            following = upper(tokens[n + 1]) if n + 1 < len(tokens) else ""
            if following not in ("TRAN", "TRANSACTION", "DISTRIBUTED", "DIALOG", "CONVERSATION"):
                stack.append(t)
        elif t.token_type == TokenType.CASE:
            stack.append(t)
        elif t.token_type == TokenType.END and stack:
            stack.pop()
    return stack[0] if stack else None


def _located(name: str) -> str:
    parts = [p.strip().strip('[]"') for p in re.split(r"\s*\.\s*(?=[\[\"\w@#$])", name)]
    return ".".join(schema_and_name(parts)).lower()


def _token_message(exc: TokenError) -> str:
    text = str(exc).split("\n")[0]
    return "unterminated string, comment or bracketed name" if "Error tokenizing" in text else text
