"""Writing a shaped tree as dbt-style SQL text: lower-case keywords, 4-space indent, trailing commas.

sqlglot writes the tree; its tokenizer then finds the keyword tokens to lower-case and the
placeholder identifiers to swap for Jinja, so no regular expression ever touches the SQL.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

# Tokens whose text is data or a name, never a keyword.
_KEEP_CASE = {
    TokenType.VAR, TokenType.IDENTIFIER, TokenType.STRING, TokenType.NUMBER,
    TokenType.NATIONAL_STRING, TokenType.RAW_STRING, TokenType.HEX_STRING, TokenType.BIT_STRING,
    TokenType.BYTE_STRING, TokenType.HEREDOC_STRING, TokenType.UNICODE_STRING,
}


def render(tree: exp.Expression, dialect: str, placeholders: dict[str, str] | None = None) -> str:
    text = tree.sql(dialect=dialect, pretty=True, pad=4, indent=4, normalize_functions="lower")
    return finish(text, dialect, placeholders or {})


def finish(text: str, dialect: str, placeholders: dict[str, str]) -> str:
    """Lower-case keyword tokens and put Jinja where the placeholders stand."""
    pieces: list[str] = []
    pos = 0
    tokens = sqlglot.tokenize(text, read=dialect)
    for i, tok in enumerate(tokens):
        start, end = tok.start, tok.end + 1
        if start < pos:
            continue
        pieces.append(text[pos:start])
        raw = text[start:end]
        if tok.token_type in (TokenType.VAR, TokenType.IDENTIFIER) and tok.text in placeholders:
            pieces.append(placeholders[tok.text])
        elif _is_function_name(tokens, i, placeholders):
            pieces.append(raw.lower())
        elif tok.token_type in _KEEP_CASE:
            pieces.append(raw)
        else:
            pieces.append(raw.lower())
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces).rstrip() + "\n"


def _is_function_name(tokens: list, i: int, placeholders: dict[str, str]) -> bool:
    # CAST/TRY_CAST and friends come out upper-case; a bare name before "(" is a function call.
    tok = tokens[i]
    return (
        tok.token_type == TokenType.VAR
        and tok.text not in placeholders
        and i + 1 < len(tokens)
        and tokens[i + 1].token_type == TokenType.L_PAREN
        and tokens[i + 1].start == tok.end + 1
    )
