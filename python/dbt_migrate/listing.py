"""``migrate ls``: one row per target table, from files only (no dbt parse), so it is fast.

Status is what the files say: the newest recorded result of the table (``.migration-runs``),
``paused`` when its model is a ``.sql.skip``, ``written`` when a model exists but no run recorded
it, ``-`` when nothing has been generated yet.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from . import layout
from .catalog import MigrationProject
from .names import model_names
from .rules import STAGING_PREFIX

NEWEST_RUNS_READ = 20  # enough to find every table's latest result without reading years of runs


@dataclass(frozen=True)
class Row:
    table: str
    classification: str
    writer: str
    model: str
    status: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def list_tables(mp: MigrationProject, dbt_dir: Path) -> list[Row]:
    targets = sorted(mp.targets, key=lambda t: t.key)
    models = model_names([t.key for t in targets])
    files = _model_files(dbt_dir)
    latest = _latest_results(layout.runs_dir(mp.root))
    rows = []
    for t in targets:
        model = models[t.key]
        rows.append(
            Row(
                table=f"{t.schema_}.{t.name}",
                classification=t.profile.classification.resolved_kind if t.profile else "-",
                writer=(t.scoping.selected_writer if t.scoping else None) or "-",
                model=model,
                status=_status(files.get(model), latest.get(t.key)),
            )
        )
    for key, why in sorted(mp.rejected_tables.items()):
        rows.append(Row(table=key, classification="-", writer="-", model="-", status=f"unreadable: {why}"))
    return rows


def _status(file: str | None, result: str | None) -> str:
    if file == "paused":
        return "paused"
    if result:
        return result
    return "written" if file else "-"


def _model_files(dbt_dir: Path) -> dict[str, str]:
    """Model name -> ``written`` / ``paused``, from one walk of ``models/``."""
    found: dict[str, str] = {}
    models = dbt_dir / "models"
    if not models.is_dir():
        return found
    for path in models.rglob("*.sql*"):
        name = path.name
        if name.endswith(".sql"):
            found[name[: -len(".sql")]] = "written"
        elif name.endswith(".sql.skip"):
            found.setdefault(name[: -len(".sql.skip")], "paused")
    for name in list(found):  # a snapshot's staging model stands for it
        if name.startswith(STAGING_PREFIX):
            found.setdefault(name[len(STAGING_PREFIX) :], found[name])
    return found


def _latest_results(runs: Path) -> dict[str, str]:
    """Table key -> its newest recorded status, from the newest run documents."""
    if not runs.is_dir():
        return {}
    docs = sorted(runs.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:NEWEST_RUNS_READ]
    latest: dict[str, str] = {}
    for path in docs:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            results = doc.get("results", []) if isinstance(doc, dict) else []
        except (OSError, ValueError):
            continue  # a broken run document does not stop a listing
        for r in results:
            if not isinstance(r, dict) or not isinstance(r.get("item_id"), str):
                continue
            status = r.get("status")
            reason = r.get("reason")
            text = f"{status} ({reason})" if reason and status != "ok" else str(status)
            latest.setdefault(r["item_id"].lower(), text)
    return latest
