"""The only module that talks to dbt: in-process invocations through ``dbtRunner``.

Callers get typed outcomes (``DbtOutcome`` with per-node results), never log lines to parse.
dbt's in-process API is not thread-safe, so every invocation holds one process-wide lock.
dbt catches Ctrl-C itself (cancelling its queries, joining its threads) and returns it as a failed
result; ``_invoke`` turns that back into ``KeyboardInterrupt`` for the caller (``interrupts``).
Only ``build`` is interrupted midway; other commands finish first (Ctrl-C is counted meanwhile).

Why one module of ~600 lines: it is the one place that knows dbt's objects (runner results,
manifest nodes, the parser's hook for missing refs, dbt-extractor). Invocation, manifest helpers
and static extraction stay together so that no other module ever imports dbt.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import interrupts
from .names import normalize_name
from .rules import MIGRATED_TAG
from .warehouse import DbtInfo

_LOCK = threading.Lock()

# Events whose text we keep as errors (dbt fires these for failures a user must see).
_ERROR_LEVELS = {"error"}


@dataclass
class NodeResult:
    """One dbt node's result from a build/compile/run/test."""

    unique_id: str
    resource_type: str  # model, unit_test, test, snapshot, seed, ...
    name: str
    status: str  # success, error, fail, pass, skipped, warn
    message: str | None = None
    attached_node: str | None = None  # for tests: the model they test
    model_name: str | None = None  # for models/unit tests: the model the node belongs to
    execution_time: float = 0.0
    rows_affected: int | None = None
    compiled_code: str | None = None
    compiled: bool = False  # dbt compiled the node (False when compilation failed or it was skipped)

    @property
    def ok(self) -> bool:
        return self.status in {"success", "pass", "warn"}


@dataclass
class DbtOutcome:
    """What an invocation returned: success flag, node results, errors, printed lines."""

    command: str
    success: bool
    results: list[NodeResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    debug_logs: list[str] = field(default_factory=list)
    manifest: Any = None
    exception: str | None = None
    # parse_lenient(): refs/sources that did not resolve (dbt would have stopped at the first).
    unresolved: list[Unresolved] = field(default_factory=list)
    # Files of the nodes a failing invocation's exception names (typed, not read from log lines).
    exception_paths: list[str] = field(default_factory=list)
    # dbt raised FailedToConnectError (the warehouse is unreachable: compile cannot introspect).
    connection_failed: bool = False


def profiles_dir_for(project_dir: Path) -> Path | None:
    """profiles.yml inside the dbt project wins; else dbt's own lookup ($DBT_PROFILES_DIR, ~/.dbt)."""
    if (project_dir / "profiles.yml").is_file():
        return project_dir
    env = os.environ.get("DBT_PROFILES_DIR")
    return Path(env) if env else None


class DbtProject:
    """A dbt project driven in-process. One instance per project directory."""

    def __init__(self, project_dir: Path | str, target: str | None = None):
        self.project_dir = Path(project_dir).resolve()
        self.target = target
        self.invocations = 0  # how many times dbt was driven (reported in result summaries)
        self.invocations_by_command: dict[str, int] = {}

    # -- public API -------------------------------------------------------------------------
    def parse(self) -> DbtOutcome:
        return self._invoke(["parse"], "parse")

    def parse_lenient(self) -> DbtOutcome:
        """Parse, recording every ref/source that does not resolve instead of stopping at the first.

        dbt raises ``TargetNotFoundError`` for the first model whose ref or source is missing, so
        a project with N missing dependencies needs N parses to discover them. Here dbt's own hook
        for that failure records the miss and lets parsing go on: one parse yields the complete
        manifest plus ``outcome.unresolved``. Partial parsing is off, and the partial_parse.msgpack
        dbt writes anyway is removed afterwards, so this lenient manifest never becomes the
        project's saved parse state.
        """
        outcome = self._invoke(["parse", "--no-partial-parse", "--no-write-json"], "parse", lenient=True)
        try:
            (self.project_dir / "target" / "partial_parse.msgpack").unlink()
        except OSError:
            pass  # not written: dbt parses fully next time either way
        return outcome

    def deps(self) -> DbtOutcome:
        return self._invoke(["deps"], "deps")

    def compile(self, select: Iterable[str] | None = None, manifest: Any = None) -> DbtOutcome:
        return self._invoke(["compile", *self._select(select)], "compile", manifest=manifest)

    def build(
        self, select: Iterable[str] | None = None, manifest: Any = None, extra: list[str] | None = None
    ) -> DbtOutcome:
        return self._invoke(["build", *self._select(select), *(extra or [])], "build", manifest=manifest)

    def run_operation(self, macro: str, args: dict | None = None, manifest: Any = None) -> DbtOutcome:
        import json

        argv = ["run-operation", macro]
        if args is not None:
            argv += ["--args", json.dumps(args)]
        return self._invoke(argv, "run-operation", manifest=manifest)

    # -- internals --------------------------------------------------------------------------
    @staticmethod
    def _select(select: Iterable[str] | None) -> list[str]:
        items = list(select or [])
        return ["--select", *items] if items else []

    def _common_args(self) -> list[str]:
        args = ["--project-dir", str(self.project_dir)]
        prof = profiles_dir_for(self.project_dir)
        if prof is not None:
            args += ["--profiles-dir", str(prof)]
        if self.target:
            args += ["--target", self.target]
        return args

    def _invoke(self, argv: list[str], command: str, manifest: Any = None, lenient: bool = False) -> DbtOutcome:
        sigints = interrupts.received()
        with interrupts.deferred():  # never a half-imported dbt (an interrupt counts; see below)
            from dbt.cli.main import dbtRunner

        outcome = DbtOutcome(command=command, success=False)

        def on_event(event: Any) -> None:
            info = event.info
            name = info.name
            if name == "PrintEvent":
                outcome.printed.append(event.data.msg)
            elif name in {"JinjaLogDebug", "JinjaLogInfo"}:
                outcome.debug_logs.append(event.data.msg)
            elif info.level in _ERROR_LEVELS and info.msg:
                outcome.errors.append(str(info.msg))

        # Global flags first: nothing on the console (events reach us through the callback), no
        # anonymous usage pings (offline machines).
        full = [
            "--log-level",
            "none",
            "--no-send-anonymous-usage-stats",
            "--no-use-colors",
            *argv,
            *self._common_args(),
        ]
        with _LOCK:
            self.invocations += 1
            self.invocations_by_command[command] = self.invocations_by_command.get(command, 0) + 1
            runner = dbtRunner(manifest=manifest, callbacks=[on_event])
            restore_hook = _record_unresolved(outcome.unresolved) if lenient else None
            # Run from the project folder, as `dbt` typed there would: relative paths in
            # profiles.yml (the DuckDB file) then mean the same for the sidecar and a person.
            cwd = os.getcwd()
            # dbt's build cancels its queries on Ctrl-C; anything else (parse, compile, macros)
            # finishes first, so that no file dbt writes (partial_parse.msgpack, manifest.json)
            # is cut short and no interrupt lands at a random point inside dbt's parser.
            defer = interrupts.deferred() if command != "build" else contextlib.nullcontext()
            try:
                os.chdir(self.project_dir)
                with defer:
                    res = runner.invoke(full)
            except BaseException as exc:  # dbt raises on some fatal paths; never let it escape raw
                if isinstance(exc, KeyboardInterrupt):
                    raise
                if interrupts.interrupted_since(sigints):
                    interrupts.raise_interrupt(f"dbt {command} interrupted")
                outcome.exception = f"{type(exc).__name__}: {exc}"
                outcome.connection_failed = _is_connection_error(exc)
                outcome.errors.append(outcome.exception)
                outcome.exception_paths = _exception_paths(exc)
                return outcome
            finally:
                os.chdir(cwd)
                if restore_hook is not None:
                    restore_hook()
        if interrupts.interrupted_since(sigints) or _is_interrupt(res.exception):
            # dbt caught the KeyboardInterrupt (after cancelling its queries and joining its
            # threads) and returned it as a failed result: hand it on to the caller.
            interrupts.raise_interrupt(f"dbt {command} interrupted")
        outcome.success = bool(res.success)
        if res.exception is not None:
            outcome.exception = str(res.exception)
            outcome.connection_failed = _is_connection_error(res.exception)
            outcome.exception_paths = _exception_paths(res.exception)
            if outcome.exception not in outcome.errors:
                outcome.errors.append(outcome.exception)
        result = res.result
        if command == "parse":
            outcome.manifest = result
        elif result is not None and hasattr(result, "results"):
            # run-operation returns an artifact whose rows carry no node; only node rows matter.
            outcome.results = [_node_result(r) for r in result.results if hasattr(r, "node")]
        return outcome


def _node_result(r: Any) -> NodeResult:
    node = r.node
    resource_type = str(getattr(node, "resource_type", ""))
    attached = getattr(node, "attached_node", None)
    model_name = None
    if resource_type == "model" or resource_type == "snapshot":
        model_name = node.name
    elif resource_type == "unit_test":
        # A unit-test definition names its model; the compiled unit-test node only its id.
        tested = getattr(node, "tested_node_unique_id", None)
        model_name = getattr(node, "model", None) or (tested.split(".")[-1] if tested else None)
    adapter_response = getattr(r, "adapter_response", None) or {}
    return NodeResult(
        unique_id=node.unique_id,
        resource_type=resource_type,
        name=node.name,
        status=str(r.status),
        message=r.message,
        attached_node=attached,
        model_name=model_name,
        execution_time=float(getattr(r, "execution_time", 0.0) or 0.0),
        rows_affected=adapter_response.get("rows_affected") if isinstance(adapter_response, dict) else None,
        compiled_code=getattr(node, "compiled_code", None),
        compiled=bool(getattr(node, "compiled", False)),
    )


# -- lenient parsing and static extraction (used by pause / restore / status) ---------------------
@dataclass
class Unresolved:
    """A ref or source of a node that names nothing in the manifest."""

    unique_id: str
    name: str
    resource_type: str
    path: str  # original_file_path, relative to the dbt project
    tags: list[str]
    target_kind: str  # "node" (a ref) or "source"
    target_name: str  # model name, or "source.table"
    target_package: str | None = None
    target_version: str | None = None


def _record_unresolved(sink: list[Unresolved]) -> Any:
    """Swap dbt's missing-target failure for a recorder; returns the function that undoes it."""
    import dbt.parser.manifest as loader

    original = loader.invalid_target_fail_unless_test

    def record(
        node: Any,
        target_name: str,
        target_kind: str,
        target_package: Any = None,
        target_version: Any = None,
        disabled: Any = None,
        **kwargs: Any,
    ) -> None:
        if str(node.resource_type) == "test":  # dbt only warns for tests: keep its behaviour
            original(node, target_name, target_kind, target_package, target_version, disabled, **kwargs)
            return
        sink.append(
            Unresolved(
                unique_id=node.unique_id,
                name=node.name,
                resource_type=str(node.resource_type),
                path=node.original_file_path,
                tags=list(node.tags or []),
                target_kind=target_kind,
                target_name=target_name,
                target_package=target_package,
                target_version=version_text(target_version),
            )
        )

    # dbt's stub types its optional arguments more narrowly than the recorder accepts them.
    loader.invalid_target_fail_unless_test = record  # type: ignore[assignment]

    def undo() -> None:
        loader.invalid_target_fail_unless_test = original

    return undo


def _is_interrupt(exc: BaseException | None) -> bool:
    """Whether dbt's failure is a Ctrl-C (``KeyboardInterrupt``, possibly wrapped by dbt)."""
    return _in_chain(exc, KeyboardInterrupt)


def _is_connection_error(exc: BaseException | None) -> bool:
    """Whether dbt failed because it could not reach the warehouse (by exception type, chained)."""
    from dbt.adapters.exceptions.connection import FailedToConnectError

    return _in_chain(exc, FailedToConnectError)


def _in_chain(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether ``exc`` or an exception it was raised from or during is a ``kind``."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _exception_paths(exc: Any) -> list[str]:
    paths: list[str] = []
    for attr in ("node", "node_1", "node_2"):
        node = getattr(exc, attr, None)
        path = getattr(node, "original_file_path", None)
        if isinstance(path, str) and path not in paths:
            paths.append(path)
    return paths


def version_text(version: Any) -> str | None:
    """Model versions compare as text: 2, 2.0 and "2" are the same version."""
    if version is None:
        return None
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    return str(version)


@dataclass
class ManifestNode:
    """What pause / restore / status need to know about one parsed node."""

    unique_id: str
    name: str
    resource_type: str
    package: str
    path: str
    tags: list[str]
    version: str | None
    latest_version: str | None
    refs: list[dict]  # {"name", "package", "version"}
    sources: list[tuple[str, str]]


@dataclass
class ManifestInventory:
    project_name: str | None
    nodes: list[ManifestNode]
    sources: set[tuple[str, str]]


def manifest_inventory(manifest: Any) -> ManifestInventory:
    """Flatten a parsed manifest into plain data: models, snapshots, seeds and declared sources."""
    nodes: list[ManifestNode] = []
    for node in manifest.nodes.values():
        rtype = str(node.resource_type)
        if rtype not in {"model", "snapshot", "seed"}:
            continue
        # A seed reads nothing, and dbt's SeedNode raises on ``.refs`` / ``.sources``.
        reads = rtype != "seed"
        refs = [
            {"name": r.name, "package": r.package, "version": version_text(r.version)}
            for r in (getattr(node, "refs", []) if reads else []) or []
        ]
        nodes.append(
            ManifestNode(
                unique_id=node.unique_id,
                name=node.name,
                resource_type=rtype,
                package=node.package_name,
                path=node.original_file_path,
                tags=list(node.tags or []),
                version=version_text(getattr(node, "version", None)),
                latest_version=version_text(getattr(node, "latest_version", None)),
                refs=refs,
                sources=[(s[0], s[1]) for s in (getattr(node, "sources", []) if reads else []) or []],
            )
        )
    sources = {(s.source_name, s.name) for s in manifest.sources.values()}
    project_name = getattr(getattr(manifest, "metadata", None), "project_name", None)
    return ManifestInventory(project_name=project_name, nodes=nodes, sources=sources)


def saved_manifest_inventory(project_dir: Path, newer_than: float) -> ManifestInventory | None:
    """The inventory of the manifest dbt last wrote (``target/manifest.json``) when it is newer
    than ``newer_than`` (the newest change to the project's files); else None (parse instead)."""
    import json

    path = project_dir / "target" / "manifest.json"
    try:
        if path.stat().st_mtime < newer_than:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    nodes: list[ManifestNode] = []
    for node in (data.get("nodes") or {}).values():
        rtype = node.get("resource_type")
        if rtype not in {"model", "snapshot", "seed"}:
            continue
        nodes.append(
            ManifestNode(
                unique_id=node["unique_id"],
                name=node["name"],
                resource_type=rtype,
                package=node.get("package_name", ""),
                path=node.get("original_file_path", ""),
                tags=list(node.get("tags") or []),
                version=version_text(node.get("version")),
                latest_version=version_text(node.get("latest_version")),
                refs=[
                    {"name": r.get("name"), "package": r.get("package"), "version": version_text(r.get("version"))}
                    for r in node.get("refs") or []
                ],
                sources=[(x[0], x[1]) for x in node.get("sources") or []],
            )
        )
    sources = {(x["source_name"], x["name"]) for x in (data.get("sources") or {}).values()}
    project_name = (data.get("metadata") or {}).get("project_name")
    return ManifestInventory(project_name=project_name, nodes=nodes, sources=sources)


class ExtractionFailed(Exception):
    """dbt's static extractor cannot read this Jinja (loops, variables, macros)."""


def static_dependencies(sql: str) -> dict:
    """refs, sources and configs of one model/snapshot file, read by dbt's own static extractor.

    Returns ``{"refs": [{"name", "package", "version"}], "sources": [(source, table)],
    "configs": [(key, value)]}``; raises ExtractionFailed when the Jinja cannot be read statically.
    Snapshot files are unwrapped from their ``{% snapshot %}`` block with dbt's block lexer.
    """
    from dbt_extractor import ExtractionError, py_extract_from_source

    text = sql
    if "snapshot" in sql:
        from dbt_common.clients.jinja import extract_toplevel_blocks

        try:
            blocks = extract_toplevel_blocks(sql, allowed_blocks={"snapshot"}, collect_raw_data=False)
        except Exception as exc:  # dbt's lexer raises its own CompilationError family
            raise ExtractionFailed(str(exc).strip().splitlines()[0]) from exc
        if blocks:
            text = "".join(b.contents or "" for b in blocks)
    try:
        raw = py_extract_from_source(text)
    except ExtractionError as exc:
        raw = _jinja_calls(text)  # other Jinja beside them ({{ invocation_id }}, macros): read the tree
        if raw is None:
            raise ExtractionFailed(str(exc)) from exc
    refs = [
        {"name": r["name"], "package": r.get("package"), "version": version_text(r.get("version"))}
        for r in raw.get("refs", [])
    ]
    sources = sorted((s[0], s[1]) for s in raw.get("sources", set()))
    return {"refs": refs, "sources": sources, "configs": list(raw.get("configs", []))}


def _jinja_calls(text: str) -> dict | None:
    """refs, sources and configs read from dbt's Jinja tree when the text holds other Jinja too
    (``{{ invocation_id }}``, ``{{ dbt.current_timestamp() }}``): only calls whose arguments are all
    literals count; None when a ref/source/config call has any other argument, or the text does
    not parse (then nobody can say statically what it depends on)."""
    import jinja2
    from dbt_common.clients.jinja import get_environment
    from jinja2 import nodes

    try:
        tree = get_environment().parse(text)
    except jinja2.TemplateSyntaxError:
        return None
    out: dict = {"refs": [], "sources": set(), "configs": []}
    for call in tree.find_all(nodes.Call):
        name = call.node.name if isinstance(call.node, nodes.Name) else None
        if name not in {"ref", "source", "config"}:
            continue
        try:
            args = [a.as_const() for a in call.args]
            kwargs = {k.key: k.value.as_const() for k in call.kwargs}
        except nodes.Impossible:
            return None
        if name == "ref" and 1 <= len(args) <= 2:
            package, model = (args[0], args[1]) if len(args) == 2 else (None, args[0])
            out["refs"].append({"name": model, "package": package, "version": kwargs.get("version", kwargs.get("v"))})
        elif name == "source" and len(args) == 2:
            out["sources"].add((args[0], args[1]))
        elif name == "config":
            out["configs"] += list(kwargs.items())
        else:
            return None
    return out


def jinja_syntax_error(sql: str) -> str | None:
    """The message dbt's Jinja environment gives for text it cannot parse (None when it parses):
    what ``dbt parse`` would say of a model whose Jinja is broken, without a project parse."""
    import jinja2
    from dbt_common.clients.jinja import get_environment

    try:
        get_environment().parse(sql)
    except jinja2.TemplateSyntaxError as exc:
        if "unknown tag 'snapshot'" in str(exc.message):  # a snapshot block: dbt lexes those itself
            return None
        return f"{exc.message} (line {exc.lineno})"
    return None


# -- manifest helpers: what the sidecar reads from a parsed manifest -------------------------------
def dbt_info(manifest: Any) -> DbtInfo:
    """Adapter, declared sources and existing models, from a parsed dbt manifest."""
    declared: dict[str, tuple[str, str]] = {}
    for node in manifest.sources.values():
        declared[normalize_name(f"{node.schema}.{node.identifier}")] = (node.source_name, node.name)
    models = {n.name.lower() for n in manifest.nodes.values() if n.resource_type in ("model", "snapshot")}
    seeds = {n.name.lower() for n in manifest.nodes.values() if n.resource_type == "seed"}
    adapter = manifest.metadata.adapter_type or "duckdb"
    return DbtInfo(adapter_type=adapter, declared_sources=declared, models=models, seeds=seeds)


def build_selection(manifest: Any, names: list[str]) -> list[str]:
    """``--select`` for these models and what they need upstream. dbt matches each selector against
    every node, so 500 names cost seconds; when the names are exactly the project's dbt_migrate
    models (a whole-warehouse run) the one tag selector picks the same nodes."""
    tagged = {
        n.name
        for n in manifest.nodes.values()
        if str(n.resource_type) in ("model", "snapshot") and MIGRATED_TAG in (n.tags or [])
    }
    if len(names) > 1 and tagged == set(names):
        return ["+tag:" + MIGRATED_TAG]
    return ["+" + n for n in names]


def belongs_to(r: NodeResult, model: str) -> bool:
    """Whether a node result is the model itself, one of its unit tests, or a test attached to it."""
    if r.resource_type in ("model", "snapshot"):
        return r.name == model
    if r.resource_type == "unit_test":
        return r.model_name == model
    if r.attached_node:
        return r.attached_node.split(".")[-1] == model
    return False


def source_relations(manifest: Any) -> list[dict[str, Any]]:
    """Every declared source as the package's ``_create_empty_sources`` macro reads it."""
    rels = []
    for node in manifest.sources.values():
        rels.append(
            {
                "database": node.database,
                "schema": node.schema,
                "identifier": node.identifier,
                "columns": [{"name": c.name, "data_type": c.data_type} for c in node.columns.values()],
            }
        )
    return rels


def relations_of(manifest: Any) -> dict[str, Any]:
    """Plain data for ``migrate reconcile``: the adapter, every model and snapshot
    (``{name: {database, schema, identifier, resource_type, depends_on: [names]}}``) and every
    declared source (``[{source_name, name, database, schema, identifier, columns}]``)."""
    by_id = {n.unique_id: n for n in manifest.nodes.values()}
    nodes = {}
    for node in by_id.values():
        if str(node.resource_type) not in ("model", "snapshot"):
            continue
        upstream = [by_id[u].name for u in (node.depends_on.nodes or []) if u in by_id]
        nodes[node.name] = {
            "database": node.database,
            "schema": node.schema,
            "identifier": node.alias or node.name,
            "resource_type": str(node.resource_type),
            "depends_on": upstream,
        }
    sources = [
        {
            "source_name": s.source_name,
            "name": s.name,
            "database": s.database,
            "schema": s.schema,
            "identifier": s.identifier,
            "columns": [c.name for c in s.columns.values()],
        }
        for s in manifest.sources.values()
    ]
    return {"adapter": manifest.metadata.adapter_type or "duckdb", "nodes": nodes, "sources": sources}
