"""Pause / restore readiness: pure functions over sets, no I/O.

A *group* is a dbt tag (``dim_customer``): one dimension or fact and its models. A *paused* model
is a ``<model>.sql.skip`` file dbt does not parse. Everything here works on plain data produced at
the edges: the parsed project (``dbt.manifest_inventory``) and the dependencies dbt's static
extractor read from each ``.skip`` file. The orchestration (files, dbt, git) is in
``lifecycle.ops``; the state document in ``lifecycle.state``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

READY, BLOCKED, INVESTIGATE = "ready", "blocked", "investigate"


@dataclass(frozen=True)
class Dependency:
    """One ``ref(...)`` or ``source(...)`` call of a model."""

    kind: str  # "ref" or "source"
    name: str  # model name, or source name
    table: str | None = None  # source table
    package: str | None = None
    version: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "source":
            return f"source('{self.name}', '{self.table}')"
        args = [f"'{self.package}'"] if self.package else []
        args.append(f"'{self.name}'")
        if self.version is not None:
            args.append(f"v={self.version}")
        return f"ref({', '.join(args)})"

    @classmethod
    def from_label(cls, label: str) -> Dependency:
        """Inverse of ``label`` (used to read the state document's machine block)."""
        kind, _, rest = label.partition("(")
        parts = [p.strip() for p in rest.rstrip(")").split(",") if p.strip()]
        if kind == "source":
            return cls("source", parts[0].strip("'\""), parts[1].strip("'\""))
        version = None
        names = []
        for p in parts:
            if p.startswith("v=") or p.startswith("version="):
                version = p.split("=", 1)[1].strip("'\"")
            else:
                names.append(p.strip("'\""))
        package, name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return cls("ref", name, package=package, version=version)


def dependencies_from(refs: Iterable[dict], sources: Iterable[tuple[str, str]]) -> list[Dependency]:
    deps = [Dependency("ref", r["name"], package=r.get("package"), version=r.get("version")) for r in refs]
    deps += [Dependency("source", s, t) for s, t in sources]
    unique: list[Dependency] = []
    for d in deps:
        if d not in unique:
            unique.append(d)
    return unique


@dataclass
class PausedModel:
    """A ``.sql.skip`` file: its model name, groups, and what it depends on."""

    name: str
    path: str  # relative to the dbt project, ends in .sql.skip
    groups: set[str] = field(default_factory=set)
    deps: list[Dependency] = field(default_factory=list)
    unreadable: str | None = None  # why dbt's static extractor could not read it


@dataclass
class ProjectIndex:
    """What the parsed project provides: sets, so every lookup is O(1)."""

    project_name: str | None
    names: set[str]  # models, snapshots, seeds (enabled, parsed)
    package_names: set[tuple[str, str]]  # (package, name)
    versions: set[tuple[str, str]]  # (name, version) of versioned models
    sources: set[tuple[str, str]]  # declared (source, table)
    groups_of: dict[str, set[str]] = field(default_factory=dict)  # active model -> its tags

    def resolves(self, dep: Dependency) -> bool:
        if dep.kind == "source":
            return (dep.name, dep.table) in self.sources
        if dep.package and dep.package != self.project_name:
            if (dep.package, dep.name) not in self.package_names:
                return False
        elif dep.name not in self.names:
            return False
        return dep.version is None or (dep.name, dep.version) in self.versions


def build_index(inventory, exclude: Collection[str] = frozenset()) -> ProjectIndex:
    """Index a ``dbt.ManifestInventory``; ``exclude`` drops nodes (by unique_id) that do not resolve."""
    names, package_names, versions = set(), set(), set()
    groups_of: dict[str, set[str]] = {}
    for node in inventory.nodes:
        if node.unique_id in exclude:
            continue
        names.add(node.name)
        package_names.add((node.package, node.name))
        if node.version is not None:
            versions.add((node.name, node.version))
        if node.resource_type in {"model", "snapshot"}:
            groups_of.setdefault(node.name, set()).update(node.tags)
    return ProjectIndex(inventory.project_name, names, package_names, versions, set(inventory.sources), groups_of)


@dataclass
class Verdict:
    """Readiness of one paused model."""

    name: str
    status: str  # ready | blocked | investigate
    missing: list[Dependency] = field(default_factory=list)
    present: list[Dependency] = field(default_factory=list)
    waits_on: list[str] = field(default_factory=list)  # paused models of this group it needs
    reason: str | None = None  # for investigate
    provided_by: dict[str, list[str]] = field(default_factory=dict)  # missing name -> paused elsewhere in groups

    @property
    def missing_labels(self) -> list[str]:
        return [d.label for d in self.missing]


def readiness(
    candidates: list[PausedModel], index: ProjectIndex, elsewhere: dict[str, set[str]] | None = None
) -> dict[str, Verdict]:
    """Which paused models can come back now, with transitive closure.

    A candidate is ready when each dependency resolves in ``index`` or is another candidate that
    is ready. ``elsewhere`` maps paused models outside the candidates (other groups) to their
    groups: they are not restored here, but the report names the group that would provide them.
    """
    elsewhere = elsewhere or {}
    by_name = {m.name: m for m in candidates}
    verdicts: dict[str, Verdict] = {}
    waiting: dict[str, set[str]] = {}
    dependents: dict[str, set[str]] = defaultdict(set)
    for m in candidates:
        if m.unreadable is not None:
            verdicts[m.name] = Verdict(m.name, INVESTIGATE, reason=m.unreadable)
            continue
        v = Verdict(m.name, READY)
        waits: set[str] = set()
        for dep in m.deps:
            if index.resolves(dep):
                v.present.append(dep)
            elif dep.kind == "ref" and dep.name in by_name and dep.name != m.name:
                waits.add(dep.name)
            else:
                v.missing.append(dep)
                if dep.kind == "ref" and dep.name in elsewhere:
                    v.provided_by[dep.name] = sorted(elsewhere[dep.name])
        v.waits_on = sorted(waits)
        if v.missing:
            v.status = BLOCKED
        verdicts[m.name] = v
        waiting[m.name] = waits
        for w in waits:
            dependents[w].add(m.name)

    # Kahn's walk: a model becomes ready when everything it waits on is ready.
    pending = {n: len(w) for n, w in waiting.items() if verdicts[n].status == READY}
    queue = [n for n, c in pending.items() if c == 0]
    ready: set[str] = set()
    while queue:
        n = queue.pop()
        ready.add(n)
        for d in dependents.get(n, ()):
            if d in pending:
                pending[d] -= 1
                if pending[d] == 0:
                    queue.append(d)
    for n, v in verdicts.items():
        if v.status == READY and n not in ready:
            v.status = BLOCKED
        if v.status != INVESTIGATE and v.waits_on:
            # A model of this group it waits on: present once restored, missing while still paused.
            for w in v.waits_on:
                dep = next(d for d in by_name[n].deps if d.kind == "ref" and d.name == w)
                if w in ready:
                    v.present.append(dep)
                else:
                    v.missing.append(dep)
    return verdicts


def restore_order(verdicts: dict[str, Verdict]) -> list[str]:
    """Ready models, dependencies first (so every prefix of the list parses on its own)."""
    ready = {n for n, v in verdicts.items() if v.status == READY}
    order: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen:
            return
        seen.add(n)
        for w in verdicts[n].waits_on:
            if w in ready:
                visit(w)
        order.append(n)

    for n in sorted(ready):
        visit(n)
    return order


def dependents_closure(roots: Iterable[str], verdicts: dict[str, Verdict], among: Iterable[str]) -> set[str]:
    """``roots`` plus every model in ``among`` that waits on them, directly or not."""
    among = set(among)
    out = set(roots)
    changed = True
    while changed:
        changed = False
        for n in among - out:
            if any(w in out for w in verdicts[n].waits_on):
                out.add(n)
                changed = True
    return out


# -- pause planning ----------------------------------------------------------------------------
@dataclass
class PauseItem:
    name: str
    path: str  # the .sql file, relative to the dbt project
    missing: list[Dependency]
    present: list[Dependency]


@dataclass
class PausePlan:
    group: str
    members: list[str]  # active models of the group before pausing
    to_pause: list[PauseItem]
    blockers_outside: dict[str, list[str]]  # model outside the group -> group models it needs
    broken_outside: dict[str, list[str]]  # model outside the group -> its own missing deps


def plan_pause(group: str, inventory, unresolved: list) -> PausePlan:
    """Choose the group's models to pause: unresolved refs/sources, then whatever needs those."""
    project = inventory.project_name
    own = [n for n in inventory.nodes if n.resource_type in {"model", "snapshot"} and n.package == project]
    in_group = {n.unique_id: n for n in own if group in n.tags}
    missing: dict[str, list[Dependency]] = defaultdict(list)
    broken_outside: dict[str, list[str]] = defaultdict(list)
    for u in unresolved:
        if u.target_kind == "source":
            src, _, table = u.target_name.partition(".")
            dep = Dependency("source", src, table)
        else:
            dep = Dependency("ref", u.target_name, package=u.target_package, version=u.target_version)
        if u.unique_id in in_group:
            missing[u.unique_id].append(dep)
        else:
            broken_outside[u.name].append(dep.label)

    paused_names = {in_group[uid].name for uid in missing}
    changed = True
    while changed:  # cascade: a group model that refs a model being paused is paused too
        changed = False
        for node in in_group.values():
            if node.name in paused_names:
                continue
            if any(r["name"] in paused_names for r in node.refs):
                paused_names.add(node.name)
                changed = True

    items = []
    for uid, node in sorted(in_group.items(), key=lambda kv: kv[1].name):
        if node.name not in paused_names:
            continue
        deps = dependencies_from(node.refs, node.sources)
        miss = list(missing.get(uid, []))
        miss += [d for d in deps if d.kind == "ref" and d.name in paused_names and d not in miss]
        items.append(PauseItem(node.name, node.path, miss, [d for d in deps if d not in miss]))

    blockers: dict[str, list[str]] = {}
    for node in own:
        if node.unique_id in in_group:
            continue
        needs = sorted({r["name"] for r in node.refs if r["name"] in paused_names})
        if needs:
            blockers[node.name] = needs
    return PausePlan(group, sorted(n.name for n in in_group.values()), items, blockers, dict(broken_outside))


def groups_from_configs(configs: Iterable[tuple[str, object]]) -> set[str]:
    """Tags set by ``{{ config(tags=...) }}`` (a string or a list of strings)."""
    out: set[str] = set()
    for key, value in configs:
        if key != "tags":
            continue
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, (list, tuple)):
            out.update(v for v in value if isinstance(v, str))
    return out
