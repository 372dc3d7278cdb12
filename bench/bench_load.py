"""Loading a large migration project: how long the tolerant reader takes for N tables.

    python bench/bench_load.py                 # 5,000 tables (and their writers and test specs)
    python bench/bench_load.py --sizes 1000,5000,20000

Each size is a synthesized project mixing both generations of the format (FORMATS.md and
FORMATS-current.md): half the targets in each, a source table per target, one writer procedure
and one test spec per target, and, per fifty targets, one more catalog with a field in a shape nobody can read.
Printed per size: writing the files (not ours to count), reading every table catalog
(``MigrationProject.target_ids``, what ``run --all`` starts with), the warehouse (DDL and model
names), and building one table's context (which reads only that table's files: lazy).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from dbt_migrate.catalog import MigrationProject  # noqa: E402
from dbt_migrate.context import build_context  # noqa: E402
from dbt_migrate.warehouse import Warehouse  # noqa: E402


def _column(name: str, source_type: str, current: bool) -> dict:
    if current:
        return {"name": name, "sql_type": "VARCHAR(40)", "source_sql_type": source_type, "is_nullable": True}
    return {"name": name, "sql_type": source_type, "is_nullable": True, "is_identity": False}


def synthesize(root: Path, n: int) -> None:
    (root / "catalog" / "tables").mkdir(parents=True)
    (root / "catalog" / "procedures").mkdir(parents=True)
    (root / "test-specs").mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({"technology": "sql_server", "dialect": "tsql"}))
    for i in range(n):
        current = i % 2 == 0
        cols = [_column(f"C{j}", "nvarchar(40)", current) for j in range(8)]
        source = {"schema": "bronze", "name": f"Src{i}", "is_source": True, "columns": cols}
        if i % 50 == 0:  # a catalog no target reads, with a field nobody can read: it stops nothing
            unused = {"schema": "bronze", "name": f"Unused{i}", "is_source": True, "columns": "unreadable"}
            (root / "catalog" / "tables" / f"bronze.unused{i}.json").write_text(json.dumps(unused))
        target = {
            "schema": "silver",
            "name": f"T{i}",
            "columns": [_column("Id", "int", current), *cols],
            "primary_keys": ["Id"] if current else [{"constraint_name": f"PK_T{i}", "columns": ["Id"]}],
            "scoping": {"status": "resolved", "selected_writer": f"silver.usp_load_T{i}"},
            "profile": {
                "classification": {"resolved_kind": "dim_non_scd", "source": "catalog"},
                "primary_key": {"column": "Id"} if current else {"columns": ["Id"], "primary_key_type": "natural"},
                "foreign_keys": [{"columns": ["C1"], "references_table": f"silver.T{i - 1}"}] if current and i else [],
                "pii_actions": [{"column": "C2", "action": "mask"}] if current else [],
            },
        }
        select = ", ".join(f"s.C{j}" for j in range(8))
        proc = {
            "schema": "silver",
            "name": f"usp_load_T{i}",
            "references": {
                "tables": {"in_scope": [{"schema": "bronze", "name": f"Src{i}", "is_selected": True}]},
            },
            "statements": [
                {
                    "type": "Insert",
                    "action": "migrate",
                    "source": "ast",
                    "sql": f"INSERT INTO silver.T{i} (Id, {select.replace('s.', '')}) "
                    f"SELECT 1, {select} FROM bronze.Src{i} AS s",
                }
            ],
        }
        spec = {
            "item_id": f"silver.t{i}",
            "unit_tests": [
                {
                    "name": "t",
                    "given": [{"table": f"bronze.Src{i}", "rows": [{"C0": "a"}]}],
                    "expect": {"rows": [{"Id": 1, "C0": "a"}]},
                }
            ],
        }
        (root / "catalog" / "tables" / f"bronze.src{i}.json").write_text(json.dumps(source))
        (root / "catalog" / "tables" / f"silver.t{i}.json").write_text(json.dumps(target))
        (root / "catalog" / "procedures" / f"silver.usp_load_t{i}.json").write_text(json.dumps(proc))
        (root / "test-specs" / f"silver.t{i}.json").write_text(json.dumps(spec))


def measure(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        t0 = time.perf_counter()
        synthesize(root, n)
        t1 = time.perf_counter()
        mp = MigrationProject(root)
        ids = mp.target_ids()
        t2 = time.perf_counter()
        wh = Warehouse(mp)
        t3 = time.perf_counter()
        build_context(wh, ids[len(ids) // 2])
        t4 = time.perf_counter()
        assert len(ids) == n and not mp.rejected_tables, (len(ids), list(mp.rejected_tables)[:3])
        return {"write": t1 - t0, "load": t2 - t1, "warehouse": t3 - t2, "context": t4 - t3, "files": 4 * n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000", help="comma-separated table counts")
    args = parser.parse_args()
    print(f"{'tables':>7} {'files':>7} {'write s':>8} {'load s':>7} {'warehouse s':>11} {'1 context s':>11}")
    for n in (int(s) for s in args.sizes.split(",")):
        m = measure(n)
        cells = f"{m['write']:>8.2f} {m['load']:>7.2f} {m['warehouse']:>11.2f} {m['context']:>11.2f}"
        print(f"{n:>7} {m['files']:>7.0f} {cells}")


if __name__ == "__main__":
    main()
