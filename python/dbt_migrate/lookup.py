"""Which table a ``--table`` argument means: a catalog table or a model name, else a clear error
with the nearest names (``did you mean``), before any slow work starts."""

from __future__ import annotations

import difflib
from pathlib import Path

from .catalog import MigrationProject
from .errors import InputError
from .names import TableId, model_names


def resolve_table(mp: MigrationProject, text: str) -> TableId:
    """``silver.DimStore``, ``[silver].[DimStore]`` or the model name ``dimstore`` -> the table.

    A name that is neither raises ``InputError`` (exit 2) naming the closest tables and models.
    """
    tid = TableId.parse(text)
    if tid.name and mp.knows_table(tid):
        return tid
    by_model = _targets_by_model(mp)
    if not tid.schema and tid.name.lower() in by_model:
        return by_model[tid.name.lower()]
    raise InputError(_unknown(mp.root, text, by_model))


def _targets_by_model(mp: MigrationProject) -> dict[str, TableId]:
    ids = {t.key: t.id for t in mp.targets}
    return {model: ids[key] for key, model in model_names(list(ids)).items()}


def _unknown(root: Path, text: str, by_model: dict[str, TableId]) -> str:
    # Each table is matched by its name and by its model's name, and named once.
    tables = {f"{t.schema}.{t.name}".lower(): f"{t.schema}.{t.name}" for t in by_model.values()}
    tables.update({model: f"{t.schema}.{t.name}" for model, t in by_model.items()})
    close = difflib.get_close_matches(text.strip().lower(), list(tables), n=6, cutoff=0.6)
    shown = list(dict.fromkeys(tables[c] for c in close))[:3]
    hint = f"; did you mean {' or '.join(shown)}?" if shown else ""
    return (
        f"--table {text!r}: no such table in {root / 'catalog' / 'tables'} and no model of that "
        f"name{hint} (`migrate ls` lists them)"
    )
