"""Mutation suite for `migrate check`: edit generated models on their sqlglot tree and count how
many edits the equivalence check flags as `gap`.

    python bench/mutation_suite.py                      # copies the fixture corpus, generates, mutates
    python bench/mutation_suite.py --project-root DIR   # a project whose models are already generated
    python bench/mutation_suite.py --cli                # judge every mutant with the real CLI (slower)

Only models whose unmutated check is `match` or `divergence` are mutated (a model that already
has a gap proves nothing). Each operator makes one mutant per model where it applies. The last
line is the exact count: "N of M mutants flagged".
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlglot import exp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from dbt_migrate.catalog import MigrationProject  # noqa: E402
from dbt_migrate.context import build_context  # noqa: E402
from dbt_migrate.equivalence import check_written, find_model_files  # noqa: E402
from dbt_migrate.equivalence.features import AUDIT_COLUMNS  # noqa: E402
from dbt_migrate.equivalence.offline_jinja import JinjaTree, parse_model  # noqa: E402
from dbt_migrate.project import Project  # noqa: E402
from dbt_migrate.warehouse import Warehouse  # noqa: E402

CORPUS = REPO / "python" / "tests" / "fixtures" / "corpus"
MIGRATE = [sys.executable, "-m", "dbt_migrate"]


# -- where to edit ----------------------------------------------------------------------------------
def _ctes(tree: exp.Expression) -> dict[str, exp.Expression]:
    return {c.alias_or_name.lower(): c.this for c in tree.find_all(exp.CTE)}


def _is_import(select: exp.Expression) -> bool:
    return (
        isinstance(select, exp.Select)
        and len(select.expressions) == 1
        and isinstance(select.expressions[0], exp.Star)
        and not select.args.get("joins")
        and not select.args.get("group")
    )


def _logic_selects(tree: exp.Expression) -> list[exp.Select]:
    """Every SELECT except import CTEs (``select * from {{ source() }}``), outermost last."""
    out = [s for s in tree.find_all(exp.Select) if not _is_import(s)]
    return out


def _is_placeholder(node: exp.Expression) -> bool:
    return any(c.name.startswith("__dbtm_") for c in node.find_all(exp.Column))


def _output_select(tree: exp.Expression) -> exp.Select | None:
    """The SELECT that names the model's columns: ``final``, or what ``final``'s star reads."""
    ctes = _ctes(tree)
    body = ctes.get("final")
    seen = 0
    while isinstance(body, exp.Select) and seen < 5:
        seen += 1
        names = [
            p for p in body.expressions if not isinstance(p, exp.Star) and p.alias_or_name.lower() not in AUDIT_COLUMNS
        ]
        if names:
            return body
        src = body.args.get("from_") or body.args.get("from")
        target = src.this if src is not None else None
        if isinstance(target, exp.Table) and target.name.lower() in ctes:
            body = ctes[target.name.lower()]
        elif isinstance(target, exp.Subquery):
            body = target.this
        else:
            return None
    return body if isinstance(body, exp.Select) else None


def _data_projections(select: exp.Select) -> list[exp.Expression]:
    return [
        p for p in select.expressions if not isinstance(p, exp.Star) and p.alias_or_name.lower() not in AUDIT_COLUMNS
    ]


# -- operators: tree in (edited in place), True when the edit applied --------------------------------
def drop_join(tree: exp.Expression) -> bool:
    for s in _logic_selects(tree):
        joins = s.args.get("joins") or []
        if joins:
            s.set("joins", joins[:-1] or None)
            return True
    return False


def left_to_inner(tree: exp.Expression) -> bool:
    for join in tree.find_all(exp.Join):
        if (join.side or "").upper() == "LEFT":
            join.set("side", None)
            join.set("kind", "INNER")
            return True
    return False


def _where_conjuncts(tree: exp.Expression):
    for s in _logic_selects(tree):
        where = s.args.get("where")
        if where is None:
            continue
        parts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        parts = [p for p in parts if not _is_placeholder(p)]
        if parts:
            yield s, where, parts


def drop_filter(tree: exp.Expression) -> bool:
    for s, where, parts in _where_conjuncts(tree):
        all_parts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        rest = [p for p in all_parts if p is not parts[0]]
        s.set("where", exp.Where(this=exp.and_(*rest)) if rest else None)
        return True
    return False


_LOOSER = {exp.GT: exp.GTE, exp.LT: exp.LTE, exp.EQ: exp.GTE, exp.GTE: exp.GT, exp.LTE: exp.LT}


def loosen_filter(tree: exp.Expression) -> bool:
    """``>`` becomes ``>=``, ``=`` becomes ``>=``, ``<>`` becomes ``IS NOT NULL``, ``IS NULL``
    becomes ``IS NOT NULL``-or-null (i.e. dropped to TRUE), ``IN`` gains a value."""
    for _, _, parts in _where_conjuncts(tree):
        for p in parts:
            if type(p) in _LOOSER:
                p.replace(_LOOSER[type(p)](this=p.left.copy(), expression=p.right.copy()))
                return True
            if isinstance(p, exp.NEQ):
                p.replace(exp.Not(this=exp.Is(this=p.left.copy(), expression=exp.null())))
                return True
            if isinstance(p, exp.Is):
                p.replace(exp.Or(this=p.copy(), expression=exp.Not(this=p.copy())))
                return True
            if isinstance(p, exp.In) and p.expressions:
                p.set("expressions", list(p.expressions) + [exp.Literal.string("zz_mutant")])
                return True
    return False


def change_grain(tree: exp.Expression) -> bool:
    """Drop the last GROUP BY key (coarser grain); projections of that key become ``max(key)``."""
    for s in _logic_selects(tree):
        group = s.args.get("group")
        if group is None or not group.expressions:
            continue
        keys = list(group.expressions)
        dropped = keys[-1]
        group.set("expressions", keys[:-1])
        if not keys[:-1] and not any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")):
            s.set("group", None)
        for p in s.expressions:
            inner = p.this if isinstance(p, exp.Alias) else p
            if inner == dropped:
                name = p.alias_or_name
                p.replace(exp.alias_(exp.Max(this=inner.copy()), name))
        return True
    return False


def drop_column(tree: exp.Expression) -> bool:
    select = _output_select(tree)
    if select is None:
        return False
    cols = _data_projections(select)
    if len(cols) < 2:
        return False
    select.set("expressions", [p for p in select.expressions if p is not cols[-1]])
    return True


def swap_columns(tree: exp.Expression) -> bool:
    """Two output columns exchange their expressions (names stay)."""
    select = _output_select(tree)
    if select is None:
        return False
    cols = _data_projections(select)
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            a, b = cols[i], cols[j]
            ea = a.this if isinstance(a, exp.Alias) else a
            eb = b.this if isinstance(b, exp.Alias) else b
            if ea != eb:
                na, nb = a.alias_or_name, b.alias_or_name
                a.replace(exp.alias_(eb.copy(), na))
                b.replace(exp.alias_(ea.copy(), nb))
                return True
    return False


def _bump(lit: exp.Literal) -> None:
    if lit.is_string:
        lit.replace(exp.Literal.string(lit.this + "_x"))
    else:
        try:
            value = float(lit.this)
        except ValueError:
            return
        new = float(value + 1 if value != 1 else 2)
        lit.replace(exp.Literal.number(int(new) if new.is_integer() else new))


def change_case_literal(tree: exp.Expression) -> bool:
    for node in tree.find_all(exp.Case, exp.Coalesce):
        for lit in node.find_all(exp.Literal):
            if "{{" in lit.this:
                continue
            _bump(lit)
            return True
    return False


def drop_distinct(tree: exp.Expression) -> bool:
    for s in tree.find_all(exp.Select):
        if s.args.get("distinct"):
            s.set("distinct", None)
            return True
    for op in tree.find_all(exp.Union):
        if op.args.get("distinct"):
            op.set("distinct", False)
            return True
    return False


def change_arithmetic_constant(tree: exp.Expression) -> bool:
    """A number inside arithmetic (``x * 100``, ``a - coalesce(b, 0)``) changes."""
    arithmetic = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod)
    for lit in tree.find_all(exp.Literal):
        if lit.is_string or _is_placeholder(lit):
            continue
        node = lit.parent
        while node is not None and not isinstance(node, (exp.Select, exp.Condition)) or isinstance(node, arithmetic):
            if isinstance(node, arithmetic):
                _bump(lit)
                return True
            node = node.parent
    return False


def watermark_on_driving_table_only(jt: JinjaTree, watermark: str | None) -> bool:
    """An incremental model over several inputs filters only its driving (first) input on the
    watermark: a joined input drops out of ``changed_columns``, or the filter a model without one
    (it re-reads its inputs) had before issue #16 comes back on the first import CTE."""
    if not watermark:
        return False
    for name, jinja in jt.placeholders.items():
        if "changed_columns=[" in jinja:
            first = jinja.split("changed_columns=[", 1)[1].split(",", 1)[0].rstrip("]) }")
            jt.placeholders[name] = (
                "{{ dbt_migrate.watermark_filter('" + watermark + "', changed_columns=[" + first + "]) }}"
            )
            return True
    imports = [s for s in jt.tree.find_all(exp.Select) if _is_import(s)]
    if len(imports) < 2 or any("watermark_filter" in j for j in jt.placeholders.values()):
        return False
    name = f"__dbtm_{len(jt.placeholders)}__"
    jt.placeholders[name] = "{{ dbt_migrate.watermark_filter('" + watermark + "') }}"
    imports[0].where(exp.column(name), copy=False)
    return True


OPERATORS: dict[str, Callable[[exp.Expression], bool]] = {
    "drop a join": drop_join,
    "LEFT -> INNER": left_to_inner,
    "drop a filter": drop_filter,
    "loosen a filter": loosen_filter,
    "change the GROUP BY grain": change_grain,
    "drop a column": drop_column,
    "swap two columns": swap_columns,
    "change a CASE/COALESCE literal": change_case_literal,
    "drop a DISTINCT": drop_distinct,
    "change an arithmetic constant": change_arithmetic_constant,
}


WATERMARK_OPERATOR = "watermark on the driving table only"


# -- driver ---------------------------------------------------------------------------------------
def prepare(dest: Path) -> Path:
    root = dest / "corpus"
    shutil.copytree(CORPUS, root)
    for args in (
        ["init", "--project-root", str(root)],
        ["run", "--all", "--no-build", "--accept-gaps", "--project-root", str(root), "--json"],
    ):
        subprocess.run([*MIGRATE, *args], capture_output=True, text=True, timeout=900)
    return root


def judge_cli(root: Path, table: str) -> str:
    res = subprocess.run(
        [*MIGRATE, "check", "--table", table, "--project-root", str(root), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return "gap" if res.returncode == 1 else ("ok" if res.returncode == 0 else f"error {res.returncode}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project-root", type=Path, help="generated migration project (default: a fresh corpus copy)")
    ap.add_argument("--cli", action="store_true", help="judge mutants with `migrate check` in a subprocess")
    ap.add_argument("--tables", nargs="*", help="limit to these tables")
    args = ap.parse_args()
    tmp = None
    root = args.project_root
    if root is None:
        tmp = tempfile.mkdtemp(prefix="mutation_suite_")
        print(f"preparing the corpus in {tmp} ...", flush=True)
        root = prepare(Path(tmp))
    project = Project(root)
    mp = MigrationProject(root)
    wh = Warehouse(mp)
    flagged = total = models = 0
    missed: list[str] = []
    started = time.perf_counter()
    for t in mp.targets:
        table = f"{t.schema_}.{t.name}"
        if args.tables and t.name.lower() not in {x.lower().split(".")[-1] for x in args.tables}:
            continue
        try:
            ctx = build_context(wh, table)
        except Exception:
            continue
        path, _ = find_model_files(project.dbt_dir, ctx.model_name)
        if path is None:
            continue
        original = path.read_text(encoding="utf-8")
        baseline = check_written(wh, ctx, project.dbt_dir)
        if baseline.verdict == "gap":
            print(f"{table:40} skipped: unmutated model already has a gap")
            continue
        models += 1
        line = []

        try:
            mutants = []
            for name, op in OPERATORS.items():
                jt = parse_model(original)
                if op(jt.tree):
                    mutants.append((name, jt))
            jt = parse_model(original)
            if ctx.incremental and watermark_on_driving_table_only(jt, ctx.materialization.watermark):
                mutants.append((WATERMARK_OPERATOR, jt))
            for name, jt in mutants:
                path.write_text(jt.to_text(), encoding="utf-8")
                verdict = judge_cli(root, table) if args.cli else check_written(wh, ctx, project.dbt_dir).verdict
                total += 1
                if verdict == "gap":
                    flagged += 1
                    line.append(f"{name}: gap")
                else:
                    missed.append(f"{table}: {name} -> {verdict}")
                    line.append(f"{name}: MISSED ({verdict})")
        finally:
            path.write_text(original, encoding="utf-8")
        print(f"{table:40} " + "; ".join(line), flush=True)
    elapsed = time.perf_counter() - started
    for m in missed:
        print("missed:", m)
    pct = 100.0 * flagged / total if total else 0.0
    print(f"{models} models mutated in {elapsed:.1f}s")
    print(f"{flagged} of {total} mutants flagged ({pct:.1f}%)")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if total and pct >= 95.0 and models >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
