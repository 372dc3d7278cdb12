"""What the rules convert and what needs the LLM, per target, decided by the same code `migrate
run` uses: each written target's context (``context.build_context``) through the deterministic
conversion (``convert.convert_context``); plus each target's dependency layer (``order``).
Reads the catalogs discover wrote; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..catalog import MigrationProject
from ..context import build_context
from ..convert import convert_context
from ..errors import MigrateError
from ..names import TableId
from ..order import dependency_order, upstream_targets
from ..warehouse import Warehouse

Route = Literal["rules", "llm", "not_ready"]


@dataclass(frozen=True)
class Verdict:
    table: str  # schema.name as written
    route: Route
    why: str
    layer: int  # 0: reads no other target; n: reads a target of layer n-1


def conversion_verdicts(project_root: Path) -> list[Verdict]:
    try:
        mp = MigrationProject(Path(project_root))
        mp.require_manifest()
        wh = Warehouse(mp)
    except MigrateError as exc:
        return [Verdict("(project)", "not_ready", str(exc), 0)]
    ordered = dependency_order(mp, [t.id for t in mp.targets])
    layers = _layers(mp, ordered)
    out = []
    for table in ordered:
        route, why = _route(wh, table)
        out.append(Verdict(str(table), route, why, layers[table.key]))
    return out


def _route(wh: Warehouse, table: TableId) -> tuple[Route, str]:
    try:
        ctx = build_context(wh, table)
        conv = convert_context(ctx, wh)
    except MigrateError as exc:
        return "not_ready", str(exc)
    except Exception as exc:  # a construct the conversion trips on is the LLM's, as in `migrate run`
        return "llm", f"{type(exc).__name__}: {exc}"
    if conv.ok:
        return "rules", "converted by rule"
    if conv.error == "needs_llm":
        return "llm", conv.construct or "rules cannot convert this procedure"
    return "llm", conv.error or "rules cannot convert this procedure"


def _layers(mp: MigrationProject, ordered: list[TableId]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for table in ordered:  # dependency order: every upstream already has its depth (cycles cut)
        ups = [depth[u] for u in upstream_targets(mp, table) if u in depth]
        depth[table.key] = 1 + max(ups) if ups else 0
    return depth
