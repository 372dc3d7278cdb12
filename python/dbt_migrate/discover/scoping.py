"""Which procedure writes which table: each table's ``scoping`` block, and the slices of a
procedure that loads several targets.

A procedure's targets are the persistent tables its ``migrate`` statements write, except its work
tables: a table it only UPDATEs in place and then reads to load another table (WWI's
``Integration.Sale_Staging``, whose dimension keys are looked up before ``Fact.Sale`` is loaded
from it) is an input of that load. One writer -> ``resolved``; several -> ``ambiguous_multi_writer``
with every candidate and no selection; a table only bookkeeping statements write, or none,
-> ``no_writer_found``. A procedure with several targets gets ``table_slices``: per target, its
migrate statements without the writes of the other targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .procedure import Analysed, TableName

SOURCE = "discover"


@dataclass
class Writer:
    """One procedure as scoping sees it."""

    schema: str
    name: str
    statements: list[Analysed]
    targets: list[TableName] = field(default_factory=list)
    work_tables: list[TableName] = field(default_factory=list)
    bookkeeping: list[TableName] = field(default_factory=list)
    file: str = ""  # where the procedure was read (for problems)
    line: int = 0

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.name}"


class WriterIndex:
    """Table key -> the procedures that load it, update it in place, or only keep books in it."""

    def __init__(self, writers: list[Writer]):
        self.writers = writers
        self.loading: dict[str, list[Writer]] = {}
        self.working: dict[str, list[Writer]] = {}
        self.booking: dict[str, list[Writer]] = {}
        for w in writers:
            for index, names in (
                (self.loading, w.targets),
                (self.working, w.work_tables),
                (self.booking, w.bookkeeping),
            ):
                for name in names:
                    index.setdefault(name.key, []).append(w)

    @property
    def keys(self) -> set[str]:
        return set(self.loading) | set(self.working) | set(self.booking)


def find_targets(writer: Writer) -> None:
    """Fill ``targets``, ``work_tables`` and ``bookkeeping`` from the statements."""
    written: dict[str, TableName] = {}
    kinds: dict[str, set[str]] = {}
    skipped: dict[str, TableName] = {}
    for a in writer.statements:
        if a.written is None:
            continue
        if a.action == "migrate":
            written.setdefault(a.written.key, a.written)
            kinds.setdefault(a.written.key, set()).add(a.write_kind or "")
        else:
            skipped.setdefault(a.written.key, a.written)
    for key, name in written.items():
        if kinds[key] == {"update"} and _read_by_a_later_load(writer.statements, key):
            writer.work_tables.append(name)
        else:
            writer.targets.append(name)
    writer.bookkeeping = [n for k, n in skipped.items() if k not in written]
    work = {t.key for t in writer.work_tables}
    for a in writer.statements:
        if a.action == "migrate" and a.written is not None and a.written.key in work:
            a.rationale = (
                f"updates {a.written.written} in place before a later statement loads from it: "
                "a work table, an input of the load (the conversion folds the update in)"
            )


def _read_by_a_later_load(statements: list[Analysed], key: str) -> bool:
    updated = False
    for a in statements:
        if a.action != "migrate":
            continue
        if a.written is not None and a.written.key == key:
            updated = True
        elif updated and a.written is not None and any(r.key == key for r in a.reads):
            return True
    return False


def slices(writer: Writer) -> dict[str, str] | None:
    """Per target: the migrate statements without the writes of the writer's other targets."""
    if len(writer.targets) < 2:
        return None
    out: dict[str, str] = {}
    for target in writer.targets:
        others = {t.key for t in writer.targets if t.key != target.key}
        kept = [
            a.raw.sql
            for a in writer.statements
            if a.action == "migrate" and not (a.written is not None and a.written.key in others)
        ]
        out[target.key] = ";\n".join(kept)
    return out


def _candidate(writer: Writer, key: str) -> dict[str, Any]:
    indexes = [
        str(a.index)
        for a in writer.statements
        if a.action == "migrate" and a.written is not None and a.written.key == key
    ]
    kinds = [a.write_kind or "" for a in writer.statements if str(a.index) in indexes]
    return {
        "procedure_name": writer.display,
        "rationale": f"its statements {', '.join(indexes)} ({', '.join(kinds)}) write the table",
    }


def scoping(key: str, index: WriterIndex) -> dict[str, Any]:
    """The scoping block of table ``key``."""
    mine = index.loading.get(key, [])
    block: dict[str, Any] = {"source": SOURCE}
    if len(mine) == 1:
        w = mine[0]
        candidate = _candidate(w, key)
        block.update(
            status="resolved",
            selected_writer=w.display,
            selected_writer_rationale=f"the only procedure that loads it: {candidate['rationale']}",
            candidates=[candidate],
        )
        if len(w.targets) > 1:
            block["selected_writer_rationale"] += f"; it loads {len(w.targets)} targets, this one's slice is used"
        return block
    if mine:
        block.update(
            status="ambiguous_multi_writer",
            selected_writer=None,
            selected_writer_rationale=(
                f"{len(mine)} procedures load it ({', '.join(w.display for w in mine)}): choose one "
                "(set scoping.selected_writer) or merge them"
            ),
            candidates=[_candidate(w, key) for w in mine],
        )
        return block
    work = [w.display for w in index.working.get(key, [])]
    books = [w.display for w in index.booking.get(key, [])]
    if work:
        why = f"updated in place by {', '.join(work)} before it loads another table from it: an input, not a target"
    elif books:
        why = f"written only by bookkeeping statements ({', '.join(books)})"
    else:
        why = "no procedure writes it: a source"
    block.update(status="no_writer_found", selected_writer=None, selected_writer_rationale=why, candidates=[])
    return block
