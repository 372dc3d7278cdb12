"""Multi-round data check: the legacy load and the model, run night after night on changing inputs.

A stored procedure runs against yesterday's table; an incremental model against its own earlier
rows. One round on fresh inputs cannot tell a model that filters only its driving table from one
that re-reads a changed joined table. So both sides keep a target table in the sandbox and write
to it as they do in production, round after round:

1. the initial rows (every test-spec ``given`` row, once);
2. one round per input table: every row of that table changed (non-key values, and date/time
   columns moved past every earlier value, as a change column moves), the others as they were;
3. new and deleted rows in every input.

The legacy side runs its SELECT (its reads of its own target included) and writes like its
statements: MERGE/UPDATE upsert on the unique key, an INSERT filtered on its own target appends,
anything else (TRUNCATE/DELETE + INSERT, SELECT INTO, a plain INSERT) reloads. The model side runs
its SQL as dbt would, a full build first and incremental runs after (``is_incremental()``, the
watermark filter against its earlier rows), and writes like its config: ``merge`` and
``delete+insert`` upsert on ``unique_key``, ``append`` appends, a table reloads. The two tables are
compared after every round; ``match`` means every round matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from ..names import split_name
from .data import Sandbox, diff_rows, ident, qualified, sample
from .edges import Scenario, TableDef, is_date, is_numeric
from .report import Check

STATE_SCHEMA = "dbtm_rounds"
LEGACY_STATE = f'"{STATE_SCHEMA}"."legacy_target"'
MODEL_STATE = f'"{STATE_SCHEMA}"."model_target"'
_NEW = f'"{STATE_SCHEMA}"."new_rows"'


@dataclass(frozen=True)
class Writes:
    """How one side writes its target each round: ``replace``, ``append`` or ``upsert`` on ``key``.
    ``assumed``: the procedure does not say (a plain INSERT that neither empties nor filters its
    target, read as a reload), so a difference is reported, as a divergence, not a gap."""

    mode: str
    key: tuple[str, ...] = ()
    assumed: bool = False


def legacy_writes(kinds: list[str], reads_target: bool, key: list[str]) -> Writes:
    """The legacy procedure's write, from its statement types (sqlglot class names, lower case)."""
    if {"merge", "update"} & set(kinds) and key:
        return Writes("upsert", tuple(key))
    empties = bool({"truncatetable", "delete"} & set(kinds))
    if reads_target and not empties:
        return Writes("append")
    return Writes("replace", assumed=not empties and "insert" in kinds)


def model_writes(config: dict[str, Any], materialized: str, key: list[str]) -> Writes | None:
    """The model's write per dbt's incremental strategies (None: a snapshot, not checked here)."""
    materialized = str(config.get("materialized") or materialized)
    if materialized == "snapshot":
        return None
    if materialized != "incremental":
        return Writes("replace")
    unique = config.get("unique_key", key)
    unique = [unique] if isinstance(unique, str) else list(unique or [])
    # dbt's unique_key is SQL: a name with spaces comes quoted ('"WWI Invoice ID"'); ident() quotes.
    unique = [u[1:-1].replace('""', '"') if len(u) > 1 and u[0] == u[-1] == '"' else u for u in map(str, unique)]
    strategy = config.get("incremental_strategy") or ("delete+insert" if unique else "append")
    if strategy in ("merge", "delete+insert") and unique:
        return Writes("upsert", tuple(unique))
    return Writes("append")


# -- the rounds' input rows ---------------------------------------------------------------------


def _latest(rows: dict[str, list[dict[str, Any]]], tables: dict[str, TableDef]) -> dt.date:
    """The latest date in the inputs (end-of-time sentinels left out)."""
    latest = dt.date(2024, 1, 1)
    for key, table in tables.items():
        dates = [c.name for c in table.columns if is_date(c.type)]
        for r in rows.get(key, []):
            for name in dates:
                try:
                    d = dt.date.fromisoformat(str(r.get(name))[:10])
                except ValueError:
                    continue
                if d.year < 9000:
                    latest = max(latest, d)
    return latest


def _changed(row: dict[str, Any], table: TableDef, moved: str) -> dict[str, Any]:
    """The row with every non-key value changed and every date/time moved to ``moved``."""
    out = dict(row)
    for c, name in _given(row, table):
        value = row[name]
        if c.name.lower() in table.keys:
            continue
        if is_date(c.type):
            out[name] = moved
        elif value is None:
            continue
        elif isinstance(value, bool) or c.type.upper() in ("BOOLEAN", "TINYINT", "UTINYINT"):
            out[name] = 1 - int(value)
        elif is_numeric(c.type) and isinstance(value, (int, float)):
            out[name] = value + 1
        elif isinstance(value, str) and not is_numeric(c.type):
            out[name] = value + "~"
    return out


def _given(row: dict[str, Any], table: TableDef) -> list[tuple[Any, str]]:
    """(column, the row's key for it) for each column the row gives, matched case-insensitively."""
    keys = {k.lower(): k for k in row}
    return [(c, keys[c.name.lower()]) for c in table.columns if c.name.lower() in keys]


def _new_row(row: dict[str, Any], table: TableDef, moved: str) -> dict[str, Any]:
    out = dict(row)
    for c, name in _given(row, table):
        value = row[name]
        if is_date(c.type):
            out[name] = moved
        elif c.name.lower() not in table.keys or value is None:
            continue
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value + 1000
        elif isinstance(value, str) and not is_numeric(c.type):
            out[name] = value + "n"
    return out


def load_rounds(tables: dict[str, TableDef], base: dict[str, list[dict[str, Any]]]) -> list[Scenario]:
    """The input rows of every round: initial, each table changed in turn, then new and deleted."""
    latest = _latest(base, tables)
    rows = {k: list(base.get(k, [])) for k in tables}
    out = [Scenario("round 1: initial rows", rows)]
    for key, table in tables.items():
        if not rows[key]:
            continue
        moved = (latest + dt.timedelta(days=len(out))).isoformat()
        rows = {**rows, key: [_changed(r, table, moved) for r in rows[key]]}
        out.append(Scenario(f"round {len(out) + 1}: every {key} row changed", rows))
    moved = (latest + dt.timedelta(days=len(out))).isoformat()
    rows = {k: rows[k][:-1] + [_new_row(rows[k][0], tables[k], moved)] if rows[k] else [] for k in rows}
    out.append(Scenario(f"round {len(out) + 1}: new and deleted rows", rows))
    return out


# -- running them -------------------------------------------------------------------------------


def _write(state: str, writes: Writes) -> list[str]:
    """The statements that write this round's rows (``_NEW``) to a side's target."""
    out = []
    if writes.mode == "replace":
        out.append(f"delete from {state}")
    elif writes.mode == "upsert":
        match = " and ".join(f"n.{ident(k)} = s.{ident(k)}" for k in writes.key)
        out.append(f"delete from {state} as s where exists (select 1 from {_NEW} as n where {match})")
    return out + [f"insert into {state} by name select * from {_NEW}"]


def _create(box: Sandbox, state: str, target: TableDef) -> None:
    """The legacy target as its DDL declares it (no constraints: an identity column stays null)."""
    cols = ", ".join(f"{ident(c.name)} {c.type or 'varchar'}" for c in target.columns)
    box.con.execute(f"create table {state} ({cols})")


def run(
    legacy_sql: str,
    model_sql: Callable[[str | None], str],
    tables: dict[str, TableDef],
    target: TableDef | None,
    rounds: list[Scenario],
    legacy: Writes,
    model: Writes,
) -> tuple[Check, dict[str, Any]]:
    """Every round on both sides, compared after each. ``model_sql(this)``: the model's SQL, a
    full build for None, else an incremental run against ``this``. ``target``: the legacy table
    (its key in ``tables`` is where the legacy SQL reads its own earlier rows)."""
    inputs = {k: t for k, t in tables.items() if target is None or k != target.key}
    box = Sandbox(inputs)
    legacy_state = qualified(target.key) if target is not None else LEGACY_STATE
    entries: list[dict[str, Any]] = []
    problems: list[str] = []
    divergences: list[str] = []
    try:
        box.con.execute(f"create schema if not exists {ident(STATE_SCHEMA)}")
        if target is not None:
            schema, _ = split_name(target.key)
            if schema:
                box.con.execute(f"create schema if not exists {ident(schema)}")
            _create(box, legacy_state, target)
        for n, case in enumerate(rounds):
            entry: dict[str, Any] = {"round": case.name}
            entries.append(entry)
            try:
                box.load(case.rows)
            except duckdb.Error as exc:  # a changed value the column's type cannot hold
                return _inconclusive(entries, f"{case.name}: its rows cannot be loaded ({str(exc).splitlines()[0]})")
            sides = (("legacy", legacy_sql, legacy_state, legacy), ("model", None, MODEL_STATE, model))
            for side, sql, state, writes in sides:
                text = sql if sql is not None else model_sql(MODEL_STATE if n else None)
                statements = [f"create or replace table {_NEW} as {text}"]
                if n == 0 and (side == "model" or target is None):
                    statements.append(f"create table {state} as select * from {_NEW} limit 0")
                try:  # one call: the statements of a side run as one batch
                    box.con.execute("\n;\n".join(statements + _write(state, writes)))
                except duckdb.Error as exc:
                    entry[f"{side}_error"] = str(exc).splitlines()[0]
                    break
            if "legacy_error" in entry:
                return _inconclusive(entries, f"{case.name}: the legacy load fails on DuckDB ({entry['legacy_error']})")
            if "model_error" in entry:
                problems.append(f"{case.name}: the model fails on an incremental run ({entry['model_error']})")
                break
            ref = box.query(f"select * from {legacy_state}")
            mod = box.query(f"select * from {MODEL_STATE}")
            entry["legacy_rows"], entry["model_rows"] = len(ref[2]), len(mod[2])
            only_ref, only_mod, columns = diff_rows((*ref, False), mod)
            if only_ref or only_mod:
                entry["only_in_legacy"], entry["only_in_model"] = sum(only_ref.values()), sum(only_mod.values())
                entry["sample_only_in_legacy"] = sample(only_ref, columns)
                entry["sample_only_in_model"] = sample(only_mod, columns)
                example = sample(only_ref, columns)[:1] or sample(only_mod, columns)[:1]
                said = (
                    f"{case.name}: {entry['only_in_legacy']} row(s) only in the legacy table, "
                    f"{entry['only_in_model']} only in the model (e.g. {example})"
                )
                why = _explained(box, legacy_state, legacy, model, bool(only_ref), entry["only_in_model"])
                if why:
                    entry["explained"] = why
                    divergences.append(f"{said}: {why}")
                else:
                    problems.append(said)
    finally:
        box.close()
    status = "gap" if problems else ("divergence" if divergences else "match")
    data = {"status": status, "rounds": entries, "legacy": legacy.mode, "model": model.mode}
    found = problems or divergences
    if found:
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        return Check("rounds", "gap" if problems else "divergence", found[0] + more), data
    return Check("rounds", "match", f"{len(entries)} load rounds leave the same rows"), data


def _explained(
    box: Sandbox, legacy_state: str, legacy: Writes, model: Writes, only_legacy: bool, only_model: int
) -> str:
    """Why a round's difference is a known consequence of the two write semantics (the
    conversion warned of it), or ''."""
    if legacy.assumed:
        return (
            "the legacy INSERT neither empties nor filters its target, so how it is rerun is not "
            "known (compared as a reload)"
        )
    if legacy.mode == "replace" and model.mode == "append":
        return (
            "the model appends (its classification is append-only) where the legacy procedure reloads, "
            "so rows changed or deleted at source are not reloaded; a keyed classification would merge them"
        )
    if legacy.mode == "replace" and model.mode == "upsert" and not only_legacy:
        match = " and ".join(f"l.{ident(k)} = m.{ident(k)}" for k in model.key)
        gone = f"not exists (select 1 from {legacy_state} as l where {match})"
        kept = box.con.execute(f"select count(*) from {MODEL_STATE} as m where {gone}").fetchone()
        if kept is not None and kept[0] == only_model:
            return (
                "rows deleted at source stay in the model (an incremental merge keeps them; the legacy "
                "reload drops them)"
            )
    return ""


def _inconclusive(entries: list[dict[str, Any]], why: str) -> tuple[Check, dict[str, Any]]:
    data = {"status": "inconclusive", "rounds": entries}
    return Check("rounds", "divergence", f"inconclusive: {why}"), data
