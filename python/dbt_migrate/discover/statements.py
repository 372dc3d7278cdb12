"""A procedure's text -> its statements, in order, each with the control flow around it.

T-SQL needs no ``;`` between statements, and sqlglot parses one statement at a time, so the body
is split on sqlglot's tokens: a statement ends at ``;``, at a block keyword (``BEGIN``/``END``,
``IF``/``ELSE``/``WHILE``) or where the next statement's first keyword stands at parenthesis depth 0
and cannot continue the current one (``INSERT ... SELECT``, ``UPDATE ... SET``, ``MERGE ... THEN
INSERT``, ``WITH cte AS (...) INSERT``, ``UNION SELECT`` continue it). ``BEGIN TRY``/``BEGIN CATCH``
and the branches of ``IF``/``ELSE``/``WHILE`` are recorded as the statement's ``blocks``. The text of
a statement is its tokens as written, comments dropped, on one line (a ``--`` comment can then
swallow nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from .tokens import keyword, tokenize

# Keywords that begin a statement (upper-cased token text).
_STARTS = {
    "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "SET", "DECLARE", "EXEC", "EXECUTE",
    "RETURN", "PRINT", "RAISERROR", "THROW", "COMMIT", "ROLLBACK", "SAVE", "BREAK", "CONTINUE", "GOTO",
    "WAITFOR", "OPEN", "CLOSE", "DEALLOCATE", "FETCH", "CREATE", "DROP", "ALTER", "USE", "GRANT", "DENY",
    "REVOKE", "BULK", "DBCC", "CHECKPOINT", "WITH", "REVERT", "KILL",
}  # fmt: skip
_WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE"}
_SET_OPS = {"UNION", "EXCEPT", "INTERSECT", "ALL"}
# (previous keyword, keyword) pairs inside one statement.
_AFTER = {
    ("FOR", "SELECT"), ("FOR", "UPDATE"), ("THEN", "UPDATE"), ("THEN", "INSERT"), ("THEN", "DELETE"),
    ("ROWS", "FETCH"), ("ROW", "FETCH"), ("ON", "DELETE"), ("ON", "UPDATE"),
}  # fmt: skip


@dataclass(frozen=True)
class RawStatement:
    sql: str  # the statement as written, comments dropped, on one line
    line: int  # 1-based line of its first token in the text it was split from
    blocks: tuple[str, ...] = ()  # enclosing control flow, outermost first: if, else, while, try, catch
    head: str = ""  # its first keyword, upper-cased (INSERT, UPDATE, ...)
    tokens: tuple[Token, ...] = field(default=(), compare=False, repr=False)  # parsed without tokenizing again
    guards: tuple[str, ...] = ()  # the conditions of the IFs it runs under (their text), outermost first


@dataclass
class Body:
    statements: list[RawStatement] = field(default_factory=list)
    constructs: list[str] = field(default_factory=list)  # if, else, while, try, catch, cursor (in order seen)
    error: str | None = None  # the text could not be tokenized


def _body_start(tokens: list[Token]) -> int:
    """Index of the first body token: after ``CREATE [OR ALTER] PROC[EDURE] name params ... AS``."""
    words = [keyword(t) for t in tokens[:4]]
    if not words or words[0] not in ("CREATE", "ALTER") or not any(w in ("PROC", "PROCEDURE") for w in words):
        return 0
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.L_PAREN:
            depth += 1
        elif tok.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and keyword(tok) == "AS" and i > 0:
            prev = keyword(tokens[i - 1])
            param = i > 1 and tokens[i - 2].token_type == TokenType.PARAMETER  # @p AS type
            if prev not in ("EXECUTE", "EXEC") and not param and tokens[i - 1].token_type != TokenType.PARAMETER:
                return i + 1
    return 0


class _Splitter:
    def __init__(self, text: str, tokens: list[Token]):
        self.text, self.tokens = text, tokens
        self.body = Body()
        self.frames: list[tuple[str, ...]] = []  # open BEGIN blocks: the control flow each carries
        self.pending: list[str] = []  # IF/ELSE/WHILE waiting for the statement or block they govern
        self.frame_guards: list[tuple[str, ...]] = []  # the IF conditions each open block runs under
        self.pending_guards: list[str] = []
        self.current_guards: tuple[str, ...] = ()
        self.current: list[Token] = []
        self.current_blocks: tuple[str, ...] = ()
        self.head = ""  # the effective first keyword (the main statement's after a CTE list)
        self.query_started = False  # INSERT: its SELECT/VALUES/EXEC has begun; WITH: its main statement
        self.awaiting_set = False  # an UPDATE whose SET has not come yet
        self.cases = 0

    def blocks(self) -> tuple[str, ...]:
        return tuple(k for frame in self.frames for k in frame) + tuple(self.pending)

    def flush(self) -> None:
        if self.current:
            parts: list[str] = []
            prev: Token | None = None
            for tok in self.current:
                piece = self.text[tok.start : tok.end + 1]
                if prev is not None and tok.start > prev.end + 1:
                    parts.append(" ")
                parts.append(piece)
                prev = tok
            first = self.current[0]
            self.body.statements.append(
                RawStatement(
                    "".join(parts),
                    first.line,
                    self.current_blocks,
                    keyword(first),
                    tuple(self.current),
                    self.current_guards,
                )
            )
            self.pending, self.pending_guards = [], []  # the IF/ELSE/WHILE governed this one statement
        self.current = []
        self.head, self.query_started, self.awaiting_set, self.cases = "", False, False, 0

    def start(self, tok: Token) -> None:
        self.flush()
        self.current = [tok]
        self.current_blocks = self.blocks()
        self.current_guards = tuple(g for frame in self.frame_guards for g in frame) + tuple(self.pending_guards)
        self.head = keyword(tok)

    def continues(self, i: int, word: str, depth: int) -> bool:
        """``word`` (a statement keyword at depth 0) is part of the current statement."""
        if not self.current:
            return False
        prev = keyword(self.tokens[i - 1]) if i else ""
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        if (prev, word) in _AFTER:
            return True  # cursor FOR SELECT, FOR UPDATE, MERGE ... THEN UPDATE, OFFSET ... ROWS FETCH
        if word == "WITH":
            # a table hint WITH (NOLOCK); a CTE list starts a statement
            return nxt is not None and nxt.token_type == TokenType.L_PAREN
        if word == "SET":
            return self.awaiting_set
        if word == "SELECT":
            return prev in _SET_OPS or (self.head in ("INSERT", "WITH") and not self.query_started)
        if word in ("EXEC", "EXECUTE"):
            return self.head == "INSERT" and not self.query_started
        if word in _WRITES:
            return self.head == "WITH" and not self.query_started
        if word == "DROP":
            return self.head == "ALTER"
        return False

    def note(self, word: str) -> None:
        """State of the current statement after one of its depth-0 keywords."""
        if word == "UPDATE":
            self.awaiting_set = True
        elif word == "SET":
            self.awaiting_set = False
        if self.head == "WITH" and word in (*_WRITES, "SELECT") and not self.query_started:
            self.head, self.query_started = word, word == "SELECT"
        elif self.head == "INSERT" and word in ("SELECT", "VALUES", "EXEC", "EXECUTE", "DEFAULT"):
            self.query_started = True

    def control(self, kind: str) -> None:
        self.flush()
        self.pending.append(kind)
        if kind not in self.body.constructs:
            self.body.constructs.append(kind)

    def run(self, start: int) -> Body:
        tokens, depth, i = self.tokens, 0, start
        while i < len(tokens):
            tok = tokens[i]
            word = keyword(tok)
            nxt = keyword(tokens[i + 1]) if i + 1 < len(tokens) else ""
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
            elif tok.token_type == TokenType.R_PAREN:
                depth = max(depth - 1, 0)
            if depth > 0 or tok.token_type in (TokenType.L_PAREN, TokenType.R_PAREN):
                self.current.append(tok) if self.current else self.start(tok)
            elif tok.token_type == TokenType.SEMICOLON:
                self.flush()
            elif word == "CASE":
                self.cases += 1
                self.current.append(tok) if self.current else self.start(tok)
            elif word == "END" and self.cases:
                self.cases -= 1
                self.current.append(tok)
            elif word == "ELSE" and self.cases:
                self.current.append(tok)
            elif word == "BEGIN" and nxt in ("TRAN", "TRANSACTION", "DISTRIBUTED"):
                self.start(tok)
            elif word == "BEGIN":
                self.flush()
                kind = nxt.lower() if nxt in ("TRY", "CATCH") else ""
                if kind and kind not in self.body.constructs:
                    self.body.constructs.append(kind)
                self.frames.append((*self.pending, kind) if kind else tuple(self.pending))
                self.frame_guards.append(tuple(self.pending_guards))
                self.pending, self.pending_guards = [], []
                i += 2 if kind else 1
                continue
            elif word == "END":
                self.flush()
                if self.frames:
                    self.frames.pop()
                    self.frame_guards.pop()
                i += 2 if nxt in ("TRY", "CATCH") else 1
                continue
            elif word in ("IF", "WHILE", "ELSE"):
                self.control(word.lower())
                if word != "ELSE":  # the condition: up to the governed statement or block
                    end = self.skip_condition(i + 1)
                    if word == "IF" and end > i + 1:
                        first, last = tokens[i + 1], tokens[end - 1]
                        self.pending_guards.append(" ".join(self.text[first.start : last.end + 1].split()))
                    i = end
                    continue
            elif word in _STARTS and not self.continues(i, word, depth):
                self.start(tok)
                self.note(word)
            else:
                if word in _STARTS or word == "VALUES":
                    self.note(word)
                self.current.append(tok) if self.current else self.start(tok)
            i += 1
        self.flush()
        return self.body

    def skip_condition(self, i: int) -> int:
        depth = cases = 0
        while i < len(self.tokens):
            tok = self.tokens[i]
            word = keyword(tok)
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
            elif tok.token_type == TokenType.R_PAREN:
                depth -= 1
            elif word == "CASE":
                cases += 1
            elif word == "END" and cases:
                cases -= 1
            elif depth == 0 and not cases and (word in _STARTS or word in ("BEGIN", "IF", "WHILE")):
                return i
            i += 1
        return i


def split_body(text: str) -> Body:
    """The statements of a procedure (``CREATE PROCEDURE ... AS <body>``) or of a bare script."""
    try:
        tokens = tokenize(text)
    except TokenError as exc:
        return Body(error=str(exc).splitlines()[0] if str(exc) else "cannot be tokenized")
    splitter = _Splitter(text, tokens)
    body = splitter.run(_body_start(tokens))
    if any(t.token_type == TokenType.DECLARE for t in tokens) and any(keyword(t) == "CURSOR" for t in tokens):
        body.constructs.append("cursor")
    return body
