"""The discover inventory page: the reconcile report's style, every value escaped."""

from __future__ import annotations

from dbt_migrate.discover.html import render

PAYLOAD = '</td></tr></table><script>alert("x")</script><img src="https://evil.example/x.png">'


def _inventory() -> dict:
    return {
        "counts": {"tables": 2, "procedures": 1},
        "catalogs_written": {"tables": 2},
        "objects_by_schema": {PAYLOAD: {"table": 2}},
        "procedures_by_pattern": {"merge": 1},
        "procedures_by_classification": {"dim_scd1": 1},
        "conversion": {
            "rules": [{"table": f"dbo.{PAYLOAD}"}],
            "llm": [{"table": "dbo.B", "why": PAYLOAD}],
            "not_ready": [],
        },
        "multi_writer_tables": [{"table": "dbo.C", "candidates": ["dbo.p1", PAYLOAD]}],
        "dependency_layers": [["dbo.a"], [PAYLOAD]],
        "problems": [PAYLOAD],
    }


def test_planted_names_are_shown_as_text_and_the_page_loads_nothing():
    page = render(_inventory())
    assert "<script>alert" not in page and "<img" not in page
    assert page.count("&lt;script&gt;alert") == 6
    assert "https://evil" not in page.replace("src=&#34;https://evil", "")
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src" in page


def test_sections_name_their_counts():
    page = render(_inventory())
    for heading in ("Converted by rule (1)", "Needs the LLM (1)", "Not ready (0)", "Tables with several writers (1)"):
        assert heading in page
