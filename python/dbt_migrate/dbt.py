"""The only module that talks to dbt: in-process invocations through ``dbtRunner``.

Callers get typed outcomes (``DbtOutcome`` with per-node results), never log lines to parse.
dbt's in-process API is not thread-safe, so every invocation holds one process-wide lock.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

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

    # -- public API -------------------------------------------------------------------------
    def parse(self) -> DbtOutcome:
        return self._invoke(["parse"], "parse")

    def deps(self) -> DbtOutcome:
        return self._invoke(["deps"], "deps")

    def compile(self, select: Iterable[str] | None = None, manifest: Any = None) -> DbtOutcome:
        return self._invoke(["compile", *self._select(select)], "compile", manifest=manifest)

    def build(self, select: Iterable[str] | None = None, manifest: Any = None,
              extra: list[str] | None = None) -> DbtOutcome:
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

    def _invoke(self, argv: list[str], command: str, manifest: Any = None) -> DbtOutcome:
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

        # Global flags first: quiet console, no anonymous usage pings (offline machines).
        full = ["--quiet", "--no-send-anonymous-usage-stats", "--no-use-colors", *argv,
                *self._common_args()]
        with _LOCK:
            self.invocations += 1
            runner = dbtRunner(manifest=manifest, callbacks=[on_event])
            try:
                res = runner.invoke(full)
            except BaseException as exc:  # dbt raises on some fatal paths; never let it escape raw
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome.exception = f"{type(exc).__name__}: {exc}"
                outcome.errors.append(outcome.exception)
                return outcome
        outcome.success = bool(res.success)
        if res.exception is not None:
            outcome.exception = str(res.exception)
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
        model_name = getattr(node, "model", None)
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
    )
