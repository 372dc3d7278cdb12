"""Scanning a procedure body for constructs deterministic rules cannot convert.

The body is walked as sqlglot tokens (sqlglot reads most of these constructs as opaque commands,
so the token stream is the reliable tree-level view): dynamic SQL, cursors, WHILE loops, EXEC of
other procedures and TRY/CATCH whose CATCH block writes rows. The first finding names the
construct for the item error (reason ``needs_llm``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot.tokens import Token, TokenType

_WRITES = {TokenType.INSERT, TokenType.UPDATE, TokenType.MERGE, TokenType.DELETE}


@dataclass(frozen=True)
class Finding:
    construct: str  # e.g. "dynamic SQL"
    snippet: str  # the statement as written, e.g. "EXEC sp_executesql @sql"

    def __str__(self) -> str:
        return f"{self.construct} ({self.snippet})"


def _word(tok: Token) -> str:
    return tok.text.upper()


def _snippet(tokens: list[Token], start: int, stop_words: tuple[str, ...] = (), limit: int = 8) -> str:
    """The statement's first tokens as written (parameters glued: ``@sql``, ``@@FETCH_STATUS``)."""
    parts: list[str] = []
    glue = False
    for tok in tokens[start : start + limit]:
        if tok.token_type == TokenType.SEMICOLON or (parts and _word(tok) in stop_words):
            break
        if glue or (parts and tok.token_type == TokenType.DOT) or (parts and parts[-1].endswith(".")):
            parts[-1] += tok.text
        else:
            parts.append(tok.text)
        glue = tok.token_type == TokenType.PARAMETER
    return " ".join(parts)


def _is_exec(tok: Token) -> bool:
    return tok.token_type in (TokenType.EXECUTE, TokenType.COMMAND) and _word(tok) in ("EXEC", "EXECUTE")


def _tokens(text: str, dialect: str) -> list[Token]:
    """Tokens of ``text``; the rest of a statement the tokenizer swallowed as a command string
    (T-SQL ``END TRY ... BEGIN CATCH ...`` after ``END``) is tokenized in turn."""
    out: list[Token] = []
    tokens = sqlglot.tokenize(text, read=dialect)
    for k, tok in enumerate(tokens):
        swallowed = (
            tok.token_type == TokenType.STRING
            and k > 0
            and tokens[k - 1].token_type == TokenType.END
            and text[tok.start : tok.start + 1] not in ("'", '"')
        )
        out += _tokens(tok.text, dialect) if swallowed else [tok]
    return out


def scan_body(body: str, dialect: str = "tsql") -> list[Finding]:
    """Every non-convertible construct in a procedure body, in order of appearance."""
    if not body or not body.strip():
        return []
    try:
        tokens = _tokens(body, dialect)
    except sqlglot.errors.TokenError:
        return [Finding("untokenizable procedure body", body.strip().splitlines()[0][:60])]
    findings: list[Finding] = []
    cursor_seen = False
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        word = _word(tok)
        nxt = tokens[i + 1] if i + 1 < n else None
        if _is_exec(tok) and nxt is not None:
            target = _word(nxt)
            if nxt.token_type in (TokenType.L_PAREN, TokenType.PARAMETER) or target in (
                "SP_EXECUTESQL",
                "SYS.SP_EXECUTESQL",
            ):
                findings.append(Finding("dynamic SQL", _snippet(tokens, i)))
            elif nxt.token_type != TokenType.ALIAS and not (i > 0 and tokens[i - 1].token_type == TokenType.ALIAS):
                # (not the procedure option WITH EXECUTE AS OWNER)
                findings.append(Finding("EXEC of another procedure", _snippet(tokens, i, limit=6)))
        elif (
            tok.token_type == TokenType.DECLARE
            and i + 2 < n
            and _word(tokens[i + 2]) in ("CURSOR", "INSENSITIVE", "SCROLL")
        ):
            findings.append(Finding("CURSOR loop", _snippet(tokens, i, limit=3) + " / FETCH NEXT"))
            cursor_seen = True
        elif word == "WHILE":
            if not cursor_seen:
                findings.append(Finding("WHILE loop carrying state", _snippet(tokens, i, stop_words=("BEGIN",))))
        elif tok.token_type == TokenType.BEGIN and nxt is not None and _word(nxt) == "CATCH":
            j = i + 2
            depth = 0
            while j < n and not (
                depth == 0 and tokens[j].token_type == TokenType.END and j + 1 < n and _word(tokens[j + 1]) == "CATCH"
            ):
                if tokens[j].token_type == TokenType.BEGIN:
                    depth += 1
                elif tokens[j].token_type == TokenType.END:
                    depth -= 1
                elif tokens[j].token_type in _WRITES:
                    findings.append(
                        Finding(
                            "TRY/CATCH whose CATCH block writes rows", "BEGIN CATCH " + _snippet(tokens, j, limit=6)
                        )
                    )
                    break
                j += 1
        i += 1
    return findings
