"""The inventory as one self-contained HTML page (`migrate discover --html PATH`).

Every text is HTML-escaped. The page's look is ``page()`` alone: when the parallel-run report's
shared style module exists, ``page()`` is the one place to switch to it."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;color:#1f2328}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
th{background:#f6f8fa}.ok{color:#1a7f37}.bad{color:#cf222e}.warn{color:#9a6700}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem}
.card b{display:block;font-size:1.4rem}
"""


def page(title: str, body: str) -> str:
    """The document around the sections (the shared report style goes here)."""
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head>\n<body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _table(headers: list[str], rows: list[list[Any]], css: str = "") -> str:
    if not rows:
        return "<p>none</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    cls = f' class="{css}"' if css else ""
    body = "".join("<tr>" + "".join(f"<td{cls}>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render(inv: dict[str, Any]) -> str:
    counts = inv["counts"]
    cards = "".join(f'<div class="card"><b>{int(v)}</b>{escape(k)}</div>' for k, v in counts.items())
    kinds = sorted({k for c in inv["objects_by_schema"].values() for k in c})
    schemas = [[s, *(c.get(k, 0) for k in kinds)] for s, c in inv["objects_by_schema"].items()]
    conv = inv["conversion"]
    parts = [
        f'<div class="cards">{cards}</div>',
        "<h2>Catalogs written</h2>" + _table(["bucket", "files"], [[k, v] for k, v in inv["catalogs_written"].items()]),
        "<h2>Objects per schema</h2>" + _table(["schema", *kinds], schemas),
        "<h2>Procedures per pattern</h2>"
        + _table(["pattern", "procedures"], list(map(list, inv["procedures_by_pattern"].items()))),
        "<h2>Procedures per classification</h2>"
        + _table(["classification", "procedures"], list(map(list, inv["procedures_by_classification"].items()))),
        f"<h2>Converted by rule ({len(conv['rules'])})</h2>"
        + _table(["table"], [[r["table"]] for r in conv["rules"]], "ok"),
        f"<h2>Needs the LLM ({len(conv['llm'])})</h2>"
        + _table(["table", "why"], [[r["table"], r["why"]] for r in conv["llm"]], "warn"),
        f"<h2>Not ready ({len(conv['not_ready'])})</h2>"
        + _table(["table", "why"], [[r["table"], r["why"]] for r in conv["not_ready"]], "bad"),
        "<h2>Tables with several writers</h2>"
        + _table(
            ["table", "candidates"],
            [[m["table"], ", ".join(map(str, m["candidates"]))] for m in inv["multi_writer_tables"]],
        ),
        "<h2>Dependency layers</h2>"
        + _table(["layer", "targets"], [[n, ", ".join(t)] for n, t in enumerate(inv["dependency_layers"])]),
        "<h2>Problems</h2>" + _table(["problem"], [[p] for p in inv["problems"]], "bad"),
    ]
    return page("dbt-migrate discover: warehouse inventory", "\n".join(parts))
