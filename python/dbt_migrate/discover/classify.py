"""A target's profile by rules over its writer's statements and its DDL: the classification, the
keys, the watermark, foreign keys and PII hints, each ``{..., "source": "discover", "rationale"}``.

Classification (first rule that matches): an SCD2 close-off + insert (``convert.scd``) is
``dim_scd2``; a MERGE or an UPDATE + INSERT ... WHERE NOT EXISTS keyed on columns is ``dim_scd1``
(``fact_accumulating_snapshot`` when the table is named as a fact); a DELETE of the input's slices
+ INSERT, or an append with a cutoff / watermark predicate, is ``fact_transaction``; an INSERT ...
GROUP BY is ``fact_aggregate``; a TRUNCATE / DELETE-all / SELECT INTO reload is ``dim_non_scd`` or
``fact_periodic_snapshot`` by the table's name and keys. Where two readings fit, ``ambiguous``
lists them and the rationale says which was taken and why.
"""

from __future__ import annotations

import re
from typing import Any

from ..convert.errors import NotConvertible
from ..convert.scd import recognise_scd2
from ..convert.watermarks import change_column
from .model import TableFacts
from .procedure import Analysed, TableName, words
from .shapes import Shape, read_shape

SOURCE = "discover"
_DIM_WORDS = {"dim", "dimension", "dimensions", "lookup", "lkp", "ref", "reference"}
_FACT_WORDS = {"fact", "facts", "fct"}
_VERSION_COLUMN = re.compile(
    r"valid_?to|valid_?until|end_?d|expir|effective_?to|to_?date|row_?end|is_?current|current_?(flag|ind)|"
    r"is_?active|active_?flag|is_?latest|latest_?flag",
    re.I,
)
_ID_SUFFIX = re.compile(r"(id|no|num|number)$", re.I)
_PII = [
    (re.compile(r"e_?mail", re.I), "mask", "an e-mail address"),
    (re.compile(r"phone|mobile|fax", re.I), "mask", "a phone number"),
    (re.compile(r"ssn|social_?security|national_?id|passport|tax_?id", re.I), "mask", "a national identifier"),
    (re.compile(r"birth|dob\b", re.I), "mask", "a date of birth"),
    (re.compile(r"credit_?card|card_?number|iban", re.I), "mask", "a payment card or account number"),
    (re.compile(r"address|street|post_?code|zip", re.I), "mask", "a postal address"),
    (
        re.compile(r"(first|last|full|middle|given|preferred|contact|sur)_?name|surname", re.I),
        "mask",
        "a person's name",
    ),
]


def field_(value: dict[str, Any], rationale: str) -> dict[str, Any]:
    return {**value, "source": SOURCE, "rationale": rationale}


def _flat(name: str) -> str:
    return name.replace(" ", "_")


def table_role(target: TableName) -> str | None:
    """``dim`` / ``fact`` from the schema's and the table's name (``Dimension.City``, ``FactSale``)."""
    found = set(words(target.schema)) | set(words(target.name))
    if found & _FACT_WORDS or re.match(r"f_", target.name, re.I):
        return "fact"
    if found & _DIM_WORDS or re.match(r"d_", target.name, re.I):
        return "dim"
    return None


def _scd2(statements: list[Analysed], target: TableName) -> Any:
    sql = [a.raw.sql for a in statements if a.action == "migrate"]
    try:
        return recognise_scd2(sql, target.written, "tsql")
    except (NotConvertible, ValueError, KeyError, AttributeError):
        return None


def _identity(facts: TableFacts | None) -> set[str]:
    if facts is None:
        return set()
    return {
        c.name.lower()
        for c in facts.columns
        if c.identity or (c.default is not None and "next value for" in c.default.lower())
    }


def classification(
    statements: list[Analysed], target: TableName, facts: TableFacts | None
) -> tuple[dict[str, Any], Shape, Any]:
    """The classification block, the shape it was read from, and the SCD2 load when there is one."""
    shape = read_shape(statements, target.key)
    role = table_role(target)
    kinds = set(shape.kinds)
    # (the SCD2 recogniser parses the statements again: only where a version column is set)
    scd2 = _scd2(statements, target) if any(_VERSION_COLUMN.search(_flat(c)) for c in shape.update_sets) else None
    ambiguous: list[str] = []
    if scd2 is not None and not all(_VERSION_COLUMN.search(_flat(c)) for c in _closed(scd2)):
        # one column set before the INSERT looks like a close-off, but it is named as data: an upsert
        ambiguous.append(f"dim_scd2: the UPDATE sets only {', '.join(_closed(scd2))}, not named as a version column")
        scd2 = None
    if scd2 is not None:
        kind = "dim_scd2"
        why = (
            f"SCD2 loader ({scd2.shape}): closes the current version ({', '.join(_closed(scd2))}) "
            f"and inserts the new one, keyed on {', '.join(scd2.unique_key)}"
        )
    elif "update" in kinds and any(_VERSION_COLUMN.search(_flat(c)) for c in shape.update_sets) and "insert" in kinds:
        kind = "dim_scd2"
        why = f"UPDATE sets a version column ({', '.join(shape.update_sets)}) then INSERT: an SCD2 shape"
        ambiguous.append("dim_scd2: the close-off did not match a known SCD2 loader shape; check the keys")
    elif shape.merge_keys or (shape.anti_join_keys and "update" in kinds):
        keys = shape.merge_keys or shape.anti_join_keys
        how = "MERGE" if shape.merge_keys else "UPDATE + INSERT ... WHERE NOT EXISTS"
        kind = "fact_accumulating_snapshot" if role == "fact" else "dim_scd1"
        why = f"keyed upsert ({how} on {', '.join(keys)})" + (
            ": a fact updated in place is an accumulating snapshot" if role == "fact" else ""
        )
        if role is None:
            ambiguous.append("fact_accumulating_snapshot: a keyed upsert of a fact table (not named as one)")
    elif shape.slice_columns:
        kind = "fact_transaction"
        why = f"DELETE of the input's slices ({', '.join(shape.slice_columns)}) then INSERT: the slices are reloaded"
        if role == "dim":
            ambiguous.append("dim_scd1: a dimension reloaded by slices")
    elif shape.cutoff and "insert" in kinds:
        kind = "fact_transaction"
        why = f"appends rows past a cutoff ({shape.cutoff_how})"
    elif shape.group_by and "insert" in kinds:
        kind = "fact_aggregate"
        why = f"rebuilds aggregates (INSERT ... GROUP BY {', '.join(shape.group_by)})"
    elif shape.anti_join_keys:
        kind = "fact_transaction" if role == "fact" else "dim_scd1"
        why = f"inserts only keys not yet in the table (NOT EXISTS on {', '.join(shape.anti_join_keys)})"
        ambiguous.append(
            "dim_scd1 / fact_transaction: new keys are inserted, existing rows never change; chosen by the table's name"
        )
    elif kinds & {"truncate", "select_into"} or shape.delete_all:
        kind, why = _reload_kind(role, facts)
        if role is None:
            ambiguous.append("dim_non_scd / fact_periodic_snapshot: a full reload; the table's name says neither")
    elif "insert" in kinds:
        kind = "dim_non_scd" if role == "dim" else "fact_transaction"
        why = "appends the input's rows each run (no reload, no key match, no cutoff)"
        if role == "dim":
            ambiguous.append("fact_transaction: rows are appended, but the table is named as a dimension")
    else:
        kind = "dim_scd1"
        why = f"only {', '.join(sorted(kinds)) or 'no'} statements write it: rows are changed in place"
        ambiguous.append("no load of new rows found: the classification is a guess")
    block: dict[str, Any] = {"resolved_kind": kind, "confidence": "low" if ambiguous else "high"}
    if ambiguous:
        block["ambiguous"] = ambiguous
        why += f"; two shapes match, took {kind}"
    return field_(block, why), shape, scd2


def _closed(scd2: Any) -> list[str]:
    return [c for c in (scd2.valid_to, scd2.current_flag) if c] or ["a version column"]


def _reload_kind(role: str | None, facts: TableFacts | None) -> tuple[str, str]:
    dated = [c.name for c in (facts.columns if facts else []) if c.name in (facts.primary_key if facts else [])]
    dated = [c for c in dated if re.search(r"date|time|day|month|period|snapshot", c, re.I)]
    if role == "fact" or dated:
        reason = "named as a fact" if role == "fact" else f"its key holds a date ({', '.join(dated)})"
        return "fact_periodic_snapshot", f"full reload (TRUNCATE/DELETE then INSERT), {reason}: a periodic snapshot"
    return "dim_non_scd", "full reload (TRUNCATE/DELETE then INSERT) of a table named as a dimension or neither"


def _grain(shape: Shape, source_keys: dict[str, list[str]]) -> tuple[list[str], str]:
    """The GROUP BY columns without the attributes of a grouped key: ``GROUP BY d.StoreKey,
    d.RegionName`` groups by the store; the region comes with it."""
    keyed = {
        src
        for column, (src, source_column) in shape.lineage.items()
        if column in shape.group_by
        and source_column.lower() in {k.lower() for k in source_keys.get(src, [])[:1]}
        and len(source_keys.get(src, [])) == 1
    }
    grain = [
        c
        for c in shape.group_by
        if c not in shape.lineage
        or shape.lineage[c][0] not in keyed
        or shape.lineage[c][1].lower() == source_keys[shape.lineage[c][0]][0].lower()
    ]
    dropped = [c for c in shape.group_by if c not in grain]
    why = "the columns the load groups by: one row per group"
    if dropped:
        why += f" ({', '.join(dropped)} left out: attributes of a grouped key)"
    return grain, why


def keys(
    kind: str,
    shape: Shape,
    scd2: Any,
    facts: TableFacts | None,
    targets: set[str],
    target: TableName,
    source_keys: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """``primary_key`` and ``natural_key``."""
    out: dict[str, Any] = {}
    identity = _identity(facts)
    natural: list[str] = []
    natural_why = ""
    if scd2 is not None:
        natural, natural_why = list(scd2.unique_key), "the business key the SCD2 loader matches versions on"
    elif shape.merge_keys:
        natural, natural_why = shape.merge_keys, "the columns the MERGE matches on"
    elif shape.anti_join_keys:
        natural, natural_why = shape.anti_join_keys, "the columns the NOT EXISTS / anti-join matches on"
    if natural:
        out["natural_key"] = field_({"columns": natural}, natural_why)
    if facts is not None and facts.primary_key:
        pk = list(facts.primary_key)
        if len(pk) > 1:
            pk_type = "composite"
        else:
            pk_type = "surrogate" if pk[0].lower() in identity else "natural"
        where = f"{facts.file}:{facts.line}" if facts.file else "the DDL"
        out["primary_key"] = field_({"columns": pk, "primary_key_type": pk_type}, f"declared PRIMARY KEY ({where})")
        return out
    inferred, why = natural, natural_why
    if not inferred and shape.group_by:
        inferred, why = _grain(shape, source_keys or {})
    if not inferred and kind == "fact_transaction":
        fks = {c for c, (src, _) in shape.lineage.items() if src in targets and src != target.key}
        inferred = [c for c in _insert_order(shape, facts) if _ID_SUFFIX.search(_flat(c)) and c not in fks]
        why = "identifier-named columns (…ID, …No) that are not keys of another target: the grain by name"
    if inferred:
        pk_type = "composite" if len(inferred) > 1 else "natural"
        out["primary_key"] = field_({"columns": inferred, "primary_key_type": pk_type}, f"no declared key; {why}")
    return out


def _insert_order(shape: Shape, facts: TableFacts | None) -> list[str]:
    if facts is not None and facts.columns:
        return [c.name for c in facts.columns]
    return list(shape.lineage)


def watermark(kind: str, shape: Shape, facts: TableFacts | None) -> dict[str, Any] | None:
    if kind in ("fact_transaction", "fact_accumulating_snapshot") and shape.cutoff:
        return field_(
            {"column": shape.cutoff, "columns": [shape.cutoff]}, f"compared with a cutoff: {shape.cutoff_how}"
        )
    if kind in ("dim_scd1", "fact_accumulating_snapshot") and facts is not None:
        column = change_column("", [(c.name, c.type) for c in facts.columns])
        if column is not None:
            return field_(
                {"column": column, "columns": [column], "strategy": "timestamp"},
                f"{column} is a date/time column named as a change column: the upsert's incremental filter",
            )
    return None


def foreign_keys(
    shape: Shape, facts: TableFacts | None, target: TableName, source_keys: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Declared FOREIGN KEYs, and columns loaded from the key of another table the load joins."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for fk in facts.foreign_keys if facts is not None else []:
        if len(fk.columns) != 1 or not fk.ref_columns:
            continue
        seen.add(fk.columns[0].lower())
        out.append(
            field_(
                {
                    "column": fk.columns[0],
                    "fk_type": "standard",
                    "references_source_relation": fk.ref_table,
                    "references_column": fk.ref_columns[0],
                },
                f"declared FOREIGN KEY {fk.name or ''}".rstrip(),
            )
        )
    for column, (source, source_column) in shape.lineage.items():
        known = [k.lower() for k in source_keys.get(source, [])]
        if source != target.key and source_column.lower() in known and column.lower() not in seen:
            out.append(
                field_(
                    {
                        "column": column,
                        "fk_type": "standard",
                        "references_source_relation": source,
                        "references_column": source_column,
                    },
                    f"loaded from {source}.{source_column}, the key of a table the load joins",
                )
            )
    return out


def pii(columns: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in columns:
        for pattern, action, what in _PII:
            if pattern.search(_flat(name)):
                out.append(field_({"column": name, "suggested_action": action}, f"named like {what}"))
                break
    return out


def profile(
    statements: list[Analysed],
    target: TableName,
    facts: TableFacts | None,
    targets: set[str],
    source_keys: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The profile block of one target written by ``statements`` (its writer's). ``source_keys``:
    table key -> the single-column key each input is known by (declared, or its writer's match)."""
    block, shape, scd2 = classification(statements, target, facts)
    kind = block["resolved_kind"]
    out: dict[str, Any] = {"classification": block}
    out.update(keys(kind, shape, scd2, facts, targets, target, source_keys))
    out["watermark"] = watermark(kind, shape, facts)
    out["foreign_keys"] = foreign_keys(shape, facts, target, source_keys or {})
    columns = [c.name for c in facts.columns] if facts is not None else list(shape.lineage)
    out["pii_actions"] = pii(columns)
    out["status"] = "ok" if "primary_key" in out else "partial"
    return out
