"""Legacy text that looks like Jinja: dbt renders every model and every unit-test row as a Jinja
template, so a T-SQL literal such as '{{Name}}' would be rendered away (or break the parse of the
whole project). Such text is wrapped in a raw block, which dbt renders back to the text itself."""

from __future__ import annotations

from typing import Any

_DELIMITERS = ("{{", "{%", "{#")


def needs_escape(text: str) -> bool:
    return any(d in text for d in _DELIMITERS)


def escape(text: str) -> str:
    """``{{Name}}`` -> ``{% raw %}{{Name}}{% endraw %}``; text without Jinja delimiters is unchanged."""
    if not needs_escape(text):
        return text
    # A literal "{% endraw %}" inside the text would end the block early: split it across blocks.
    body = text.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}")
    return "{% raw %}" + body + "{% endraw %}"


def escape_values(row: dict[str, Any]) -> dict[str, Any]:
    """A unit-test row with every string value escaped."""
    return {k: escape(v) if isinstance(v, str) else v for k, v in row.items()}
