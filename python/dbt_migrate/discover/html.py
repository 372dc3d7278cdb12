"""The inventory as one self-contained HTML page (`migrate discover --html PATH`), in the same style
as the parallel run's report (`report_style`: inline CSS, a CSP that loads nothing, every value
escaped by its builders)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .. import report_style as rs

_FLAGS = {"match": "by rule", "mismatch": "review", "error": "blocked"}


def _section(title: str, headers: list[str], rows: list[list[Any]], status: str = "neutral") -> Markup:
    flag = rs.badge(status, _FLAGS[status]) if status in _FLAGS and rows else Markup("")
    heading = Markup("<h2>{} ({}) {}</h2>").format(title, len(rows), flag)
    if not rows:
        return heading + Markup("<p>none</p>")
    return heading + rs.table(headers, rows)


def render(inv: dict[str, Any]) -> str:
    counts = inv["counts"]
    kinds = sorted({k for c in inv["objects_by_schema"].values() for k in c})
    schemas = [[s, *(c.get(k, 0) for k in kinds)] for s, c in inv["objects_by_schema"].items()]
    conv = inv["conversion"]
    problems = inv["problems"]
    parts = [
        rs.cards((label, value, "neutral") for label, value in counts.items()),
        _section("Catalogs written", ["bucket", "files"], [[k, v] for k, v in inv["catalogs_written"].items()]),
        _section("Objects per schema", ["schema", *kinds], schemas),
        _section(
            "Procedures per pattern", ["pattern", "procedures"], list(map(list, inv["procedures_by_pattern"].items()))
        ),
        _section(
            "Procedures per classification",
            ["classification", "procedures"],
            list(map(list, inv["procedures_by_classification"].items())),
        ),
        _section("Converted by rule", ["table"], [[r["table"]] for r in conv["rules"]], "match"),
        _section("Needs the LLM", ["table", "why"], [[r["table"], r["why"]] for r in conv["llm"]], "mismatch"),
        _section("Not ready", ["table", "why"], [[r["table"], r["why"]] for r in conv["not_ready"]], "error"),
        _section(
            "Tables with several writers",
            ["table", "candidates"],
            [[m["table"], ", ".join(map(str, m["candidates"]))] for m in inv["multi_writer_tables"]],
            "mismatch" if inv["multi_writer_tables"] else "neutral",
        ),
        _section(
            "Dependency layers",
            ["layer", "targets"],
            [[n, ", ".join(t)] for n, t in enumerate(inv["dependency_layers"])],
        ),
        _section("Problems", ["problem"], [[p] for p in problems], "error" if problems else "match"),
    ]
    return rs.page("dbt-migrate discover: warehouse inventory", Markup("\n").join(parts))
