"""A procedure's routing reasons and ``mode``: what in its control flow rules cannot follow, and
whether that touches the statements the model is made from.

Reasons (FORMATS-current's vocabulary, plus ``cursor_loop`` and ``unparsed_statement``): ``if_else``,
``while_loop``, ``try_catch``, ``cursor_loop``, ``dynamic_sql_literal`` / ``dynamic_sql_variable``,
``static_exec``, ``cross_db_exec``, ``linked_server_exec``. The mode is ``llm_required`` when a load
runs inside a loop, a cursor, a branch or a CATCH block, from SQL built at run time, through another
database, or in a statement sqlglot cannot read; ``call_graph_enrich`` when it calls another
procedure; ``dynamic_sql_literal`` when its dynamic SQL is a constant (the conversion expands it);
else ``deterministic``. Control flow around statements that write nothing (an ``IF @@ROWCOUNT = 0
THROW``, a CATCH that only rolls back) is listed but leaves the mode alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..convert.errors import NotConvertible
from ..convert.statements import expand
from .procedure import Analysed
from .statements import Body

_CONSTRUCT_REASONS = {
    "if": "if_else",
    "else": "if_else",
    "while": "while_loop",
    "try": "try_catch",
    "catch": "try_catch",
    "cursor": "cursor_loop",
}


@dataclass(frozen=True)
class Routing:
    reasons: list[str]
    mode: str
    rationale: str


def _writes(a: Analysed) -> bool:
    return a.action == "migrate" and (a.written is not None or a.temp is not None)


def routing(body: Body, statements: list[Analysed]) -> Routing:
    reasons: list[str] = []
    for construct in body.constructs:
        reason = _CONSTRUCT_REASONS.get(construct)
        if reason and reason not in reasons:
            reasons.append(reason)
    llm: list[str] = []
    enrich: list[str] = []
    guarded: list[int] = []
    literal = False
    for a in statements:
        if a.action != "migrate":
            continue
        if a.dynamic is not None:
            constant = _constant(statements)
            reason = "dynamic_sql_literal" if constant else "dynamic_sql_variable"
            reasons += [reason] if reason not in reasons else []
            if constant:
                literal = True
            else:
                llm.append(f"statement {a.index} runs SQL built at run time")
        elif a.calls is not None:
            name = a.calls
            reason = "linked_server_exec" if name.server else "cross_db_exec" if name.database else "static_exec"
            reasons += [reason] if reason not in reasons else []
            if reason == "static_exec":
                enrich.append(f"statement {a.index} calls {name.written}")
            else:
                llm.append(f"statement {a.index} calls {name.written} in another database")
        if a.unparsed is not None:
            reasons += ["unparsed_statement"] if "unparsed_statement" not in reasons else []
            llm.append(f"statement {a.index} ({a.raw.head}) cannot be parsed")
        if _writes(a):
            for block, what in (("while", "a WHILE loop"), ("if", "an IF branch"), ("else", "an ELSE branch")):
                if block in a.blocks and not (block == "if" and _unknown_member(a)):
                    llm.append(f"statement {a.index} writes inside {what}")
                    break
            if "if" in a.blocks and _unknown_member(a):
                guarded.append(a.index)
            if "catch" in a.blocks:
                llm.append(f"statement {a.index} writes in a CATCH block")
    if "cursor_loop" in reasons and any(_writes(a) for a in statements):
        llm.insert(0, "the load goes through a cursor")
    if llm:
        return Routing(reasons, "llm_required", "; ".join(dict.fromkeys(llm)) + ": rules cannot follow it")
    if enrich:
        return Routing(reasons, "call_graph_enrich", "; ".join(enrich) + ": the callee's statements are needed")
    if literal:
        return Routing(
            reasons, "dynamic_sql_literal", "its dynamic SQL is a constant string: the conversion expands it"
        )
    extra = f" ({', '.join(reasons)} around statements that write nothing)" if reasons else ""
    if guarded:
        extra += (
            f"; statement {', '.join(map(str, guarded))} adds a fixed row (an unknown member) under "
            "IF NOT EXISTS on its own table: the model always holds that row"
        )
    return Routing(reasons, "deterministic", "every statement reads as plain SQL" + extra)


def _unknown_member(a: Analysed) -> bool:
    """``IF NOT EXISTS (SELECT ... FROM t WHERE key = -1) INSERT t VALUES (-1, 'Unknown', ...)``: a
    fixed row added once; rules add it to the model's rows (UNION ALL), which is the same table."""
    tree = a.tree
    if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Values) or a.written is None:
        return False
    values = tree.expression
    if values.find(exp.Column, exp.Select, exp.Parameter) is not None:
        return False
    names = {a.written.name.lower(), f"[{a.written.name.lower()}]"}
    guards = [" ".join(g.lower().split()) for g in a.raw.guards]
    return bool(guards) and all(g.startswith("not exists") and any(n in g for n in names) for g in guards)


def _constant(statements: list[Analysed]) -> bool:
    """The conversion can replace the dynamic SQL by the constant text it runs."""

    class _Stmt:
        def __init__(self, a: Analysed):
            self.action, self.sql = a.action, a.raw.sql

    try:
        expand([_Stmt(a) for a in statements], "tsql")
    except NotConvertible:
        return False
    return True
