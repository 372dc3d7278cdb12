"""The last guard before a rendered model is written: no file holds Jinja dbt-migrate did not write.

The package's macros render the config block and the YAML around the converted body; this checks
what came back (``escaping.check_generated``) before ``artifacts`` writes it.
"""

from __future__ import annotations

from typing import Any

from . import escaping, yamlio
from .items import Item


def check_rendered(item: Item, r: Any) -> None:
    """The last guard before writing: the model is the config call plus the converted body, and no
    file holds Jinja that dbt-migrate did not write (``escaping.check_generated``)."""
    conv = item.conv
    config, body = _config_and_body(r.model_name, r.model_sql, conv.sql)
    if r.versions_sql or conv.versions_sql:  # the current-flag view over an SCD2 snapshot
        flag_config = _config_and_body(f"{r.model_name} (versions)", r.versions_sql or "", conv.versions_sql)[0]
        if not flag_config.startswith("{{ config(") or len(escaping.constructs(flag_config)) != 1:
            escaping.check_generated(flag_config, what=f"config block of the versions view of {r.model_name}")
    # The conversion says which Jinja it wrote (its placeholders), rules and LLM answers alike
    # (both end in convert.model_from_query).
    if conv.jinja is not None:
        escaping.check_generated(body, what=f"model {r.model_name}", ours=conv.jinja)
    if not config.startswith("{{ config(") or len(escaping.constructs(config)) != 1:
        escaping.check_generated(config, what=f"config block of model {r.model_name}")
    for name, text in (("schema YAML", r.schema_yml), ("snapshot YAML", r.snapshot_yml)):
        if text:
            for value in escaping.yaml_strings(yamlio.load(text)):
                escaping.check_generated(value, what=f"{name} of model {r.model_name}")


def _config_and_body(name: str, rendered: str, converted: str | None) -> tuple[str, str]:
    """The rendered file as (config call, body), when the body is the converted one."""
    config, sep, body = rendered.partition("\n\n")
    if not sep or body.strip() != (converted or "").strip():
        raise escaping.UnsafeInputError(
            f"{escaping.UNSAFE_JINJA}: the rendered model {name} is not the config call plus the "
            "converted body; not written",
            reason=escaping.UNSAFE_JINJA,
        )
    return config, body
