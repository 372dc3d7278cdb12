"""The one escaping layer: how text read from the migration project reaches a generated file.

Everything dbt-migrate reads is untrusted (catalogs and test specs written by other tools, DDL and
procedure bodies from a legacy system), and dbt renders every model and most YAML values as Jinja
that is not sandboxed. Input text therefore reaches a generated file in exactly one of two ways:

- **data** (SQL string literals, unit-test ``given``/``expect`` values, descriptions): every Jinja
  opening delimiter (``{{``, ``{%``, ``{#``) is written as an expression that prints its first
  brace, ``{{ '{' }}``, so dbt's rendering gives the original text back and nothing in it can
  open a tag (there is no ``{% raw %}`` block for ``{% endraw %}`` to close early);
- **names** (tables, columns, aliases, CTEs, sources, models, unit tests, procedures, keys,
  watermarks, SQL types): validated, never escaped. A name that carries a Jinja brace, a quote, a
  backslash or a control character is rejected with ``UnsafeInputError`` (reason ``unsafe_name``)
  naming the file, the field and the value; model names must match ``[a-z0-9_]+`` because they
  become file names.

HTML reports (``report_style``, ``reconcile/html.py``) are not rendered by dbt: every value in them
(legacy rows, table and column names, messages) goes through ``html_text``, which HTML-escapes it.

``foreign_jinja`` is the last guard before a file is written: it lexes the text with Jinja's own
lexer and names any construct that is not one dbt-migrate put there itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup
from markupsafe import escape as _markup_escape

from .errors import InputError

OPENERS = ("{{", "{%", "{#")
# What an escaped opening brace looks like in a generated file: a Jinja expression printing "{".
ESCAPED_BRACE = "{{ '{' }}"
UNSAFE_NAME = "unsafe_name"
UNSAFE_JINJA = "unsafe_jinja"
UNSAFE_PATH = "unsafe_path"
UNSAFE_REASONS = (UNSAFE_NAME, UNSAFE_JINJA, UNSAFE_PATH)

_MODEL_NAME = re.compile(r"[a-z0-9_]+")
# Names dbt turns into node ids and file names of its own (sources, unit tests): word characters
# and hyphens, so never a dot or a slash.
_RESOURCE_NAME = re.compile(r"\w[\w-]*")
# SQL types as catalogs and DDL write them: NVARCHAR(50), DECIMAL(18, 2), DATETIME2(7),
# TIMESTAMP WITH TIME ZONE, dbo.MyType, [sys].[geography], NVARCHAR(MAX), INT[].
_SQL_TYPE = re.compile(
    r"(\[[A-Za-z0-9_ ]+\]\.)*\[[A-Za-z0-9_ ]+\]"
    r"|[A-Za-z_][A-Za-z0-9_ .]*(\(\s*[A-Za-z0-9]+(\s*,\s*[A-Za-z0-9]+)*\s*\))?( ?\[\])?( [A-Za-z ]+)?"
)
_NAME_FORBIDDEN = set("{}'\"`\\")
_MAX_NAME = 256


class UnsafeInputError(InputError):
    """Input text that must not reach a generated file (exit 2; in a batch, only its item fails)."""

    def __init__(self, message: str, reason: str = UNSAFE_NAME):
        super().__init__(message)
        self.reason = reason


def shown(value: object, limit: int = 60) -> str:
    """A value for an error message: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- data --------------------------------------------------------------------------------------
def has_jinja(text: str) -> bool:
    return any(d in text for d in OPENERS)


def escape(text: str) -> str:
    """Text that dbt's Jinja rendering turns back into ``text``: each ``{`` that opens a delimiter
    is written as ``{{ '{' }}``. Text without a delimiter is unchanged (``'{{NA}}'`` becomes
    ``'{{ '{' }}{NA}}'``, which renders to ``'{{NA}}'``)."""
    if not has_jinja(text):
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == "{" and i + 1 < len(text) and text[i + 1] in "{%#":
            out.append(ESCAPED_BRACE)
        else:
            out.append(ch)
    return "".join(out)


def escape_values(row: dict[str, Any]) -> dict[str, Any]:
    """A unit-test row with every string value escaped (keys are names: ``check_name`` them)."""
    return {k: escape(v) if isinstance(v, str) else v for k, v in row.items()}


# -- HTML (reports) ----------------------------------------------------------------------------
def html_text(value: object) -> Markup:
    """Any value as HTML text for a report (``report_style``): ``None`` as '', anything else as its
    ``str()`` with ``& < > " '`` escaped (markupsafe, the escaping Jinja2's autoescape uses). Only
    HTML that ``report_style`` built itself (a ``Markup``) passes unchanged."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    return _markup_escape(str(value))


# -- names -------------------------------------------------------------------------------------
def name_problem(value: object) -> str | None:
    """Why ``value`` cannot be a name in a generated file, or None when it can."""
    if not isinstance(value, str):
        return f"not a string ({type(value).__name__})"
    if not value.strip():
        return "empty"
    if len(value) > _MAX_NAME:
        return f"longer than {_MAX_NAME} characters"
    if value != value.strip():
        return "leading or trailing whitespace"
    bad = sorted({c for c in value if c in _NAME_FORBIDDEN})
    if bad:
        return "contains " + " ".join(repr(c) for c in bad)
    for c in value:
        category = unicodedata.category(c)
        if category[0] == "C" or category in ("Zl", "Zp"):
            return f"contains the control or format character U+{ord(c):04X}"
    return None


def check_name(value: str, *, field: str, file: Path | str | None = None, path_safe: bool = False) -> str:
    """``value`` when it is safe as a name; else ``UnsafeInputError`` naming file, field and value.
    ``path_safe``: also no ``/`` and no ``..`` (names dbt may join into a path or a relation)."""
    problem = name_problem(value)
    if problem is None and path_safe and ("/" in value or ".." in value):
        problem = "contains '/' or '..'"
    if problem is not None:
        raise UnsafeInputError(_message(problem, value, field, file))
    return value


def check_resource_name(value: str, *, field: str, file: Path | str | None = None) -> str:
    """Source and unit-test names: dbt builds node ids and file paths from them (a unit test's
    compiled SQL is written to ``target/.../<name>.sql``), so only word characters and hyphens."""
    check_name(value, field=field, file=file)
    if not _RESOURCE_NAME.fullmatch(value):
        raise UnsafeInputError(
            _message("must be word characters or '-' (it becomes a dbt node name)", value, field, file)
        )
    return value


def check_model_name(value: str, *, field: str = "model name", file: Path | str | None = None) -> str:
    """Model (and file) names: ``[a-z0-9_]+``, nothing that could leave the models folder."""
    if not isinstance(value, str) or not _MODEL_NAME.fullmatch(value):
        raise UnsafeInputError(_message("a model name must match [a-z0-9_]+", value, field, file))
    return value


def check_relation_parts(
    source_name: str | None,
    table_name: str | None,
    model_name: str | None,
    *,
    field: str,
    file: Path | str | None = None,
) -> None:
    """The names a ``source()`` / ``ref()`` call is written with: each part that is set."""
    if source_name is not None:
        check_resource_name(source_name, field=f"{field} (as a source name)", file=file)
    if table_name is not None:
        check_name(table_name, field=f"{field} (as a source table name)", file=file, path_safe=True)
    if model_name is not None:
        check_model_name(model_name, field=f"{field} (as a model name)", file=file)


def check_sql_type(value: str | None, *, field: str, file: Path | str | None = None) -> str | None:
    if value is None or value == "":
        return value
    if not isinstance(value, str) or len(value) > _MAX_NAME or not _SQL_TYPE.fullmatch(value):
        raise UnsafeInputError(_message("not a SQL type", value, field, file))
    return value


def _message(problem: str, value: object, field: str, file: Path | str | None) -> str:
    where = f"{file}: " if file else ""
    return f"{UNSAFE_NAME}: {where}{field} {shown(value)}: {problem}; rejected (never written to a generated file)"


# -- the last guard ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _lexer() -> Any:
    import jinja2

    return jinja2.Environment()


def _normal(construct: str) -> str:
    return "".join(construct.split())


def constructs(text: str) -> list[str]:
    """Every Jinja construct (``{{ ... }}``, ``{% ... %}``, ``{# ... #}``) in ``text``, as Jinja's
    own lexer sees it; an unterminated one is returned as it stands."""
    found: list[str] = []
    construct: list[str] = []
    inside = False
    for _line, kind, value in _lexer().lex(text):
        if kind.endswith("_begin"):
            inside, construct = True, [value]
        elif inside:
            construct.append(value)
            if kind.endswith("_end"):
                inside = False
                found.append("".join(construct))
        elif kind != "data":
            found.append(value)  # a comment or raw block's body: never ours
    if inside:
        found.append("".join(construct))
    return found


def foreign_jinja(text: str, ours: Iterable[str] = ()) -> str | None:
    """The first Jinja construct in ``text`` that is neither an escaped brace nor one of ``ours``
    (dbt-migrate's own Jinja: ``{{ source(...) }}``, the watermark filter, ...); None when there is
    none. Uses Jinja's own lexer, so whatever dbt would see as a tag is seen here."""
    if not any(d in text for d in OPENERS):
        return None
    allowed = {_normal(ESCAPED_BRACE)} | {_normal(c) for o in ours for c in constructs(o)}
    try:
        found = constructs(text)
    except Exception as exc:  # jinja2.TemplateSyntaxError: dbt would fail to parse it too
        return f"text Jinja cannot lex ({type(exc).__name__}: {exc})"
    for c in found:
        if _normal(c) not in allowed:
            return c
    return None


def check_generated(text: str, *, what: str, ours: Iterable[str] = ()) -> None:
    """Raise ``UnsafeInputError`` (reason ``unsafe_jinja``) when ``text`` holds foreign Jinja."""
    found = foreign_jinja(text, ours)
    if found is not None:
        raise UnsafeInputError(
            f"{UNSAFE_JINJA}: {what} would contain Jinja dbt-migrate did not write: {shown(found)}; not written",
            reason=UNSAFE_JINJA,
        )


def yaml_strings(doc: Any) -> Iterable[str]:
    """Every key and string value of a parsed YAML document."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from yaml_strings(k)
            yield from yaml_strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from yaml_strings(v)
