"""Source-dialect data types rewritten so every target dialect accepts them."""

from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

from sqlglot import exp

_E = TypeVar("_E", bound=exp.Expr)


def normalize_types(tree: _E) -> _E:
    """T-SQL BIT is a 0/1 number (code compares it with 1), not a bit string or a boolean.

    Rewrite types in place: BIT -> smallint, MONEY -> decimal(19,4), (MAX) sizes dropped."""
    for dt in list(tree.find_all(exp.DataType)):
        t = dt.this
        if t == exp.DataType.Type.BIT:
            dt.replace(exp.DataType.build("smallint"))
        elif t in (exp.DataType.Type.MONEY, exp.DataType.Type.SMALLMONEY):
            dt.replace(exp.DataType.build("decimal(19, 4)"))
        elif any(_is_max(e) for e in dt.expressions):
            dt.set("expressions", [])
    return tree


def _is_max(node: exp.Expression) -> bool:
    inner = node.this if isinstance(node, exp.DataTypeParam) else node
    return isinstance(inner, (exp.Var, exp.Column, exp.Identifier)) and inner.name.upper() == "MAX"


# A pure function of three strings: a wide table repeats a handful of types thousands of times.
@lru_cache(maxsize=4096)
def target_type(sql_type: str, source_dialect: str, target_dialect: str) -> str:
    """A column type from the catalog/DDL, written for the target (lower-case)."""
    if not sql_type:
        return ""
    try:
        dt = exp.DataType.build(sql_type, dialect=source_dialect)
    except Exception:
        return sql_type.lower()
    return normalize_types(exp.Cast(this=exp.null(), to=dt)).args["to"].sql(target_dialect).lower()
