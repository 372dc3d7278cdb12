"""Synthesize a parallel-run benchmark: an N-table migration project (bench/synth.py) with R rounds
of source deltas, the legacy tables after each round, and the ``reconcile.yml`` that ties them.

The legacy tables are computed here from the templates' T-SQL semantics (not by dbt-migrate):

- ``DimThing<i>`` (MERGE on ThingCode): upsert of the round's delta, Name ``UPPER(LTRIM(RTRIM()))``
  (spaces only), Category ``ISNULL(.., 'NA')``;
- ``FactThing<i>`` (INSERT ... WHERE Amount > 0, no truncate): every round's qualifying delta rows
  appended, a re-sent row again;
- ``FactThingDaily<i>`` (TRUNCATE + INSERT ... GROUP BY): the round's delta aggregated.

Each source is replaced by its round's delta (``mode: replace``): ``rows`` new ids plus, from
round 2 on, a tenth of the earlier ids re-sent with a new name, category and amount, all stamped
later than every earlier row. synth.py's fourth template (``DimThingBand``: an INSERT with no
TRUNCATE whose migrated model is a table rebuilt from the source) is left out: its legacy table
grows by the whole source every night, a real divergence reconcile reports, not a load pattern to
time a clean parallel run on.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import synth

TEMPLATES = [synth._dim_scd1, synth._fact_transaction, synth._fact_aggregate]
CATEGORIES = ["A", "B", None, "C"]
BASE = datetime(2024, 1, 1)
SOURCE_HEADER = ["Id", "Name", "Amount", "Category", "UpdatedAt"]


def synthesize_project(root: Path, n: int) -> list[str]:
    """The N-table migration project (three templates in turn); returns the target ids."""
    saved = synth.TEMPLATES
    synth.TEMPLATES = TEMPLATES
    try:
        return synth.synthesize(root, n)
    finally:
        synth.TEMPLATES = saved


def _delta(round_no: int, rows: int) -> list[dict]:
    """The round's source rows: new ids, then (round 2 on) every tenth earlier id changed."""
    ids = list(range((round_no - 1) * rows + 1, round_no * rows + 1))
    if round_no > 1:
        ids += list(range(round_no % 10 + 1, (round_no - 1) * rows + 1, 10))
    out = []
    for seq, i in enumerate(ids):
        cents = (i * 37 + round_no * 1311) % 200_000 - 10_000
        out.append(
            {
                "Id": i,
                "Name": f" thing {i} v{round_no} ",
                "Amount": Decimal(cents) / 100,
                "Category": CATEGORIES[(i + round_no) % len(CATEGORIES)],
                "UpdatedAt": BASE + timedelta(days=round_no, seconds=seq),
            }
        )
    return out


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([_fmt(r[c]) for c in header])


class _Legacy:
    """One target's legacy table, carried from round to round."""

    def __init__(self, kind: str):
        self.kind = kind
        self.dim: dict[str, dict] = {}
        self.fact: list[dict] = []
        self.daily: list[dict] = []

    def load(self, delta: list[dict]) -> None:
        if self.kind == "dim_scd1":
            for r in delta:
                code = str(r["Id"])
                self.dim[code] = {
                    "ThingCode": code,
                    "Name": r["Name"].strip(" ").upper(),
                    "Category": r["Category"] if r["Category"] is not None else "NA",
                    "UpdatedAt": r["UpdatedAt"],
                }
        elif self.kind == "fact_transaction":
            self.fact += [
                {"Id": r["Id"], "Amount": r["Amount"], "DoubleAmount": r["Amount"] * 2, "UpdatedAt": r["UpdatedAt"]}
                for r in delta
                if r["Amount"] > 0
            ]
        else:
            groups: dict[str, list[Decimal]] = {}
            for r in delta:
                groups.setdefault(r["Category"] if r["Category"] is not None else "NA", []).append(r["Amount"])
            self.daily = [{"Category": k, "RowCount": len(v), "TotalAmount": sum(v)} for k, v in groups.items()]

    def rows(self) -> tuple[list[str], list[dict]]:
        if self.kind == "dim_scd1":
            return ["ThingCode", "Name", "Category", "UpdatedAt"], list(self.dim.values())
        if self.kind == "fact_transaction":
            return ["Id", "Amount", "DoubleAmount", "UpdatedAt"], self.fact
        return ["Category", "RowCount", "TotalAmount"], self.daily


def write_rounds(root: Path, n: int, rounds: int, rows: int) -> Path:
    """Round folders (sources and legacy CSVs) and ``reconcile.yml`` under ``root``; returns the plan."""
    specs = [TEMPLATES[i % len(TEMPLATES)](i) for i in range(n)]
    legacy = [_Legacy(s["kind"]) for s in specs]
    plan_rounds = []
    for rnd in range(1, rounds + 1):
        delta = _delta(rnd, rows)
        sources, exports = [], []
        for i, spec in enumerate(specs):
            src = f"reconcile/{rnd}/bronze.Src{i}.csv"
            _write_csv(root / src, SOURCE_HEADER, delta)
            sources.append(f"      bronze.Src{i}: {src}")
            legacy[i].load(delta)
            header, table_rows = legacy[i].rows()
            out = f"reconcile/{rnd}/silver.{spec['table']}.csv"
            _write_csv(root / out, header, table_rows)
            exports.append(f"      silver.{spec['table']}: {out}")
        plan_rounds.append(
            f"  - name: round{rnd}\n    sources:\n" + "\n".join(sources) + "\n    legacy:\n" + "\n".join(exports)
        )
    tables = []
    for spec in specs:
        rules = {
            "dim_scd1": "{key: [ThingCode], reports: [schema, row, data]}",
            "fact_aggregate": "{key: [Category], reports: [schema, row, data]}",
        }
        tables.append(f"  silver.{spec['table']}: {rules.get(spec['kind'], '{}')}")
    plan = root / "reconcile.yml"
    plan.write_text(
        "version: 1\ndefaults:\n  reports: [schema, row]\ntables:\n"
        + "\n".join(tables)
        + "\nrounds:\n"
        + "\n".join(plan_rounds)
        + "\n"
    )
    return plan


if __name__ == "__main__":
    import sys

    # reconcile_synth.py ROOT TABLES ROUNDS ROWS: the project and its rounds (bench_reconcile.py runs
    # this in a process of its own, so that its own memory stays small: a child inherits its
    # parent's peak RSS at fork, and ru_maxrss would report that).
    folder, tables, rounds, rows = Path(sys.argv[1]), *map(int, sys.argv[2:5])
    synthesize_project(folder, tables)
    write_rounds(folder, tables, rounds, rows)
