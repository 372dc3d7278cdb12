"""Judging a build: dbt's typed node results -> each item's status, errors and blame.

Pure functions over ``Item`` and ``BuildOutcome``: no dbt invocation happens here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dbt import DbtOutcome, belongs_to
from .items import Item


@dataclass
class BuildOutcome:
    """One build iteration: dbt's parse errors (nothing built), else compile and build outcomes."""

    parse_errors: list[str] = field(default_factory=list)
    compile: DbtOutcome | None = None
    build: DbtOutcome | None = None


def judge(item: Item, outcome: BuildOutcome) -> bool:
    """Read dbt's node results for one item into its result; True when it passed."""
    ex = item.result.output.execution
    name = item.model
    if outcome.parse_errors:
        ex.dbt_errors = outcome.parse_errors[:5]
        item.result.status = "partial"
        return False
    compiled = outcome.compile
    built = outcome.build
    if built is None:
        raise RuntimeError("internal: a build outcome without parse errors has a build")
    nodes = [r for r in built.results if belongs_to(r, name)]
    if compiled is not None:
        mine = [r for r in compiled.results if r.name == name or r.model_name == name]
        ex.dbt_compile_passed = compiled.success or (bool(mine) and all(r.ok for r in mine))
    else:
        # Batch runs let `dbt build` compile: the model compiled when dbt says its node did.
        ex.dbt_compile_passed = any(r.compiled for r in nodes if r.resource_type in ("model", "snapshot"))
    units = [r for r in nodes if r.resource_type == "unit_test"]
    ex.unit_tests.total = len(units)
    ex.unit_tests.passed = sum(1 for r in units if r.ok)
    model_nodes = [r for r in nodes if r.resource_type in ("model", "snapshot")]
    ex.dbt_build_passed = bool(model_nodes) and all(r.ok for r in nodes)
    failed = [r for r in nodes if not r.ok]
    ex.dbt_errors = [f"{r.resource_type} {r.name}: {r.status}: {r.message}" for r in failed][:10]
    item.skipped_only = bool(failed) and all(r.status == "skipped" for r in failed)
    if not model_nodes:
        ex.dbt_errors += built.errors[:5] or [f"dbt did not build {name}"]
    expected_units = item.result.output.generated.model_yaml.unit_tests_rendered
    passed = ex.dbt_compile_passed and ex.dbt_build_passed and ex.unit_tests.passed == ex.unit_tests.total
    passed = passed and ex.unit_tests.total >= expected_units
    item.result.status = "ok" if passed and not item.result.errors else "partial"
    return passed


def attribute_blocked(failed: list[Item]) -> None:
    """An item none of whose nodes failed (dbt skipped them all) while an upstream item failed
    is blocked by that item, not broken itself."""
    by_model = {i.selector: i for i in failed if i.selector}
    for item in failed:
        if not item.conversion or not item.skipped_only:
            continue
        upstream = [r.model_name for r in item.conversion.relations if r.kind == "ref"]
        culprits = [m for m in upstream if m in by_model and m != item.selector]
        if culprits:
            item.result.reason = "blocked"
            item.result.errors.append(
                "blocked by "
                + ", ".join(by_model[m].result.item_id for m in culprits)
                + ": dbt skipped this model because its upstream failed"
            )


def apply_gaps(items: list[Item], accept_gaps: bool) -> None:
    """A gap makes an item partial unless --accept-gaps; the report is recorded either way."""
    for item in items:
        eq = item.result.output.equivalence
        if not eq or eq.get("verdict") != "gap":
            continue
        gaps = "; ".join(f"{c['check']}: {c['detail']}" for c in eq["checks"] if c["status"] == "gap")
        item.result.warnings.append(f"equivalence gap: {gaps}"[:1000])
        if not accept_gaps and item.result.status == "ok":
            item.result.status = "partial"
            item.result.reason = item.result.reason or "equivalence_gap"
