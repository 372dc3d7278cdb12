"""Dependency closure of a run's generated models, before dbt sees them: pure graph work.

A model that ``ref()``s a model neither generated in this run nor present in the project would
stop dbt's parse of the whole project, and a ``ref()`` cycle stops it too. Both are found here,
on the graph of the conversions' own relations, so the run can pause exactly those models (and
whatever waits on them) and build everything else in one dbt invocation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Hold:
    """Why one generated model cannot be built in this run."""

    model: str
    waiting_for: list[str] = field(default_factory=list)  # the refs it lacks (direct)
    reason: str = ""  # "waiting for dim_x (why dim_x is missing)" or "cycle: a -> b -> a"
    cycle: list[str] | None = None  # the cycle's path when this model is its culprit


def _why(model: str, missing_why: Mapping[str, str], holds: Mapping[str, Hold]) -> str:
    if model in holds:
        h = holds[model]
        return h.reason if h.cycle else "paused: waiting for " + ", ".join(h.waiting_for)
    return missing_why.get(model) or "not generated in this run and not in the dbt project"


def find_cycles(refs: Mapping[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of models that ref each other (a self-ref included), each
    as the path ``[a, b, ..., a]`` through it, members in a stable order (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(refs):
        if root in index:
            continue
        work = [(root, iter(sorted(refs.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in refs:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(refs.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    members.append(m)
                    if m == node:
                        break
                if len(members) > 1 or node in refs.get(node, ()):
                    groups.append(_cycle_path(sorted(members), refs))
    return groups


def _cycle_path(members: list[str], refs: Mapping[str, set[str]]) -> list[str]:
    """A closed path through a strongly connected group, from its first member back to it."""
    inside = set(members)
    start = members[0]
    if start in refs.get(start, ()):
        return [start, start]
    # Breadth-first from start to any member that refs start: the shortest cycle through start.
    parent: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(refs.get(node, ())):
            if nxt == start:
                path = [node]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])  # type: ignore[arg-type]
                return list(reversed(path)) + [start]
            if nxt in inside and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return [start, start]  # unreachable for a strongly connected group


def plan_holds(
    refs: Mapping[str, set[str]],
    present: set[str],
    missing_why: Mapping[str, str] | None = None,
    order: list[str] | None = None,
) -> dict[str, Hold]:
    """Which generated models to pause, and why.

    ``refs``: each model generated in this run -> the models it ``ref()``s. ``present``: models the
    dbt project has besides them. ``missing_why``: why a model of this run's targets produced
    nothing (its failure). A model is held when a ref is neither generated nor present, when it is
    the culprit of a cycle (the last of the cycle in ``order``; the others then wait for it), and
    when it refs a held model, transitively.
    """
    missing_why = missing_why or {}
    rank = {m: n for n, m in enumerate(order or sorted(refs))}
    holds: dict[str, Hold] = {}
    for model in sorted(refs, key=lambda m: rank.get(m, len(rank))):
        lacking = sorted(r for r in refs[model] if r not in refs and r not in present)
        if lacking:
            reasons = "; ".join(f"waiting for {r} ({_why(r, missing_why, holds)})" for r in lacking)
            holds[model] = Hold(model, lacking, reasons)
    for path in find_cycles({m: r for m, r in refs.items() if m not in holds}):
        culprit = max(path[:-1], key=lambda m: rank.get(m, len(rank)))
        holds[culprit] = Hold(culprit, [], "cycle: " + " -> ".join(path), cycle=path)
    changed = True
    while changed:  # transitive dependents, each waiting for the held models it refs
        changed = False
        for model in sorted(refs, key=lambda m: rank.get(m, len(rank))):
            if model in holds:
                continue
            waits = sorted(r for r in refs[model] if r in holds and r != model)
            if waits:
                reasons = "; ".join(f"waiting for {r} ({_why(r, missing_why, holds)})" for r in waits)
                holds[model] = Hold(model, waits, reasons)
                changed = True
    return holds
