"""`migrate discover` against hand-written catalogs, field by field (issue #18 acceptance 2 and the
analysis part of acceptance 1):

- the embedded demo warehouse (``demo_project/ddl`` alone) and the retail example (``fixtures/retail``,
  a copy of ``../shared/examples/retail``): classification, primary key, natural key, watermark,
  foreign keys and the selected writer equal the hand-written catalogs'; discover's PII hints hold
  every hand-written one (it also flags the demo's ``FullName``, a person's name, which the hand
  catalog leaves out);
- WideWorldImportersDW (``../shared/realworld/wwi-dw``, read only): the ``MigrateStaged*Data``
  loaders against the oracle of ``fixtures/wwi/make_project.py`` (#16): classification, natural key
  and every statement's action (lineage and cutoff bookkeeping ``skip``);
- what discover writes is read back by the project's own reader with its inferred fields kept.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
import sqlglot

from dbt_migrate.catalog import MigrationProject
from dbt_migrate.discover.analysis import analyse
from dbt_migrate.discover.inputs import read_inputs
from dbt_migrate.discover.model import Analysis
from dbt_migrate.discover.writer import write_catalogs
from dbt_migrate.jsonfile import read_json
from dbt_migrate.names import normalize_name
from helpers import DEMO_PROJECT, FIXTURES, REPO

WWI = REPO.parent / "shared" / "realworld" / "wwi-dw"


def _columns(block: Any) -> list[str]:
    if block is None:
        return []
    if isinstance(block, list):
        return block
    return block.get("columns") or ([block["column"]] if block.get("column") else [])


def _fields(table: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of a table catalog (hand-written) or of discover's inference."""
    profile = table.get("profile") or {}
    return {
        "classification": profile["classification"]["resolved_kind"],
        "primary_key": _columns(profile.get("primary_key")),
        "primary_key_type": (profile.get("primary_key") or {}).get("primary_key_type"),
        "natural_key": _columns(profile.get("natural_key")),
        "watermark": _columns(profile.get("watermark"))[:1],
        "foreign_keys": sorted(
            (fk["column"], normalize_name(fk["references_source_relation"]), fk.get("references_column"))
            for fk in profile.get("foreign_keys") or []
        ),
        "writer": normalize_name((table.get("scoping") or {}).get("selected_writer") or ""),
    }


def _pii(table: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["column"], p["suggested_action"]) for p in (table.get("profile") or {}).get("pii_actions") or []}


@pytest.mark.parametrize("project", [DEMO_PROJECT, FIXTURES / "retail"], ids=["demo", "retail"])
def test_discover_reproduces_the_hand_written_catalogs(project):
    analysis = analyse(read_inputs(project / "ddl"))
    hand = {p.stem: read_json(p) for p in sorted((project / "catalog" / "tables").glob("*.json"))}
    assert hand
    for key, table in hand.items():
        inferred = analysis.tables[key]
        found = {"profile": inferred.profile, "scoping": inferred.scoping}
        assert _fields(found) == _fields(table), key
        assert _pii(table) <= _pii(found), key
    # the demo hand catalog leaves out FullName; everything else discover flags is hand-written too
    extra = {k: _pii({"profile": analysis.tables[k].profile}) - _pii(t) for k, t in hand.items()}
    assert {k: v for k, v in extra.items() if v} == (
        {"silver.dimcustomer": {("FullName", "mask")}} if project == DEMO_PROJECT else {}
    )
    # tables no procedure writes are sources
    for key, inferred in analysis.tables.items():
        if key not in hand:
            assert inferred.scoping["status"] == "no_writer_found" and not inferred.profile


def test_what_discover_writes_is_read_back_with_its_fields(tmp_path):
    discovered = read_inputs(DEMO_PROJECT / "ddl")
    analysis = analyse(discovered)
    write_catalogs(tmp_path, discovered, analysis, force=False, dry_run=False)
    project = MigrationProject(tmp_path)
    assert sorted(t.key for t in project.targets) == [
        "silver.dimcustomer",
        "silver.factdailyrevenue",
        "silver.factorderline",
    ]
    customer = project.table("silver.dimcustomer")
    assert customer.profile is not None and customer.scoping is not None
    assert customer.profile.classification.resolved_kind == "dim_scd1"
    assert customer.profile.natural_key == ["CustomerCode"] and customer.profile.watermark == ["UpdatedAt"]
    assert customer.profile.classification.model_extra == {
        "source": "discover",
        "confidence": "high",
        "rationale": "keyed upsert (MERGE on CustomerCode)",
    }
    assert customer.scoping.selected_writer == "silver.usp_load_DimCustomer"
    lines = project.table("silver.factorderline").profile
    assert lines is not None and lines.foreign_keys[0].references_source_relation == "silver.dimcustomer"
    proc = project.procedure("silver.usp_load_FactOrderLine")
    assert proc is not None and proc.mode == "deterministic" and proc.needs_llm is False
    assert [(s.type, s.action, s.source) for s in proc.statements] == [
        ("Set", "skip", "discover"),
        ("Delete", "migrate", "discover"),
        ("Insert", "migrate", "discover"),
    ]
    assert all((s.model_extra or {}).get("rationale") for s in proc.statements)
    assert {(r.schema_, r.name, r.is_selected, r.is_updated) for r in proc.references.in_scope} == {
        ("silver", "FactOrderLine", False, True),
        ("bronze", "Orders", True, False),
        ("bronze", "OrderItem", True, False),
        ("silver", "DimCustomer", True, False),
    }


# -- WideWorldImportersDW against #16's hand-made oracle ---------------------------------------
def _oracle() -> Any:
    spec = importlib.util.spec_from_file_location("wwi_make_project", FIXTURES / "wwi" / "make_project.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wwi() -> Analysis:
    if not WWI.is_dir():
        pytest.skip(f"{WWI} is not here")
    return analyse(read_inputs(WWI))


def _flat(sql: str) -> str:
    return "".join(sql.split()).lower()


def test_wwi_every_dimension_fact_and_integration_table_and_loader_is_analysed(wwi):
    for schema in ("Dimension", "Fact", "Integration"):
        for path in (WWI / schema / "Tables").glob("*.sql"):
            assert f"{schema.lower()}.{path.stem.lower()}" in wwi.tables, path
    loaders = sorted(p.stem for p in (WWI / "Integration" / "Stored Procedures").glob("MigrateStaged*Data.sql"))
    assert len(loaders) == 13
    for name in loaders:
        doc = wwi.procedures[f"integration.{name.lower()}"]
        assert doc["mode"] == "deterministic" and len(doc["targets"]) == 1, (name, doc["mode_rationale"])
    assert wwi.problems == []


def test_wwi_loaders_match_the_hand_made_oracle(wwi):
    oracle = _oracle()
    src_tables = read_inputs(WWI).tables
    for name in [*oracle.PROCS, *oracle.FACTS]:
        proc = f"integration.migratestaged{name.lower()}data"
        doc = wwi.procedures[proc]
        target = normalize_name(doc["targets"][0])
        kind = oracle.FACTS.get(name, "dim_scd2")
        profile = wwi.tables[target].profile
        assert profile["classification"]["resolved_kind"] == kind, (name, profile["classification"])
        if kind != "fact_transaction":
            columns = [c.name for c in src_tables[target].columns]
            key = oracle.FACT_KEYS.get(name) or [c for c in columns if c.startswith("WWI ")][:1]
            assert _columns(profile.get("natural_key")) == key, name
        assert wwi.tables[target].scoping["selected_writer"] == f"Integration.MigrateStaged{name}Data"
        # every statement the oracle keeps, with the oracle's action; discover adds SET/TRAN/RETURN as skip
        text = (WWI / "Integration" / "Stored Procedures" / f"MigrateStaged{name}Data.sql").read_text("utf-8-sig")
        ours = {_flat(s["sql"]): s["action"] for s in doc["statements"]}
        for sql in oracle._statements(text):
            tree = sqlglot.parse_one(sql, read="tsql")
            written = oracle._written(tree)
            aliases = {t.alias_or_name.lower(): t for t in tree.find_all(sqlglot.exp.Table) if t.db}
            if written is not None and not written.db and written.name.lower() in aliases:
                written = aliases[written.name.lower()]
            action = "skip" if written is not None and oracle._key(written) in oracle.SKIP else "migrate"
            assert ours[_flat(sql)] == action, (name, sql[:60])
        extra = [
            s for s in doc["statements"] if s["sql"] and _flat(s["sql"]) not in map(_flat, oracle._statements(text))
        ]
        assert {s["action"] for s in extra} == {"skip"} and {s["type"] for s in extra} <= {
            "Set",
            "Transaction",
            "Commit",
            "Command",
        }


def test_wwi_bookkeeping_and_staging_tables_are_not_targets(wwi):
    for key in ("integration.lineage", "integration.etl cutoff"):
        scoping = wwi.tables[key].scoping
        assert scoping["status"] == "no_writer_found" and "bookkeeping" in scoping["selected_writer_rationale"]
    sale_staging = wwi.tables["integration.sale_staging"].scoping
    assert "an input" in sale_staging["selected_writer_rationale"]
    date = wwi.procedures["integration.populatedatedimensionforyear"]
    assert date["mode"] == "llm_required" and "while_loop" in date["routing_reasons"]
    reseed = wwi.procedures["sequences.reseedsequencebeyondtablevalues"]
    assert reseed["mode"] == "llm_required" and "dynamic_sql_variable" in reseed["routing_reasons"]


def test_wwi_reading_is_repeatable(wwi):
    assert analyse(read_inputs(WWI)) == wwi


# -- the conversion corpus: 36 hand-profiled targets, more evidence ------------------------------
# Where discover and the corpus' hand-written profiles differ, and why (kept honest, not tuned away):
CORPUS_CLASSIFICATION_DIFFERS = {
    # a budget per quarter and a headcount per department: GROUP BY rebuilds, which the hand calls snapshots
    "silver.factbudgetquarter": ("fact_periodic_snapshot", "fact_aggregate"),
    "silver.factdepartmentheadcount": ("fact_periodic_snapshot", "fact_aggregate"),
    # a TRUNCATE + INSERT of the latest state of each ticket: the hand reads it as accumulating
    "silver.factticketresolution": ("fact_accumulating_snapshot", "fact_periodic_snapshot"),
    # the INSERT ... GROUP BY is inside a dynamic SQL string
    "silver.factwebeventdaily": ("fact_aggregate", "fact_periodic_snapshot"),
}
# plain appends: the hand names the event time as the watermark, the procedure compares nothing
CORPUS_WATERMARK_DIFFERS = {"silver.factcustomertouchpoint", "silver.factshipment"}


def test_discover_on_the_conversion_corpus_matches_its_hand_profiles_but_for_the_known_differences():
    corpus = FIXTURES / "corpus"
    analysis = analyse(read_inputs(corpus / "ddl"))
    differs: dict[str, tuple[Any, Any]] = {}
    watermarks = set()
    for path in sorted((corpus / "catalog" / "tables").glob("*.json")):
        hand = read_json(path)
        if not hand.get("profile") or hand.get("is_source"):
            continue
        found = analysis.tables[path.stem].profile
        ours = (found.get("classification") or {}).get("resolved_kind")
        if ours != hand["profile"]["classification"]["resolved_kind"]:
            differs[path.stem] = (hand["profile"]["classification"]["resolved_kind"], ours)
        if _columns(hand["profile"].get("watermark"))[:1] != _columns(found.get("watermark"))[:1]:
            watermarks.add(path.stem)
    assert differs == CORPUS_CLASSIFICATION_DIFFERS
    assert watermarks == CORPUS_WATERMARK_DIFFERS
