"""The reconcile HTML report in a real browser: headless Chromium (Debian's ``chromium``; ``.ci/run``
installs it when missing) renders it, the matrix is in the rendered DOM with a coloured cell per
table and round, planted ``<script>`` payloads stay text (no script of theirs ran or entered the
DOM), and a screenshot is saved (tmp dir, plus a copy in ``.ci/artifacts/`` for a person to look at).
Skipped only when chromium is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_migrate.reconcile.html import write_html
from helpers.browser import chromium, dump_dom, keep, screenshot
from helpers.reconcile import PAYLOAD, parse_report, sample_run

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install -y chromium)")


def _assert_png(png: Path) -> None:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


def test_sample_report_with_payloads_renders_its_matrix_and_runs_no_planted_script(tmp_path: Path) -> None:
    run = sample_run(table=f"silver.Evil{PAYLOAD}", cell=f"cell{PAYLOAD}")
    page = write_html(run, tmp_path / "report.html")
    dom = parse_report(dump_dom(page, tmp_path))
    cells = [row for row in dom.matrix_rows if row]
    assert [[status for status, _ in row] for row in cells] == [["match", "mismatch"], ["match", "error"]]
    assert "2 only in legacy / 1 only in model" in cells[0][1][1]
    assert [t for t, _ in dom.tags].count("script") == 1  # the report's own; the payload's never ran
    assert not [a for t, a in dom.tags if t == "img"]
    assert f"silver.Evil{PAYLOAD}" in "".join(dom.text)  # shown as text
    png = screenshot(page, tmp_path / "report.png", tmp_path)
    _assert_png(png)
    keep(png, "reconcile-sample-report.png")
