"""T-SQL text as sqlglot tokens: decoding files, splitting GO batches, reading dotted names, and
splitting parenthesised lists. Shared by the input reader and the DDL reader (pure functions)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from sqlglot.dialects.tsql import TSQL
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

_DIALECT = TSQL()


class Tokenizer(TSQL.Tokenizer):
    """T-SQL's tokenizer with ``END`` (and ``FETCH``) always a keyword: sqlglot reads ``END`` after
    ``;`` or ``BEGIN`` as a command and swallows the rest of the text as its argument (``...; END
    END``, ``END CATCH ...``), so a routine's blocks would not balance."""

    COMMANDS = TSQL.Tokenizer.COMMANDS - {TokenType.END, TokenType.FETCH}


_GO = re.compile(r"^[ \t]*GO(?:[ \t]+\d+)?[ \t]*(?:--.*)?$", re.IGNORECASE)
# sqlcmd directives SSDT deployment scripts hold (`:r .\\file.sql`, `:setvar`): not T-SQL, read past.
_SQLCMD = re.compile(r"^[ \t]*:(?:r|setvar|on[ \t]+error|connect|out|error)\b", re.IGNORECASE)
_NAME_END = {TokenType.DOT, TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA, TokenType.SEMICOLON}


def decode(data: bytes) -> str:
    """File bytes as text: UTF-16 with a BOM (SSDT writes it sometimes), UTF-8 with or without a
    BOM, else Windows-1252 (older scripts); never fails."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class Batch:
    text: str
    line: int  # 1-based line of the batch's first line in its file


def split_batches(text: str) -> list[Batch]:
    """The GO-separated batches of a script (``GO`` alone on a line, optionally with a count or a
    comment). A ``GO`` line inside a block comment still splits, as it does in sqlcmd."""
    batches: list[Batch] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if _SQLCMD.match(line):
            current.append("")  # keeps the line numbers
        elif _GO.match(line):
            batches.append(Batch("\n".join(current), start))
            current, start = [], number + 1
        else:
            current.append(line)
    batches.append(Batch("\n".join(current), start))
    return [b for b in batches if b.text.strip()]


def tokenize(sql: str) -> list[Token]:
    """sqlglot's T-SQL tokens (comments dropped); raises ``TokenError`` on an unterminated string,
    bracket or comment."""
    return list(Tokenizer(dialect=_DIALECT).tokenize(sql))


def token_error_line(exc: TokenError, sql: str) -> int:
    """The batch line a tokenizer error points at (its message quotes the text near the error)."""
    quoted = re.search(r"Error tokenizing '(.*)'", str(exc), re.DOTALL)
    if quoted:
        snippet = quoted[1][-20:]
        at = sql.rfind(snippet) if snippet else -1
        if at >= 0:
            return sql.count("\n", 0, at) + 1
    return 1


def upper(token: Token) -> str:
    return token.text.upper()


def keyword(token: Token) -> str:
    """A keyword's upper text; '' for a string or a quoted identifier (``[NULL]`` and ``'AS'`` are
    values, not keywords)."""
    return "" if token.token_type in (TokenType.STRING, TokenType.IDENTIFIER) else token.text.upper()


def read_name(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """A dotted name starting at ``tokens[i]`` (``[a b].c``, ``"x"``, ``db.schema.name``): its parts
    unquoted and the index after it."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].token_type not in _NAME_END:
        parts.append(tokens[i].text)
        i += 1
        if i < len(tokens) and tokens[i].token_type == TokenType.DOT:
            i += 1
            continue
        break
    return parts, i


def schema_and_name(parts: list[str]) -> tuple[str, str]:
    """The last two parts of a dotted name; ``dbo`` when unqualified."""
    if not parts:
        return "dbo", ""
    return (parts[-2] if len(parts) >= 2 else "dbo"), parts[-1]


def closing(tokens: list[Token], i: int) -> int:
    """The index of the parenthesis closing ``tokens[i]`` (an L_PAREN), or -1 when unclosed."""
    depth = 0
    for j in range(i, len(tokens)):
        kind = tokens[j].token_type
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return -1


def split_commas(tokens: list[Token]) -> list[list[Token]]:
    """Top-level comma-separated elements of a token list (the inside of one parenthesis)."""
    out: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if t.token_type == TokenType.L_PAREN:
            depth += 1
        elif t.token_type == TokenType.R_PAREN:
            depth -= 1
        elif t.token_type == TokenType.COMMA and depth == 0:
            out.append([])
            continue
        out[-1].append(t)
    return [e for e in out if e]


def source_text(sql: str, tokens: list[Token]) -> str:
    """The original text a run of tokens spans (quoting and spacing as written)."""
    return sql[tokens[0].start : tokens[-1].end + 1] if tokens else ""


def column_list(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """A parenthesised column list at ``tokens[i]`` (``([a] ASC, b)``): the names, and the index
    after the closing parenthesis; ``([], i)`` when there is none."""
    if i >= len(tokens) or tokens[i].token_type != TokenType.L_PAREN:
        return [], i
    end = closing(tokens, i)
    if end < 0:
        return [], i
    names = [element[0].text for element in split_commas(tokens[i + 1 : end])]
    return names, end + 1
