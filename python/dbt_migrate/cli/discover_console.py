"""Human output of `migrate discover`: what changed per file, problems, and the inventory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from ..discover.writer import STATUSES
from .console import console, err_console

if TYPE_CHECKING:
    from ..discover.run import DiscoverResult


_ORDER = ("changed", "removed", "kept", "added")


def print_discover(result: DiscoverResult, html_path: Path | None) -> None:
    written = result.written
    for f in written.files:
        if f.status == "unchanged" and not f.changes:
            continue
        shown = sorted(f.changes, key=lambda c: _ORDER.index(c.kind))  # edits before additions
        summary = ", ".join(f"{c.kind} {c.field}" for c in shown[:6])
        more = f" (+{len(f.changes) - 6} more)" if len(f.changes) > 6 else ""
        why = f" ({f.why})" if f.why else ""
        console.print(f"{escape(f.status):<9} {escape(f.path)}{escape(why)}  {escape(summary + more)}", highlight=False)
    counts = ", ".join(f"{written.count(s)} {s}" for s in STATUSES)
    dry = "  (dry run: nothing written; this is what a run would do)" if written.dry_run else ""
    console.print(f"{len(written.files)} files: {counts}{dry}")
    for note in result.discovered.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]", highlight=False)
    for p in result.problems:
        err_console.print(f"[red]problem:[/red] {escape(p.describe())}", highlight=False)
    if result.inventory is not None:
        print_inventory(result.inventory)
    if html_path is not None:
        console.print(f"inventory written to {escape(str(html_path))}")


def _counts_table(title: str, rows: dict[str, Any], what: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(what)
    table.add_column("count", justify="right")
    for k, v in rows.items():
        table.add_row(escape(str(k)), str(v))
    return table


def print_inventory(inv: dict[str, Any]) -> None:
    console.print(_counts_table("Warehouse", inv["counts"], "objects"))
    console.print(_counts_table("Catalogs written", inv["catalogs_written"], "bucket"))
    kinds = sorted({k for c in inv["objects_by_schema"].values() for k in c})
    schemas = Table(title="Objects per schema", title_justify="left")
    for col in ("schema", *kinds):
        schemas.add_column(col)
    for schema, c in inv["objects_by_schema"].items():
        schemas.add_row(escape(schema), *(str(c.get(k, 0)) for k in kinds))
    console.print(schemas)
    console.print(_counts_table("Procedures per pattern", inv["procedures_by_pattern"], "pattern"))
    console.print(_counts_table("Procedures per classification", inv["procedures_by_classification"], "classification"))
    conv = inv["conversion"]
    routes = Table(title="Conversion", title_justify="left")
    routes.add_column("route")
    routes.add_column("table")
    routes.add_column("why")
    for route, style in (("rules", "green"), ("llm", "yellow"), ("not_ready", "red")):
        for r in conv[route]:
            routes.add_row(
                f"[{style}]{route}[/{style}]", escape(r["table"]), escape(r["why"] if route != "rules" else "")
            )
    console.print(routes)
    console.print(f"{len(conv['rules'])} by rule, {len(conv['llm'])} need the LLM, {len(conv['not_ready'])} not ready")
    for m in inv["multi_writer_tables"]:
        console.print(
            f"several writers: {escape(m['table'])}: {escape(', '.join(map(str, m['candidates'])))}", highlight=False
        )
    for n, layer in enumerate(inv["dependency_layers"]):
        console.print(f"layer {n}: {escape(', '.join(layer))}", highlight=False)
