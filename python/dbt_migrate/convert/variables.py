"""Variables set once per run: ``DECLARE @v type = <expression>`` inlined where ``@v`` is read.

A procedure that declares ``@EndOfTime = '9999-12-31'`` or ``@LineageKey = (SELECT TOP(1) ...)``
and never assigns it again reads the same value in every later statement: the model computes it in
place (a typed literal, or the scalar subquery itself). A variable that is assigned again (``SET``,
``SELECT @v = ...``) or declared without a value carries state; it stays, and the statement that
reads it is refused where it is converted.
"""

from __future__ import annotations

from sqlglot import exp

from .errors import NotConvertible


def _name(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Parameter):
        return node.name.lstrip("@").lower()
    return None


def declared_constants(trees: list[exp.Expr]) -> dict[str, exp.Expr]:
    """``@name`` -> the expression it stands for, for variables declared with a value that reads no
    other variable and that no statement assigns again."""
    found: dict[str, exp.Expr] = {}
    assigned: set[str] = set()
    for tree in trees:
        if isinstance(tree, exp.Declare):
            for item in tree.expressions:
                names = item.this if isinstance(item.this, list) else [item.this]
                default = item.args.get("default")
                kind = item.args.get("kind")
                for n in names:
                    name = _name(n) if isinstance(n, exp.Expr) else None
                    if (
                        name is None
                        or not isinstance(default, exp.Expr)
                        or any(_name(p) for p in default.find_all(exp.Parameter))
                    ):
                        continue
                    value = default.copy()
                    if isinstance(value, exp.Literal) and isinstance(kind, exp.DataType):
                        value = exp.Cast(this=value, to=kind.copy())
                    found[name] = value
        elif isinstance(tree, exp.Set) or tree.key == "command":
            text = tree.sql("tsql").lower()
            assigned |= {n for n in found if f"@{n}" in text}
        else:
            for eq in tree.find_all(exp.EQ):
                if isinstance(eq.parent, exp.Select) and _name(eq.this):
                    assigned.add(str(_name(eq.this)))
    return {k: v for k, v in found.items() if k not in assigned}


def inline_constants(tree: exp.Expr, constants: dict[str, exp.Expr]) -> exp.Expr:
    """``tree`` with every ``@name`` of ``constants`` replaced by its value (in place)."""
    if not constants:
        return tree
    for param in list(tree.find_all(exp.Parameter)):
        name = _name(param)
        if name in constants:
            param.replace(constants[name].copy())
    return tree


def check_resolved(tree: exp.Expr) -> exp.Expr:
    """``tree`` when it reads no variable left after inlining (a ``@table`` variable is a table,
    not a value); else ``NotConvertible``: the value is set at run time."""

    if isinstance(tree, (exp.Declare, exp.Set, exp.Command)):
        return tree  # declarations and assignments: what they set is checked where it is read
    for param in tree.find_all(exp.Parameter):
        if not isinstance(param.parent, exp.Table):
            raise NotConvertible("variable set at run time", f"@{_name(param)} is read by {tree.sql('tsql')[:60]}")
    return tree
