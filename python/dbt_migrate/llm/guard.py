"""The output guard: what an LLM-written model may contain, checked before anything is written.

Jinja is read as a jinja2 AST (never a regex): only an allow-list of names may appear, no
``{% call statement %}`` blocks, and only known ``source()``/``ref()`` targets. The model is then
rendered with stand-ins for those calls and parsed with sqlglot: it must be one SELECT, with no DDL
or DML anywhere in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
import sqlglot
from jinja2 import nodes
from sqlglot import exp

from ..jinja_standins import DbtMigrateStandins, DbtStandins

ALLOWED_CALLS = {"source", "ref", "is_incremental", "var"}
ALLOWED_NAMES = ALLOWED_CALLS | {"this", "invocation_id", "dbt", "dbt_migrate", "target"}
FORBIDDEN_HINT = {
    "config": "config is rendered by dbt-migrate from the classification; leave it out",
    "run_query": "run_query executes SQL at compile time",
    "statement": "statement blocks execute SQL",
    "env_var": "env_var reads the environment (secrets)",
    "modules": "modules gives access to Python modules",
    "adapter": "adapter calls reach the warehouse",
}
WRITE_NODES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Drop,
    exp.Create,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
)


@dataclass
class GuardResult:
    reasons: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def _const_args(call: nodes.Call) -> list[str] | None:
    values = []
    for arg in call.args:
        if not isinstance(arg, nodes.Const) or not isinstance(arg.value, str):
            return None
        values.append(arg.value)
    return values


def _call_name(node: nodes.Call) -> str:
    target = node.node
    if isinstance(target, nodes.Name):
        return target.name
    if isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
        return f"{target.node.name}.{target.attr}"
    return "<expression>"


def check_jinja(sql: str, known_sources: set[tuple[str, str]], known_refs: set[str]) -> GuardResult:
    result = GuardResult()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    try:
        tree = env.parse(sql)
    except jinja2.TemplateSyntaxError as exc:
        result.reasons.append(f"Jinja does not parse: {exc.message} (line {exc.lineno})")
        return result
    known_sources_ci = {(s.lower(), t.lower()) for s, t in known_sources}
    known_refs_ci = {r.lower() for r in known_refs}
    for block in tree.find_all(nodes.CallBlock):
        result.reasons.append(f"forbidden: {{% call {_call_name(block.call)} %}} block ({FORBIDDEN_HINT['statement']})")
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in ALLOWED_NAMES:
            hint = FORBIDDEN_HINT.get(name.name, "not in the allow-list")
            result.reasons.append(f"forbidden Jinja name '{name.name}': {hint}")
    for attr in tree.find_all(nodes.Getattr):
        if isinstance(attr.node, nodes.Name) and attr.node.name == "dbt_migrate" and attr.attr.startswith("_"):
            result.reasons.append(f"forbidden: private macro dbt_migrate.{attr.attr}")
    for call in tree.find_all(nodes.Call):
        call_name = _call_name(call)
        if call_name == "source":
            args = _const_args(call)
            if args is None or len(args) != 2:
                result.reasons.append("source() must take two string literals")
            elif (args[0].lower(), args[1].lower()) not in known_sources_ci:
                result.reasons.append(f"unknown source('{args[0]}', '{args[1]}')")
            else:
                result.sources.append((args[0], args[1]))
        elif call_name == "ref":
            args = _const_args(call)
            if args is None or not args:
                result.reasons.append("ref() must take string literals")
            elif args[-1].lower() not in known_refs_ci:
                result.reasons.append(f"unknown ref('{args[-1]}')")
            else:
                result.refs.append(args[-1])
    return result


class _Stub:
    """Renders any attribute access or call (``dbt.dateadd(...)``) to a neutral SQL expression."""

    def __init__(self, text: str = "null"):
        self.text = text

    def __getattr__(self, _name: str) -> _Stub:
        return self

    def __call__(self, *args, **kwargs) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _neutral(_namespace: str, _name: str) -> _Stub:
    """An unknown macro renders as ``null``: the guard only needs SQL that parses."""
    return _Stub()


def render_stub(sql: str) -> str:
    """The model with stand-ins: relations become plain names, macros neutral expressions."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
    counter = iter(range(10_000))
    ctx = {
        "source": lambda s, t: f"__source_{next(counter)}",
        "ref": lambda *a, **k: f"__ref_{next(counter)}",
        "this": "__this",
        "is_incremental": lambda: False,
        "var": lambda name, default=None: "null" if default is None else default,
        "invocation_id": "00000000",
        "dbt": DbtStandins(_neutral),
        "dbt_migrate": DbtMigrateStandins(_neutral),
        "target": _Stub("dev"),
    }
    return env.from_string(sql).render(**ctx)


def check_model_sql(sql: str, known_sources: set[tuple[str, str]], known_refs: set[str], dialect: str) -> GuardResult:
    """Every rule at once; ``reasons`` empty means the model may be written."""
    result = check_jinja(sql, known_sources, known_refs)
    if result.reasons:
        return result
    try:
        plain = render_stub(sql)
    except jinja2.TemplateError as exc:
        result.reasons.append(f"Jinja does not render: {exc}")
        return result
    try:
        statements = [s for s in sqlglot.parse(plain, read=dialect) if s is not None]
    except sqlglot.errors.ParseError as exc:
        result.reasons.append(f"SQL does not parse ({dialect}): {str(exc).splitlines()[0]}")
        return result
    if len(statements) != 1:
        result.reasons.append(f"expected one SELECT statement, found {len(statements)}")
        return result
    tree = statements[0]
    writes = [n for n in tree.walk() if isinstance(n, WRITE_NODES)]
    if writes:
        kinds = sorted({n.key.upper() for n in writes})
        result.reasons.append(f"DDL/DML not allowed in a model: {', '.join(kinds)}")
    elif not isinstance(tree, exp.Query):
        result.reasons.append(f"a model must be a SELECT, got {tree.key.upper()}")
    return result
