"""The warehouse at a glance (`migrate discover --report`): objects per schema, procedures per
pattern and classification, what rules convert versus what needs the LLM, multi-writer tables,
dependency layers, and the counts of what was written. Pure: discover's results in, one JSON-ready
dict out; the terminal, ``--json`` and the HTML page all show this dict."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .model import Analysis, Discovered
from .verdicts import Verdict
from .writer import STATUSES, WriteReport

# Statement kinds that set up values rather than move rows: left out of a procedure's pattern.
_SETUP_KINDS = {"declare", "set", "setitem", "command"}


def _pattern(procedure: dict[str, Any] | None) -> str:
    """A procedure's shape: its migrate statements' kinds in order (``Update + Insert``), the
    variable set-up left out."""
    if procedure is None:
        return "not analysed"
    kinds: list[str] = []
    for s in procedure.get("statements") or []:
        if isinstance(s, dict) and s.get("action") == "migrate":
            kind = str(s.get("type") or "statement")
            if kind not in kinds and kind.lower() not in _SETUP_KINDS:
                kinds.append(kind)
    return " + ".join(kinds) if kinds else "writes no table"


def _writers(analysis: Analysis) -> dict[str, list[str]]:
    """Procedure fqn -> classifications of the tables it writes (selected or candidate writer)."""
    out: dict[str, list[str]] = {}
    for inference in analysis.tables.values():
        scoping, profile = inference.scoping or {}, inference.profile or {}
        classification = profile.get("classification") if isinstance(profile, dict) else None
        kind = classification.get("resolved_kind") if isinstance(classification, dict) else None
        names = [scoping.get("selected_writer")] + [
            c.get("procedure_name") for c in scoping.get("candidates") or [] if isinstance(c, dict)
        ]
        for name in {n.lower() for n in names if isinstance(n, str) and n}:
            out.setdefault(name, []).append(kind or "unclassified")
    return out


def inventory(
    discovered: Discovered, analysis: Analysis, written: WriteReport, verdicts: list[Verdict] | None
) -> dict[str, Any]:
    by_schema: dict[str, Counter[str]] = {}
    for obj in discovered.objects:
        by_schema.setdefault(obj.schema, Counter())[obj.kind] += 1
    writers = _writers(analysis)
    patterns: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    modes: Counter[str] = Counter()
    for proc in discovered.procedures():
        inferred = analysis.procedures.get(proc.fqn)
        patterns[_pattern(inferred)] += 1
        modes[str((inferred or {}).get("mode") or "not analysed")] += 1
        for kind in writers.get(proc.fqn, ["writes no target"]):
            classes[kind] += 1
    multi = [
        {"table": fqn, "candidates": [c.get("procedure_name") for c in inf.scoping.get("candidates") or []]}
        for fqn, inf in sorted(analysis.tables.items())
        if (inf.scoping or {}).get("status") == "ambiguous_multi_writer"
    ]
    written_counts: Counter[str] = Counter()
    for f in written.files:
        if f.path.startswith("catalog/"):
            written_counts[f.path.split("/")[1]] += 1
    conversion: dict[str, list[dict[str, Any]]] = {"rules": [], "llm": [], "not_ready": []}
    layers: dict[int, list[str]] = {}
    for v in verdicts or []:
        conversion[v.route].append({"table": v.table, "why": v.why})
        layers.setdefault(v.layer, []).append(v.table)
    kinds = Counter(o.kind for o in discovered.objects)
    return {
        "counts": {
            "tables": kinds["table"],
            "views": kinds["view"],
            "procedures": kinds["procedure"],
            "functions": kinds["function"],
            "ignored": kinds["other"],
            "problems": len(discovered.problems) + len(analysis.problems),
            "targets": len(verdicts or []),
        },  # fmt: skip
        "catalogs_written": dict(sorted(written_counts.items())),
        "files": {s: written.count(s) for s in STATUSES},
        "objects_by_schema": {
            s: dict(sorted(c.items())) for s, c in sorted(by_schema.items(), key=lambda kv: kv[0].lower())
        },
        "procedures_by_pattern": dict(patterns.most_common()),
        "procedures_by_classification": dict(classes.most_common()),
        "procedures_by_mode": dict(modes.most_common()),
        "conversion": conversion,
        "multi_writer_tables": multi,
        "dependency_layers": [sorted(layers[n], key=str.lower) for n in sorted(layers)],
        "problems": [p.describe() for p in [*discovered.problems, *analysis.problems, *written.problems]],
    }
