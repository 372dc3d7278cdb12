"""The reconcile HTML report: one self-contained file, the matrix with the right cells, the drill-down,
and every untrusted value escaped (payloads planted in a table name, a column name and a cell)."""

from __future__ import annotations

import re
from pathlib import Path

from dbt_migrate.reconcile.html import render_html, write_html
from helpers.reconcile_report import PAYLOAD, parse_report, sample_run


def test_matrix_has_a_coloured_cell_per_table_and_round_with_the_counts() -> None:
    page = parse_report(render_html(sample_run()))
    cells = [row for row in page.matrix_rows if row]
    assert len(cells) == 2 and all(len(row) == 2 for row in cells)  # 2 tables x 2 rounds
    (dim1, dim2), (rev1, rev2) = cells
    assert dim1[0] == "match" and dim1[1].startswith("match")
    assert dim2[0] == "mismatch" and "2 only in legacy / 1 only in model" in dim2[1]
    assert rev1[0] == "match" and rev2[0] == "error" and "Binder Error" in rev2[1]
    classes = [a.get("class") for t, a in page.tags if t == "td" and "cell" in (a.get("class") or "")]
    assert classes == ["cell match", "cell mismatch", "cell match", "cell error"]


def test_drilldown_shows_example_rows_column_summaries_schema_and_metadata() -> None:
    text = " ".join(parse_report(render_html(sample_run())).text)
    for expected in (
        "example rows only in legacy (2 shown)",
        "example rows only in model (1 shown)",
        "kj@example.org",
        "Email differs in 1 of 4",
        "excluded",
        "CustomerKey",
        "/p/reconcile.yml",
        "duckdb",
        "0.0.0-test",
        "run-1",
        "Binder Error: column <Revenue> not found",
    ):
        assert expected in text, expected


def test_planted_payloads_are_shown_as_text_never_as_markup() -> None:
    run = sample_run(table=f"silver.Evil{PAYLOAD}", column=f"Col{PAYLOAD}", cell=f"cell{PAYLOAD}")
    html = render_html(run)
    page = parse_report(html)
    assert [t for t, _ in page.tags].count("script") == 1  # the report's own, in <head>
    assert not [a for t, a in page.tags if t == "img"]
    text = "".join(page.text)
    for planted in (f"silver.Evil{PAYLOAD}", f"Col{PAYLOAD}", f"cell{PAYLOAD}"):
        assert planted in text  # the parser gives the payload back as text: it was escaped
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert len([a for t, a in page.tags if t == "td" and "cell" in (a.get("class") or "")]) == 4


def test_report_is_self_contained_and_loads_nothing() -> None:
    html = render_html(sample_run())
    assert not re.search(r"https?:|ftp:|file:|//", html)  # no URL of any kind
    page = parse_report(render_html(sample_run(cell=PAYLOAD)))
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        href = attrs.get("href")
        assert href is None or re.fullmatch(r"#t\d+(-r\d+)?", href), href  # in-page links only
        assert not any("://" in (v or "") for v in attrs.values()), (tag, attrs)
    assert not [t for t, _ in page.tags if t in ("link", "iframe", "object", "embed", "base", "img")]
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")
    assert "fetch(" not in html and "XMLHttpRequest" not in html


def test_write_html_writes_the_rendered_page_and_returns_its_path(tmp_path: Path) -> None:
    run = sample_run()
    path = write_html(run, tmp_path / "reports" / "reconcile.html")
    assert path == tmp_path / "reports" / "reconcile.html"
    assert path.read_text(encoding="utf-8") == render_html(run)
    assert [p.name for p in path.parent.iterdir()] == ["reconcile.html"]  # no temp file left
