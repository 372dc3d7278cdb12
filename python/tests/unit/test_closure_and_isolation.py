"""The pure cores of a resilient run: the dependency closure (closure.py) and isolation.py."""

from __future__ import annotations

import pytest

from dbt_migrate.closure import find_cycles, plan_holds
from dbt_migrate.errors import MigrateError
from dbt_migrate.isolation import dbt_message, parse_culprits, render_isolating


def test_a_model_refing_a_model_that_failed_waits_for_it_with_the_failure_and_so_do_its_dependents():
    refs = {"fct_sale": {"dim_date", "dim_city"}, "rpt_year": {"fct_sale"}, "dim_city": set(), "rpt_city": {"dim_city"}}
    holds = plan_holds(refs, present=set(), missing_why={"dim_date": "needs_llm: WHILE loop"})
    assert sorted(holds) == ["fct_sale", "rpt_year"]
    assert holds["fct_sale"].waiting_for == ["dim_date"]
    assert holds["fct_sale"].reason == "waiting for dim_date (needs_llm: WHILE loop)"
    assert holds["rpt_year"].waiting_for == ["fct_sale"]
    assert holds["rpt_year"].reason == "waiting for fct_sale (paused: waiting for dim_date)"


def test_a_ref_to_a_model_already_in_the_project_is_no_hold():
    assert plan_holds({"fct_sale": {"dim_date"}}, present={"dim_date"}) == {}


def test_a_ref_to_a_model_no_one_generates_says_so():
    holds = plan_holds({"fct": {"dim_x"}}, present=set())
    assert holds["fct"].reason == "waiting for dim_x (not generated in this run and not in the dbt project)"


def test_a_two_model_cycle_pauses_its_last_member_as_culprit_and_the_other_waits_for_it():
    refs = {"salesperson": {"quota"}, "quota": {"salesperson"}, "city": set(), "report": {"salesperson"}}
    holds = plan_holds(refs, present=set(), order=["city", "quota", "salesperson", "report"])
    assert holds["salesperson"].cycle == ["quota", "salesperson", "quota"]
    assert holds["salesperson"].reason == "cycle: quota -> salesperson -> quota"
    assert holds["quota"].waiting_for == ["salesperson"]
    assert holds["quota"].reason == "waiting for salesperson (cycle: quota -> salesperson -> quota)"
    assert holds["report"].waiting_for == ["salesperson"]
    assert "city" not in holds


def test_cycles_are_found_with_their_path_self_refs_included():
    refs = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": set()}
    assert find_cycles(refs) == [["a", "b", "c", "a"], ["d", "d"]]


def test_a_long_chain_is_no_cycle_and_is_walked_without_recursion():
    refs = {f"m{i}": {f"m{i - 1}"} for i in range(1, 5000)} | {"m0": set()}
    assert find_cycles(refs) == []
    holds = plan_holds(refs | {"m0": {"missing"}}, present=set())
    assert len(holds) == 5000


class Boom(MigrateError):
    pass


def _renderer(bad: set[int], calls: list[list[int]]):
    def render(batch: list[int]) -> dict[str, int]:
        calls.append(list(batch))
        broken = [b for b in batch if b in bad]
        if broken:
            raise Boom(f"macro failed on {broken[0]}")
        return {f"m{b}": b for b in batch}

    return render


def test_the_batch_renders_in_one_call_when_nothing_fails():
    calls: list[list[int]] = []
    rendered, failures = render_isolating(_renderer(set(), calls), list(range(20)))
    assert len(rendered) == 20 and failures == {} and len(calls) == 1


def test_a_failing_item_is_isolated_with_its_message_and_the_rest_is_rendered():
    calls: list[list[int]] = []
    rendered, failures = render_isolating(_renderer({13}, calls), list(range(20)))
    assert failures == {13: "macro failed on 13"}
    assert sorted(rendered.values()) == [i for i in range(20) if i != 13]
    assert len(calls) <= 2 * 5 + 1  # bisection: about 2·log2(N) calls, never one per item


def test_two_failing_items_are_both_isolated():
    rendered, failures = render_isolating(_renderer({0, 19}, []), list(range(20)))
    assert set(failures) == {0, 19} and len(rendered) == 18


def test_a_parse_error_naming_a_written_file_blames_its_item_and_other_files_are_the_users():
    written = {"models/staging/fct_sale.sql": "fct_sale", "models/staging/_fct_sale.yml": "fct_sale"}
    items, others = parse_culprits(
        ["models/staging/fct_sale.sql", "models/marts/mine.sql"], ["Compilation Error", "bad"], written, []
    )
    assert items == {"fct_sale": "Compilation Error bad"}
    assert others == ["models/marts/mine.sql"]


def test_a_yaml_error_is_mapped_by_the_file_its_message_names():
    written = {"models/staging/_fct_sale.yml": "fct_sale"}
    project = ["models/staging/_fct_sale.yml", "models/marts/_mine.yml", "models/marts/mine.sql"]
    err = ["Parsing Error\n  Error reading proj: models/marts/_mine.yml - Runtime Error\n  mapping values"]
    items, others = parse_culprits([], err, written, project)
    assert items == {} and others == ["models/marts/_mine.yml"]


def test_dbt_message_keeps_each_line_once():
    assert dbt_message(["Encountered an error:\nCompilation Error x", "Compilation Error x"]) == "Compilation Error x"


@pytest.mark.parametrize("errors", [[], [""]])
def test_an_empty_dbt_message_says_the_parse_failed(errors):
    assert dbt_message(errors) == "dbt parse failed"
