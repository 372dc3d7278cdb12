"""LLM calls through litellm: the prompt, the call (retries, timeout), the answer, the accounting.

Used only when a model is named (``--llm`` or ``$DBT_MIGRATE_LLM_MODEL``); without one, no provider
code path runs. Keys come from the provider's usual environment variables (litellm reads them) and
are scrubbed from every message this module returns.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, MigrateError
from ..redaction import redact

if TYPE_CHECKING:
    from ..contracts import Context

# litellm fetches its price list from the internet at import unless told to use its bundled copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

ENV_MODEL = "DBT_MIGRATE_LLM_MODEL"
# Test aid: a JSON list of canned answers, passed to litellm as its own `mock_response`, in order.
ENV_MOCK = "DBT_MIGRATE_LLM_MOCK_RESPONSES"

STYLE_RULES = """\
- Answer with plain SQL: exactly one SELECT statement in the legacy code's dialect (answer_dialect
  below: T-SQL for SQL Server), in one ```sql fenced block, and nothing after it. CTEs (WITH ...)
  are welcome, one logical step per CTE.
- Read the legacy tables by their legacy names (schema.table, e.g. bronze.Store), and only the
  tables listed under allowed_tables. No table functions, no OPENROWSET/OPENQUERY, no file readers.
- No Jinja or templating of any kind (no {{ }}, {% %}, {# #}): dbt-migrate writes source()/ref(),
  the incremental filter, config and the audit columns itself. No comments.
- No DDL or DML, no SELECT INTO, no variables, no system functions or procedures.
- Output columns: exactly the target's columns listed below, names as written, nothing else (no
  _dbt_run_id or _loaded_at).
- Reproduce the procedure's effect on the target table as a full load (the dbt materialization
  handles merge/append and incremental filtering)."""


class LlmError(MigrateError):
    """The provider could not be used (unreachable, no key, timeout): exit 1 for the item."""


@dataclass
class LlmConfig:
    model: str
    timeout_s: float = 60.0
    retries: int = 2  # retries after the first attempt, on transient errors only
    backoff_s: float = 1.0
    mock_responses: list[str] | None = None

    @classmethod
    def resolve(cls, model: str | None) -> LlmConfig | None:
        name = model or os.environ.get(ENV_MODEL)
        if not name:
            return None
        if importlib.util.find_spec("litellm") is None:
            how = "--llm" if model else f"${ENV_MODEL}"
            raise InputError(
                f"{how} {name}: the LLM support is not installed; install it with "
                "pip install 'dbt-migrate[llm]' (or run without --llm: rules only)"
            )
        mocks = None
        mock_file = os.environ.get(ENV_MOCK)
        if mock_file:
            try:
                mocks = json.loads(Path(mock_file).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise MigrateError(f"${ENV_MOCK} {mock_file}: cannot read a JSON list: {exc}") from exc
        try:
            timeout = float(os.environ.get("DBT_MIGRATE_LLM_TIMEOUT", cls.timeout_s))
            retries = int(os.environ.get("DBT_MIGRATE_LLM_RETRIES", cls.retries))
        except ValueError as exc:
            raise MigrateError(f"$DBT_MIGRATE_LLM_TIMEOUT / $DBT_MIGRATE_LLM_RETRIES: not a number ({exc})") from exc
        return cls(model=name, mock_responses=mocks, timeout_s=timeout, retries=retries)


@dataclass
class Accounting:
    """Per item: what the LLM cost (``output.llm`` in the result JSON)."""

    model: str
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    rejected: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.cost_usd,
            "rejected": self.rejected,
        }


def build_messages(ctx: Context, tables: list[str], feedback: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """The prompt: context, allowed tables and rules; feedback from the last attempt.

    ``feedback`` may hold ``previous_sql`` (the last plain-SQL answer, sent back as the assistant's
    turn) and what went wrong with it; never the ground-truth unit tests."""
    legacy = ctx.refactored_sql or ctx.proc_body or "\n".join(s.sql for s in ctx.migrate_statements)
    mat = ctx.materialization
    payload = {
        "target_table": ctx.table,
        "model_name": ctx.model_name,
        "classification": mat.classification,
        "materialized": mat.materialized,
        "unique_key": mat.unique_key,
        "watermark": mat.watermark,
        "target_columns": [{"name": c.name, "type": c.data_type} for c in ctx.columns if not c.is_identity],
        "profile": ctx.profile,
        "allowed_tables": tables,
        "answer_dialect": ctx.source_dialect,
        "source_dialect": ctx.source_dialect,
        "target_dialect": ctx.target_dialect,
        "routing_reasons": ctx.routing_reasons,
    }
    user = (
        "Write the SELECT that computes this SQL Server stored procedure's effect on its target table.\n\n"
        f"Context:\n```json\n{json.dumps(payload, indent=2, default=str)}\n```\n\n"
        f"Legacy SQL ({ctx.source_dialect}):\n```sql\n{legacy}\n```\n"
    )
    messages = [
        {"role": "system", "content": "You rewrite T-SQL stored procedures as one plain SQL SELECT.\n" + STYLE_RULES},
        {"role": "user", "content": user},
    ]
    if feedback:
        failure = {k: v for k, v in feedback.items() if k != "previous_sql"}
        if feedback.get("previous_sql"):
            messages.append({"role": "assistant", "content": f"```sql\n{feedback['previous_sql']}\n```"})
        messages.append(
            {
                "role": "user",
                "content": (
                    "That did not work. Fix it and answer with the whole corrected SELECT (plain SQL).\n"
                    f"```json\n{json.dumps(failure, indent=2, default=str)}\n```"
                ),
            }
        )
    return messages


def extract_sql(answer: str) -> str | None:
    """The first fenced code block of the answer (```sql or ```), without the fences."""
    lines = answer.splitlines()
    start = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if start is None and stripped.startswith("```"):
            start = i + 1
        elif start is not None and stripped.startswith("```"):
            body = "\n".join(lines[start:i]).strip()
            return body or None
    return None


def _transient(exc: Exception) -> bool:
    import litellm

    transient = tuple(
        t
        for t in (
            getattr(litellm, "APIConnectionError", None),
            getattr(litellm, "Timeout", None),
            getattr(litellm, "RateLimitError", None),
            getattr(litellm, "ServiceUnavailableError", None),
            getattr(litellm, "InternalServerError", None),
        )
        if t is not None
    )
    return isinstance(exc, transient)


class LlmClient:
    """One client per run; ``complete`` returns the answer text and books the usage."""

    def __init__(self, config: LlmConfig):
        self.config = config
        self._mocks = list(config.mock_responses) if config.mock_responses is not None else None

    def complete(self, messages: list[dict[str, str]], accounting: Accounting) -> str:
        import litellm

        litellm.suppress_debug_info = True  # its "Give Feedback" banner would corrupt --json stdout
        # Retries are ours (counted, with backoff): the provider clients' own are turned off.
        kwargs: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "timeout": self.config.timeout_s,
            "temperature": 0,
            "num_retries": 0,
            "max_retries": 0,
        }
        if self._mocks is not None:
            if not self._mocks:
                raise LlmError("no more mocked LLM answers")
            kwargs["mock_response"] = self._mocks.pop(0)
        attempt = 0
        while True:
            attempt += 1
            accounting.calls += 1
            try:
                response = litellm.completion(**kwargs)
                break
            except Exception as exc:  # litellm maps every provider failure onto its exceptions
                if _transient(exc) and attempt <= self.config.retries:
                    time.sleep(self.config.backoff_s * 2 ** (attempt - 1))
                    continue
                raise LlmError(_describe(exc, self.config.model)) from None
        usage = getattr(response, "usage", None)
        if usage is not None:
            accounting.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            accounting.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        try:
            cost = litellm.completion_cost(completion_response=response)
            accounting.cost_usd = round((accounting.cost_usd or 0.0) + float(cost), 6)
        except Exception:
            pass  # litellm does not know every model's price
        return response.choices[0].message.content or ""


def _describe(exc: Exception, model: str) -> str:
    import litellm

    kind = type(exc).__name__
    if isinstance(exc, getattr(litellm, "AuthenticationError", ())):
        what = "the provider rejected the API key (check the provider's key environment variable)"
    elif _transient(exc):
        what = "the provider could not be reached"
    elif isinstance(exc, getattr(litellm, "BadRequestError", ())) and "provider" in str(exc).lower():
        what = "litellm does not know this model's provider"
    else:
        what = "the LLM call failed"
    detail = redact(str(exc)).splitlines()[0][:300] if str(exc) else kind
    return f"LLM {model}: {what} ({kind}: {detail})"
