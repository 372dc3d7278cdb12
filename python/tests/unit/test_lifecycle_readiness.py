"""Pause / restore readiness on plain data (no dbt): which paused models can come back, in what
order, and what the others wait for. The same behaviour on real dbt projects is e2e/test_lifecycle.py."""

from __future__ import annotations

import pytest

from dbt_migrate.lifecycle.readiness import (
    BLOCKED,
    INVESTIGATE,
    READY,
    Dependency,
    PausedModel,
    ProjectIndex,
    readiness,
    restore_order,
)

INDEX = ProjectIndex(
    project_name="shop",
    names={"stg_customers", "stg_v"},
    package_names={("shop", "stg_customers"), ("shop", "stg_v")},
    versions={("stg_v", "2")},
    sources={("erp", "orders")},
)


def paused(name: str, *deps: Dependency, unreadable: str | None = None) -> PausedModel:
    return PausedModel(name, f"models/{name}.sql.skip", {"dim_customer"}, list(deps), unreadable)


def test_a_model_waiting_on_a_ready_model_of_its_group_is_ready_and_restored_after_it():
    hist = paused("dim_customer_hist", Dependency("ref", "dim_customer"))
    dim = paused("dim_customer", Dependency("ref", "stg_customers"), Dependency("source", "erp", "orders"))
    verdicts = readiness([hist, dim], INDEX)
    assert {n: v.status for n, v in verdicts.items()} == {"dim_customer": READY, "dim_customer_hist": READY}
    assert verdicts["dim_customer_hist"].present == [Dependency("ref", "dim_customer")]
    assert restore_order(verdicts) == ["dim_customer", "dim_customer_hist"]


def test_missing_dependency_blocks_the_model_and_everything_waiting_on_it():
    dim = paused("dim_customer", Dependency("ref", "stg_geo"), Dependency("ref", "stg_v", version="3"))
    hist = paused("dim_customer_hist", Dependency("ref", "dim_customer"))
    verdicts = readiness([dim, hist], INDEX, elsewhere={"stg_geo": {"dim_geo"}})
    assert verdicts["dim_customer"].status == BLOCKED
    assert verdicts["dim_customer"].missing_labels == ["ref('stg_geo')", "ref('stg_v', v=3)"]
    assert verdicts["dim_customer"].provided_by == {"stg_geo": ["dim_geo"]}
    assert verdicts["dim_customer_hist"].status == BLOCKED
    assert verdicts["dim_customer_hist"].missing_labels == ["ref('dim_customer')"]
    assert restore_order(verdicts) == []


def test_a_model_the_static_extractor_cannot_read_is_investigated_not_restored():
    verdicts = readiness([paused("dim_dynamic", unreadable="static extractor: dynamic ref")], INDEX)
    assert verdicts["dim_dynamic"].status == INVESTIGATE
    assert verdicts["dim_dynamic"].reason == "static extractor: dynamic ref"
    assert restore_order(verdicts) == []


@pytest.mark.parametrize(
    "label",
    [
        "ref('stg_a')",
        "ref('shop', 'stg_b')",
        "ref('stg_v', v=2)",
        "source('erp', 'orders')",
    ],
)
def test_dependency_label_round_trips(label):
    assert Dependency.from_label(label).label == label
