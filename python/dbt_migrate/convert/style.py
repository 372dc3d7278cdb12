"""Writing a shaped tree as dbt-style SQL text: lower-case keywords, 4-space indent, trailing commas.

sqlglot writes the tree (without the legacy comments: a comment never reaches a model); its
tokenizer then finds the keyword tokens to lower-case and the placeholder identifiers to swap for
Jinja, so no regular expression ever touches the SQL. String literals go through
``escaping.escape``; the Jinja that ends up in the text is only the placeholders' (ours).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from .. import escaping

# Tokens whose text is data: written through the escaping layer.
_STRINGS = {
    TokenType.STRING,
    TokenType.NATIONAL_STRING,
    TokenType.RAW_STRING,
    TokenType.HEX_STRING,
    TokenType.BIT_STRING,
    TokenType.BYTE_STRING,
    TokenType.HEREDOC_STRING,
    TokenType.UNICODE_STRING,
}
# Tokens whose text is data or a name, never a keyword.
_KEEP_CASE = {TokenType.VAR, TokenType.IDENTIFIER, TokenType.NUMBER} | _STRINGS


def model_text(tree: exp.Expr, dialect: str, placeholders: dict[str, str] | None = None) -> str:
    text = tree.sql(dialect=dialect, pretty=True, pad=4, indent=4, normalize_functions="lower", comments=False)
    return finish(text, dialect, placeholders or {})


def finish(text: str, dialect: str, placeholders: dict[str, str]) -> str:
    """Lower-case keyword tokens and put Jinja where the placeholders stand."""
    pieces: list[str] = []
    pos = 0
    tokens = sqlglot.tokenize(text, read=dialect)
    gaps = _cte_gaps(tokens)
    for i, tok in enumerate(tokens):
        start, end = tok.start, tok.end + 1
        if start < pos:
            continue
        pieces.append(gaps.get(i, text[pos:start]))
        raw = text[start:end]
        if tok.token_type in (TokenType.VAR, TokenType.IDENTIFIER) and tok.text in placeholders:
            pieces.append(placeholders[tok.text])
        elif _is_keyword_var(tokens, i):
            pieces.append(raw.lower())  # NULLS FIRST, UNBOUNDED PRECEDING, CURRENT ROW
        elif tok.token_type == TokenType.EXISTS and i + 1 < len(tokens) and tokens[i + 1].start == tok.end + 1:
            pieces.append(raw.lower() + " ")  # exists (...)
        elif _is_function_name(tokens, i, placeholders):
            pieces.append(raw.lower())
        elif tok.token_type in _KEEP_CASE:
            pieces.append(escaping.escape(raw) if tok.token_type in _STRINGS else raw)
        else:
            pieces.append(raw.lower())
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces).rstrip() + "\n"


_KEYWORD_VARS = {"NULLS": {"FIRST", "LAST"}, "UNBOUNDED": {"PRECEDING", "FOLLOWING"}, "CURRENT": {"ROW"}}


def _is_keyword_var(tokens: list, i: int) -> bool:
    """Window/order keywords the tokenizer reads as names (only in their keyword position)."""
    tok = tokens[i]
    follow = _KEYWORD_VARS.get(tok.text.upper()) if tok.token_type == TokenType.VAR else None
    if not follow:
        return False
    return i + 1 < len(tokens) and tokens[i + 1].text.upper() in follow


def _cte_gaps(tokens: list) -> dict[int, str]:
    """dbt layout: a blank line between top-level CTEs (``),\n\nname as (``) and before the
    final ``select``. Returns token index -> whitespace to put before that token."""
    gaps: dict[int, str] = {}
    if not tokens or tokens[0].token_type != TokenType.WITH:
        return gaps
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.L_PAREN:
            depth += 1
        elif tok.token_type == TokenType.R_PAREN:
            depth -= 1
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if depth == 0 and nxt is not None and nxt.token_type == TokenType.COMMA and i + 2 < len(tokens):
                gaps[i + 2] = "\n\n"
            elif depth == 0 and nxt is not None and nxt.token_type == TokenType.SELECT:
                gaps[i + 1] = "\n\n"
    return gaps


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
