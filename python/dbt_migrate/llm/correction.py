"""LLM generation and self-correction for one pipeline item (used only with ``--llm``).

Every answer goes through the output guard before anything is written; a rejected answer counts as
a failed attempt and its reason is recorded. Ground-truth unit tests are never part of what the
LLM may change: it only ever returns the model's SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..convert import Conversion
from ..convert.relations import Relation
from ..names import normalize_name
from .client import Accounting, LlmClient, LlmError, build_messages, extract_sql
from .guard import check_model_sql

if TYPE_CHECKING:
    from ..contracts import Context


def known_relations(ctx: Context, declared: dict[str, tuple[str, str]]) -> tuple[dict[str, Relation], set[str]]:
    """What the model may read: the legacy code's tables through their source()/ref() mapping."""
    sources: dict[str, Relation] = {}
    refs: set[str] = set()
    for t in ctx.source_tables:
        if t.kind == "ref" and t.model_name:
            refs.add(t.model_name)
        elif t.kind == "source" and t.source_name and t.table_name:
            src, tbl = t.source_name, t.table_name
            sources[f"{src.lower()}.{tbl.lower()}"] = Relation(
                key=normalize_name(t.relation), kind="source", source_name=src, table_name=tbl
            )
    for key, (src, tbl) in declared.items():
        sources.setdefault(
            f"{src.lower()}.{tbl.lower()}", Relation(key=key, kind="source", source_name=src, table_name=tbl)
        )
    return sources, refs


def attempt(
    client: LlmClient,
    ctx: Context,
    accounting: Accounting,
    dialect: str,
    declared: dict[str, tuple[str, str]],
    feedback: dict[str, Any] | None = None,
) -> Conversion:
    """One LLM answer, guarded. Returns a Conversion (``ok`` only when the guard passed)."""
    sources, refs = known_relations(ctx, declared)
    source_calls = [f"source('{r.source_name}', '{r.table_name}')" for r in sources.values()]
    messages = build_messages(ctx, source_calls, [f"ref('{r}')" for r in sorted(refs)], feedback)
    try:
        answer = client.complete(messages, accounting)
    except LlmError as exc:
        return Conversion(error="llm_unavailable", construct=str(exc), generator="llm")
    sql = extract_sql(answer)
    if sql is None:
        reason = "answer has no fenced SQL block"
        accounting.rejected.append(reason)
        return Conversion(error="llm_rejected", construct=reason, generator="llm")
    allowed = {(r.source_name, r.table_name) for r in sources.values() if r.source_name and r.table_name}
    guard = check_model_sql(sql, allowed, refs, dialect)
    if not guard.ok:
        reason = "; ".join(guard.reasons)
        accounting.rejected.append(reason)
        return Conversion(
            error="llm_rejected",
            construct=reason,
            generator="llm",
            sql=None,
            warnings=[f"rejected LLM answer: {reason}"],
        )
    used = [sources[f"{s.lower()}.{t.lower()}"] for s, t in dict.fromkeys(guard.sources)]
    used += [Relation(key=r, kind="ref", model_name=r) for r in dict.fromkeys(guard.refs)]
    return Conversion(
        sql=sql.rstrip() + "\n", generator="llm", relations=used, uses_watermark="dbt_migrate.watermark_filter" in sql
    )


def feedback_for(previous_sql: str, result: Any) -> dict[str, Any]:
    """What the last attempt got wrong: dbt errors, failing unit tests, equivalence gaps."""
    ex = result.output.execution
    fb: dict[str, Any] = {
        "previous_sql": previous_sql,
        "dbt_errors": ex.dbt_errors[:10],
        "unit_tests": {"total": ex.unit_tests.total, "passed": ex.unit_tests.passed},
    }
    eq = result.output.equivalence
    if eq:
        fb["equivalence"] = {
            "verdict": eq.get("verdict"),
            "gaps": [c for c in eq.get("checks", []) if c.get("status") == "gap"][:10],
        }
    return fb
