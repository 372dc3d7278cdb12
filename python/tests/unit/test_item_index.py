"""The item index `migrate status` reads: each item's latest outcome, merged run after run."""

from __future__ import annotations

from dbt_migrate.results import ItemResult, Output, RunDocument, read_item_index, update_item_index


def _doc(*results: ItemResult) -> RunDocument:
    return RunDocument(results=list(results))


def test_each_run_updates_its_items_and_keeps_the_others(tmp_path):
    path = tmp_path / "items.json"
    paused = Output(table_ref="Fact.Sale_By_Day", model_name="sale_by_day")
    paused.paused = {"waiting_for": ["calendar"], "reason": "waiting for calendar (needs_llm: WHILE loop)"}
    first = _doc(
        ItemResult(
            item_id="dimension.calendar",
            status="error",
            reason="needs_llm",
            output=Output(table_ref="x"),
            errors=["needs_llm: rules cannot convert this procedure (WHILE loop)"],
        ),
        ItemResult(item_id="fact.sale_by_day", status="partial", reason="paused", output=paused),
        ItemResult(
            item_id="fact.sale",
            status="partial",
            reason="equivalence_gap",
            output=Output(table_ref="Fact.Sale", model_name="sale"),
            warnings=["equivalence gap: data: rows differ"],
        ),
    )
    update_item_index(path, first)
    index = read_item_index(path)
    assert index["fact.sale_by_day"]["status"] == "paused"
    assert index["fact.sale_by_day"]["why"] == "waiting for calendar (needs_llm: WHILE loop)"
    assert index["dimension.calendar"]["why"].startswith("needs_llm: rules cannot convert")
    assert index["fact.sale"]["why"] == "equivalence gap: data: rows differ"

    update_item_index(
        path,
        _doc(
            ItemResult(
                item_id="dimension.calendar",
                status="ok",
                output=Output(table_ref="Dimension.Calendar", model_name="calendar"),
            )
        ),
    )
    index = read_item_index(path)
    assert index["dimension.calendar"]["status"] == "ok" and index["dimension.calendar"]["model"] == "calendar"
    assert index["fact.sale_by_day"]["status"] == "paused"  # not in the second run: kept


def test_an_unreadable_index_reads_as_empty(tmp_path):
    path = tmp_path / "items.json"
    path.write_text("{not json")
    assert read_item_index(path) == {}
