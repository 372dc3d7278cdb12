"""Ordering tables so a table another one reads is generated (and built) first."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from .catalog import MigrationProject
from .names import TableId, normalize_name


def upstream_targets(mp: MigrationProject, table: TableId) -> set[str]:
    """Targets that ``table``'s writer (or a view itself) reads (from the catalog's references)."""
    key = table.key
    t = mp.tables.get(key)
    writer = t.scoping.selected_writer if t and t.scoping else None
    proc = mp.procedures.get(normalize_name(writer)) if writer else None  # a rejected one fails its table later
    if t is not None and t.is_view:  # a view's inputs are on the view itself
        refs = t.references.in_scope if t.references else []
    elif proc is not None:
        refs = proc.references.in_scope
    else:
        return set()
    targets = {x.key for x in mp.targets}
    reads = {normalize_name(f"{r.schema_}.{r.name}") for r in refs if r.is_selected}
    return (reads & targets) - {key}


def dependency_order(mp: MigrationProject, tables: list[TableId]) -> list[TableId]:
    """``tables`` in dependency order (stable for independent tables); the edges of a cycle are
    dropped (the run pauses its culprit), so the rest keeps its order."""
    by_key = {t.key: t for t in tables}
    graph = {k: upstream_targets(mp, t) & by_key.keys() for k, t in by_key.items()}
    while True:
        sorter = TopologicalSorter(graph)
        try:
            sorter.prepare()
            break
        except CycleError as exc:
            cycle = exc.args[1]  # [a, b, ..., a]
            for node, nxt in zip(cycle, cycle[1:]):
                graph[node].discard(nxt)
                graph[nxt].discard(node)
    ordered: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=list(by_key).index)
        ordered += ready
        sorter.done(*ready)
    return [by_key[k] for k in ordered]
