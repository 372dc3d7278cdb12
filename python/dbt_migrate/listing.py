"""``migrate ls``: one row per target table, from files only (no dbt parse), so it is fast.

Status is what the files say: the newest recorded result of the table (the item index in
``.migration-runs``),
``paused`` when its model is a ``.sql.skip``, ``written`` when a model exists but no run recorded
it, ``-`` when nothing has been generated yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from . import layout
from .catalog import MigrationProject
from .names import model_names
from .results import read_item_index
from .rules import STAGING_PREFIX


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
    latest = _latest_results(mp.root)
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


def _latest_results(root: Path) -> dict[str, str]:
    """Table key -> its newest recorded status, from the item index every run updates."""
    return {item.lower(): _shown(e) for item, e in read_item_index(layout.item_index(root)).items()}


def _shown(entry: dict) -> str:
    status, reason = entry.get("status"), entry.get("reason")
    return f"{status} ({reason})" if reason and status != "ok" else str(status)
