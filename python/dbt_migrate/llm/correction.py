"""LLM generation and self-correction for one pipeline item (used only with ``--llm``).

The LLM answers with plain SQL over the legacy table names. Every answer goes through the answer
check (``guard``) and then through the same conversion tail as the rules' own output
(``convert.model_from_query``), which writes all of the model's Jinja. A rejected answer counts as a
failed attempt, its reason recorded and fed back. Ground-truth unit tests are never part of what
the LLM may change: it only ever returns the SELECT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlglot import exp

from ..convert import Conversion, explicit_semantics, model_from_query
from ..convert.types import normalize_types
from ..names import normalize_name
from .client import Accounting, LlmClient, LlmError, build_messages, extract_sql
from .guard import AnswerRejected, check_rendered, checked_query

if TYPE_CHECKING:
    from ..contracts import Context
    from ..warehouse import Warehouse

AUDIT_COLUMNS = ("_dbt_run_id", "_loaded_at")


def allowed_inputs(ctx: Context, wh: Warehouse) -> tuple[list[str], set[str]]:
    """What an answer may read: the legacy code's tables (named in the prompt, as the catalog
    writes them), and, as keys, also every known target (a ``ref()``) and declared source."""
    named = list(dict.fromkeys(t.relation for t in ctx.source_tables))
    keys = {normalize_name(n) for n in named} | set(wh.targets) | set(wh.dbt.declared_sources)
    return named, keys


def _drop_audit_columns(query: exp.Query) -> None:
    """dbt-migrate adds ``_dbt_run_id``/``_loaded_at`` itself; an answer's own would collide."""
    if isinstance(query, exp.Select):
        kept = [p for p in query.expressions if p.alias_or_name.lower() not in AUDIT_COLUMNS]
        if kept and len(kept) != len(query.expressions):
            query.set("expressions", kept)


def model_from_answer(sql: str, ctx: Context, wh: Warehouse) -> Conversion:
    """A plain-SQL answer -> a model through the shared tail; raises ``AnswerRejected``."""
    _, keys = allowed_inputs(ctx, wh)
    query = checked_query(sql, keys, ctx.source_dialect)
    try:
        query = normalize_types(explicit_semantics(query, ctx, wh))
        _drop_audit_columns(query)
        check_rendered(query, wh.dbt.dialect)
        conv = model_from_query(query, ctx, wh)
    except AnswerRejected:
        raise
    except Exception as exc:  # sqlglot on untrusted SQL: any failure is this answer's, named
        detail = str(exc).splitlines()[0][:300] if str(exc) else ""
        raise AnswerRejected("convert", f"the SELECT could not be converted ({type(exc).__name__}: {detail})") from None
    conv.generator = "llm"
    conv.answer = sql.strip()
    return conv


def attempt(
    client: LlmClient,
    ctx: Context,
    wh: Warehouse,
    accounting: Accounting,
    feedback: dict[str, Any] | None = None,
) -> Conversion:
    """One LLM answer, checked and converted. ``ok`` only when the answer passed every check."""
    named, _ = allowed_inputs(ctx, wh)
    messages = build_messages(ctx, named, feedback)
    try:
        answer = client.complete(messages, accounting)
    except LlmError as exc:
        return Conversion(error="llm_unavailable", construct=str(exc), generator="llm")
    sql = extract_sql(answer)
    try:
        if sql is None:
            raise AnswerRejected("no_sql", "the answer has no fenced SQL block")
        return model_from_answer(sql, ctx, wh)
    except AnswerRejected as exc:
        accounting.rejected.append(exc.reason)
        return Conversion(
            error="llm_rejected",
            construct=exc.reason,
            generator="llm",
            warnings=[f"rejected LLM answer: {exc.reason}"],
            answer=sql if sql is not None else answer,
        )


def rejection_feedback(conv: Conversion) -> dict[str, Any]:
    """What to tell the LLM about an answer the check refused."""
    return {"previous_sql": conv.answer or "", "rejected": conv.construct}


def feedback_for(conv: Conversion, result: Any) -> dict[str, Any]:
    """What the last model got wrong: dbt errors, failing unit-test counts, equivalence gaps.

    The previous answer goes back as it was written (plain SQL); a model the rules wrote goes as
    ``generated_model`` for reference. Unit-test rows are never sent."""
    ex = result.output.execution
    fb: dict[str, Any] = {
        "dbt_errors": ex.dbt_errors[:10],
        "unit_tests": {"total": ex.unit_tests.total, "passed": ex.unit_tests.passed},
    }
    if conv.answer:
        fb["previous_sql"] = conv.answer
    else:
        fb["generated_model"] = conv.sql or ""
    eq = result.output.equivalence
    if eq:
        fb["equivalence"] = {
            "verdict": eq.get("verdict"),
            "gaps": [c for c in eq.get("checks", []) if c.get("status") == "gap"][:10],
        }
    return fb
