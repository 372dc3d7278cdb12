"""The sidecar's shape holds: import contracts, no import circle, modules of one concern.

``lint-imports`` (import-linter, contracts in pyproject.toml) runs in CI before the tests; these
tests run the same contracts through its API so a failing contract also fails the test layer, and
add what import-linter does not check: a cycle anywhere in the module graph, and module size.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

import dbt_migrate
from helpers import REPO

PACKAGE = Path(dbt_migrate.__file__).resolve().parent
MAX_LINES = 450  # a longer module says why at its top ("Why one module")


def test_import_linter_contracts_are_kept(capsys):
    exit_code = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert exit_code == 0, out
    assert "0 broken" in out and "kept" in out


def test_no_import_circle_between_modules():
    graph = grimp.build_graph("dbt_migrate", exclude_type_checking_imports=True)
    sorter = TopologicalSorter({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    try:
        sorter.prepare()
    except CycleError as exc:
        raise AssertionError(f"import circle: {' -> '.join(exc.args[1])}") from None


def test_core_modules_never_import_the_edges():
    graph = grimp.build_graph("dbt_migrate", exclude_type_checking_imports=True)
    core = ("dbt_migrate.convert", "dbt_migrate.equivalence", "dbt_migrate.lifecycle.readiness")
    edges = ("dbt_migrate.cli", "dbt_migrate.pipeline", "dbt_migrate.dbt")
    for source in core:
        for target in edges:
            chains = graph.find_shortest_chains(importer=source, imported=target)
            assert not chains, f"{source} reaches {target}: {sorted(chains)[0]}"


def test_long_modules_say_why_at_their_top():
    long_without_reason = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        head = "\n".join(lines[:30])
        if len(lines) > MAX_LINES and "Why one module" not in head:
            long_without_reason.append(f"{path.relative_to(PACKAGE)} ({len(lines)} lines)")
    assert not long_without_reason, long_without_reason
