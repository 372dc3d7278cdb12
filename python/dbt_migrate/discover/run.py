"""One `migrate discover`: read the input, analyse the procedures, write (or preview) the catalogs.
The command line's only entry into discover."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import layout
from ..errors import InputError
from .inputs import read_inputs
from .inventory import inventory
from .model import Analysis, Discovered, Problem
from .verdicts import Verdict, conversion_verdicts
from .writer import WriteReport, write_catalogs


@dataclass
class DiscoverResult:
    source: Path
    discovered: Discovered
    analysis: Analysis
    written: WriteReport
    seconds: dict[str, float] = field(default_factory=dict)
    inventory: dict[str, Any] | None = None

    @property
    def problems(self) -> list[Problem]:
        return [*self.discovered.problems, *self.analysis.problems, *self.written.problems]


def analyse(discovered: Discovered) -> Analysis:
    try:
        from .analysis import analyse as analyse_procedures
    except ImportError:  # the procedure analysis is not in this build
        return Analysis()
    result: Analysis = analyse_procedures(discovered)
    return result


def input_root(project_root: Path, from_path: Path | None) -> Path:
    """``--from``, else the project's ``ddl/``; an input that does not exist is an IO error."""
    source = from_path if from_path is not None else layout.ddl_file(project_root, "")
    if not source.exists():
        hint = (
            ""
            if from_path is not None
            else " (give --from PATH: an SSDT project, a folder of .sql files or one script)"
        )
        raise InputError(f"{source}: no such file or folder{hint}")
    return source


def discover(
    project_root: Path,
    from_path: Path | None = None,
    force: bool = False,
    dry_run: bool = False,
    report: bool = False,
) -> DiscoverResult:
    """Read ``from_path`` (default ``<project>/ddl``), analyse, write the catalogs (``dry_run``:
    compute only); ``report`` also builds the inventory, judging conversion on the catalogs as
    written (on a scratch copy of the project when ``dry_run``)."""
    root = Path(project_root)
    source = input_root(root, from_path)
    t0 = time.perf_counter()
    discovered = read_inputs(source)
    t1 = time.perf_counter()
    analysis = analyse(discovered)
    t2 = time.perf_counter()
    own_ddl = source.resolve() == layout.ddl_file(root, "").resolve()
    ddl_from = None if own_ddl else str(from_path)
    written = write_catalogs(root, discovered, analysis, force=force, dry_run=dry_run, ddl_from=ddl_from)
    t3 = time.perf_counter()
    seconds = {"read": t1 - t0, "analyse": t2 - t1, "write": t3 - t2}
    result = DiscoverResult(source, discovered, analysis, written, seconds)
    if report:
        verdicts = _verdicts(root, discovered, analysis, force, ddl_from) if dry_run else conversion_verdicts(root)
        result.inventory = inventory(discovered, analysis, written, verdicts)
        seconds["report"] = time.perf_counter() - t3
    return result


def _verdicts(
    root: Path, discovered: Discovered, analysis: Analysis, force: bool, ddl_from: str | None
) -> list[Verdict]:
    """The verdicts a real run would give, judged on a scratch copy (a dry run writes nothing)."""
    with tempfile.TemporaryDirectory(prefix="dbt-migrate-discover-") as tmp:
        scratch = Path(tmp)
        for name in (layout.MANIFEST_FILE, layout.CATALOG_DIR, layout.DDL_DIR):
            src = root / name
            if src.is_dir():
                shutil.copytree(src, scratch / name)
            elif src.is_file():
                shutil.copy2(src, scratch / name)
        write_catalogs(scratch, discovered, analysis, force=force, ddl_from=ddl_from)
        return conversion_verdicts(scratch)
