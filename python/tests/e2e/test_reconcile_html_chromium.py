"""The reconcile HTML report in a real browser: headless Chromium (Debian's ``chromium``; ``.ci/run``
installs it when missing) renders the report `migrate demo` writes at its end (and prints the path
of), the matrix is in the rendered DOM with a coloured cell per table and round, planted
``<script>`` payloads stay text (no script of theirs ran or entered the DOM), and screenshots are
saved (tmp dir, plus a copy in ``.ci/artifacts/`` for a person to look at). Skipped only when
chromium is absent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbt_migrate.reconcile.html import write_html
from helpers import run_cli
from helpers.browser import chromium, dump_dom, keep, screenshot
from helpers.reconcile_report import PAYLOAD, parse_report, sample_run

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install -y chromium)")


def _assert_png(png: Path) -> None:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`migrate demo` (text output) and the HTML report path it printed last."""
    base = tmp_path_factory.mktemp("demo")
    res = run_cli("demo", "--dir", str(base / "demo"))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    printed = re.findall(r"HTML report of the parallel run: (\S+\.html)", res.stdout)
    assert printed, res.stdout[-2000:]
    return Path(printed[-1])


def test_demo_report_renders_its_matrix_in_chromium(demo_report: Path, tmp_path: Path) -> None:
    assert demo_report.is_file() and demo_report.parent.name == "reconcile"
    dom = parse_report(dump_dom(demo_report, tmp_path))
    cells = [row for row in dom.matrix_rows if row]
    assert len(cells) == 3 and all(len(row) == 3 for row in cells)  # 3 tables x 3 rounds
    assert {status for row in cells for status, _ in row} == {"match"}
    assert "11 legacy / 11 model rows" in cells[1][2][1]  # FactOrderLine after day3
    png = screenshot(demo_report, tmp_path / "demo-report.png", tmp_path)
    _assert_png(png)
    keep(png, "reconcile-demo-report.png")


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
