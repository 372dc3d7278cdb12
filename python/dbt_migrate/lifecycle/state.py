"""The group's state document: ``<dimensions_output>/<GROUP>/<GROUP_UPPER>_MIGRATION_STATE.md``.

Markdown for people, plus a fenced JSON block for ``migrate restore``. Pure text in, text out.

Regions this module writes are fenced by HTML comments (invisible when rendered):
``dbt-migrate:summary`` (status, progress, completed and paused models, resume instructions) is
replaced on each update; ``dbt-migrate:log`` (restart log) is only appended to; ``dbt-migrate:state``
(the JSON block) is replaced. Everything outside them, including a document written by hand or
by other tooling, is kept byte for byte; only a hand-written ``Status: PAUSED`` line gets its
status word updated so the document never contradicts itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

PAUSED, RESUMED, COMPLETE = "PAUSED", "RESUMED", "COMPLETE"

SUMMARY_START, SUMMARY_END = "<!-- dbt-migrate:summary:start -->", "<!-- dbt-migrate:summary:end -->"
LOG_MARK = "<!-- dbt-migrate:log -->"
STATE_START, STATE_END = "<!-- dbt-migrate:state -->", "<!-- dbt-migrate:state:end -->"

_STATUS_LINE = re.compile(
    r"^(?P<head>[\s>*_#-]*status[*_\s]*:[*_\s]*)(?P<word>PAUSED|RESUMED|COMPLETE|COMPLETED|IN PROGRESS)",
    re.IGNORECASE | re.MULTILINE,
)
_JSON_BLOCK = re.compile(r"```json\s*\n(?P<body>.*?)\n```", re.DOTALL)


class PausedEntry(BaseModel):
    name: str
    path: str
    missing: list[str] = Field(default_factory=list)
    present: list[str] = Field(default_factory=list)
    provided_by: dict[str, list[str]] = Field(default_factory=dict)
    moved_yaml: str | None = None  # sidecar holding the model's YAML entries
    reason: str | None = None  # why a run paused it (``waiting for ...``, ``cycle: ...``, dbt's parse error)


class LogEntry(BaseModel):
    at: str
    action: str  # pause | restore
    resumed: list[str] = Field(default_factory=list)
    paused: list[str] = Field(default_factory=list)
    still_paused: list[str] = Field(default_factory=list)
    reskipped: dict[str, str] = Field(default_factory=dict)
    next_action: str = ""


class StateBlock(BaseModel):
    """The machine-readable block ``migrate restore`` reads."""

    schema_version: str = "1.0"
    group: str
    status: str
    total: int
    completed: list[str] = Field(default_factory=list)
    paused: list[PausedEntry] = Field(default_factory=list)
    log: list[LogEntry] = Field(default_factory=list)


def state_path(dimensions_dir: Path, group: str) -> Path:
    return dimensions_dir / group / f"{group.upper()}_MIGRATION_STATE.md"


def read_block(text: str) -> StateBlock | None:
    """The JSON block, or None for a document without one (hand-written, or damaged)."""
    start = text.find(STATE_START)
    if start < 0:
        return None
    m = _JSON_BLOCK.search(text, start)
    if not m:
        return None
    try:
        return StateBlock.model_validate(json.loads(m.group("body")))
    except (json.JSONDecodeError, ValidationError):
        return None


def mentioned_names(text: str) -> set[str]:
    """Identifiers a document mentions: how a hand-written document names its paused models."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def progress_line(done: int, total: int) -> str:
    pct = round(100 * done / total) if total else 100
    return f"{done} of {total} models ({pct}%)"


def render_summary(block: StateBlock, updated: str) -> str:
    g = block.group
    lines = [
        SUMMARY_START,
        f"**Status:** {block.status}  ",
        f"**Progress:** {progress_line(len(block.completed), block.total)}  ",
        f"**Updated:** {updated}",
        "",
        "## Completed models",
        "",
    ]
    lines += [f"- `{n}`" for n in block.completed] or ["- (none yet)"]
    lines += ["", "## Paused models", ""]
    if not block.paused:
        lines.append("- (none: every model of the group is active)")
    for p in block.paused:
        lines += [f"### `{p.name}`", "", f"- File: `{p.path}`"]
        if p.moved_yaml:
            lines.append(f"- YAML entries moved aside to: `{p.moved_yaml}`")
        if p.reason:
            lines.append(f"- Paused by `migrate run`: {p.reason}")
        miss = []
        for label in p.missing:
            dep_name = _dep_name(label)
            groups = p.provided_by.get(dep_name)
            miss.append(f"`{label}`" + (f" (paused in group {', '.join(groups)})" if groups else ""))
        lines.append(f"- Missing dependencies: {', '.join(miss) or '(none)'}")
        lines.append(f"- Present dependencies: {', '.join(f'`{d}`' for d in p.present) or '(none)'}")
        lines.append("")
    lines += ["## Resume instructions", ""]
    if block.paused:
        lines += [
            "1. Migrate the missing dependencies listed above, or restore the groups that provide them.",
            f"2. Preview: `migrate restore {g} --dry-run`; then `migrate restore {g}` "
            "(add `--build` to run and test the group, `--commit` to commit on the group's branch).",
            f"3. Check progress with `migrate status {g}`.",
        ]
    else:
        lines.append(f"Nothing is paused. Build and test the group: `dbt build --select tag:{g}`.")
    lines.append(SUMMARY_END)
    return "\n".join(lines)


def render_log_line(entry: LogEntry) -> str:
    parts = [f"- **{entry.at}** {entry.action}"]
    if entry.action in ("pause", "auto-pause"):
        parts.append(f"paused: {', '.join(entry.paused) or 'none'}")
    else:
        parts.append(f"resumed: {', '.join(entry.resumed) or 'none'}")
        if entry.reskipped:
            parts.append("re-skipped: " + ", ".join(f"{k} ({v})" for k, v in entry.reskipped.items()))
    parts.append(f"still paused: {', '.join(entry.still_paused) or 'none'}")
    if entry.next_action:
        parts.append(f"next: {entry.next_action}")
    return "; ".join(parts)


def render_block(block: StateBlock) -> str:
    return "\n".join([STATE_START, "```json", json.dumps(block.model_dump(), indent=2), "```", STATE_END])


def update_document(old: str | None, block: StateBlock, updated: str, log: LogEntry | None) -> str:
    """The new document text: generated regions refreshed, log appended, all else kept."""
    summary = render_summary(block, updated)
    machine = render_block(block)
    if old is None:
        parts = [f"# {block.group.upper()} migration state", "", summary, "", "## Restart log", "", LOG_MARK]
        if log is not None:
            parts.append(render_log_line(log))
        parts += ["", machine, ""]
        return "\n".join(parts)

    text = _replace_outside_regions(
        old, lambda chunk: _STATUS_LINE.sub(lambda m: m.group("head") + block.status, chunk)
    )
    text = _replace_region(text, SUMMARY_START, SUMMARY_END, summary)
    if log is not None:
        text = _append_log(text, render_log_line(log))
    text = _replace_region(text, STATE_START, STATE_END, machine)
    return text


# -- text helpers --------------------------------------------------------------------------------
def _dep_name(label: str) -> str:
    inner = label[label.find("(") + 1 :].rstrip(")")
    names = [p.strip().strip("'\"") for p in inner.split(",") if "=" not in p]
    return names[-1] if names else label


def _replace_region(text: str, start: str, end: str, replacement: str) -> str:
    i = text.find(start)
    j = text.find(end, i + 1) if i >= 0 else -1
    if i >= 0 and j >= 0:
        return text[:i] + replacement + text[j + len(end) :]
    # No such region yet (hand-written document): add it, ahead of the machine block if any.
    k = text.find(STATE_START)
    if start != STATE_START and k >= 0:
        return text[:k] + replacement + "\n\n" + text[k:]
    sep = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return text + sep + replacement + "\n"


def _append_log(text: str, line: str) -> str:
    i = text.find(LOG_MARK)
    if i < 0:
        return _replace_region(text, LOG_MARK, LOG_MARK, f"## Restart log\n\n{LOG_MARK}\n{line}")
    # The log ends at the next heading, the machine block, or the end of the document.
    rest = text[i + len(LOG_MARK) :]
    ends = [m.start() for m in re.finditer(r"^## ", rest, re.MULTILINE)]
    k = rest.find(STATE_START)
    if k >= 0:
        ends.append(k)
    end = min(ends) if ends else len(rest)
    body = rest[:end].rstrip("\n")
    tail = rest[end:]
    return text[: i + len(LOG_MARK)] + body + "\n" + line + "\n" + ("\n" if tail else "") + tail


def _replace_outside_regions(text: str, fn) -> str:
    """Apply ``fn`` to the text outside the regions this module owns."""
    out, pos = [], 0
    spans = []
    for start, end in ((SUMMARY_START, SUMMARY_END), (STATE_START, STATE_END)):
        i = text.find(start)
        j = text.find(end, i + 1) if i >= 0 else -1
        if i >= 0 and j >= 0:
            spans.append((i, j + len(end)))
    for i, j in sorted(spans):
        out.append(fn(text[pos:i]))
        out.append(text[i:j])
        pos = j
    out.append(fn(text[pos:]))
    return "".join(out)
