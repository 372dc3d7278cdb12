"""The HTML report style shared by dbt-migrate's reports (``migrate reconcile``'s, and any later one):
one self-contained page, inline CSS, no external URL of any kind, and a Content-Security-Policy that
forbids the page to load anything, so that it opens offline and nothing planted in it can call out.

Pure builders that return ``Markup`` (HTML built here); every value passed in that is not
``Markup`` goes through ``escaping.html_text``, so a caller cannot forget to escape a table name
or a legacy cell. Statuses map to the colour classes ``match`` / ``mismatch`` / ``error`` /
``neutral``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup

from .escaping import html_text

# The page loads nothing: no network, no file, no frame; only its own inline style and script.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
:root { --match: #1a7f37; --match-bg: #dafbe1; --mismatch: #9a6700; --mismatch-bg: #fff1c2;
        --error: #cf222e; --error-bg: #ffebe9; --neutral-bg: #f6f8fa; --border: #d0d7de;
        --fg: #1f2328; --muted: #59636e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
       margin: 0; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 18px 0 6px; }
h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
p.subtitle { color: var(--muted); margin: 0 0 16px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--border); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--neutral-bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th.diff, td.diff { background: var(--mismatch-bg); color: var(--mismatch); font-weight: 600; }
table.kv th { width: 180px; }
td.cell { min-width: 150px; font-weight: 600; }
td.cell a { color: inherit; text-decoration: none; display: block; }
td.cell small { display: block; font-weight: 400; }
.match { background: var(--match-bg); color: var(--match); }
.mismatch { background: var(--mismatch-bg); color: var(--mismatch); }
.error { background: var(--error-bg); color: var(--error); }
.neutral { background: var(--neutral-bg); color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
         border: 1px solid currentColor; }
.null { color: var(--muted); font-style: italic; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 4px; }
.card { border: 1px solid var(--border); border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card b { display: block; font-size: 20px; }
details { border: 1px solid var(--border); border-radius: 6px; padding: 6px 12px; margin: 8px 0; }
details > summary { cursor: pointer; font-weight: 600; }
.toolbar button { font: inherit; margin-right: 6px; padding: 2px 10px; cursor: pointer; }
code, td.value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { details { border: none; } .toolbar { display: none; } }
"""

# Expand / collapse every <details>, and open the ones around a link's target (a matrix cell links
# to its drill-down): the page's only script, inline, no fetch.
SCRIPT = """
function setAll(open) { document.querySelectorAll('details').forEach(function (d) { d.open = open; }); }
function openTarget() {
  var el = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  for (; el; el = el.parentElement) { if (el.tagName === 'DETAILS') { el.open = true; } }
}
window.addEventListener('hashchange', openTarget);
window.addEventListener('DOMContentLoaded', openTarget);
"""

STATUSES = ("match", "mismatch", "error")


def text(value: object) -> Markup:
    """A value as HTML: ``None`` as a greyed "null", anything else escaped."""
    if value is None:
        return Markup('<span class="null">null</span>')
    return html_text(value)


def status_class(status: str) -> str:
    return status if status in STATUSES else "neutral"


def badge(status: str, label: object | None = None) -> Markup:
    return Markup('<span class="badge {}">{}</span>').format(
        status_class(status), html_text(status if label is None else label)
    )


def table(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    cls: str = "",
    numeric: Sequence[int] = (),
    highlight: Sequence[int] = (),
) -> Markup:
    """A table; cells that are not ``Markup`` are escaped, ``numeric`` column indexes align right,
    ``highlight`` column indexes are marked (e.g. the columns that differ)."""

    def classes(i: int) -> str:
        return " ".join(c for c, on in (("num", i in numeric), ("diff", i in highlight)) if on)

    head = Markup("").join(
        Markup('<th class="{}">{}</th>').format(classes(i), html_text(h)) for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = [Markup('<td class="{}">{}</td>').format(classes(i), text(v)) for i, v in enumerate(row)]
        body.append(Markup("<tr>{}</tr>").format(Markup("").join(cells)))
    return Markup('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
        cls, head, Markup("\n").join(body)
    )


def key_values(pairs: Iterable[tuple[object, object]]) -> Markup:
    rows = Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(html_text(k), text(v)) for k, v in pairs)
    return Markup('<table class="kv"><tbody>{}</tbody></table>').format(rows)


def cards(items: Iterable[tuple[object, object, str]]) -> Markup:
    """Summary figures: (label, value, status class) each."""
    return Markup('<div class="cards">{}</div>').format(
        Markup("").join(
            Markup('<div class="card {}"><b>{}</b>{}</div>').format(status_class(s), html_text(v), html_text(label))
            for label, v, s in items
        )
    )


def details(summary: object, body: Markup, *, open_: bool = False, anchor: str | None = None) -> Markup:
    """A collapsible section; ``anchor`` is an id the caller builds from indexes, never from input."""
    return Markup("<details{}{}><summary>{}</summary>{}</details>").format(
        Markup(' id="{}"').format(anchor) if anchor else Markup(""),
        Markup(" open") if open_ else Markup(""),
        html_text(summary),
        body,
    )


def toolbar() -> Markup:
    return Markup(
        '<div class="toolbar"><button type="button" onclick="setAll(true)">expand all</button>'
        '<button type="button" onclick="setAll(false)">collapse all</button></div>'
    )


def page(title: object, body: Markup, *, subtitle: object = "", footer: object = "") -> str:
    """The whole document: one file with its style and script inline."""
    return str(
        Markup(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="Content-Security-Policy" content="{}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>{}</title>\n<style>{}</style>\n<script>{}</script>\n</head>\n<body>\n"
            '<h1>{}</h1>\n<p class="subtitle">{}</p>\n{}\n<footer>{}</footer>\n</body>\n</html>\n'
        ).format(
            CSP,
            html_text(title),
            Markup(CSS),
            Markup(SCRIPT),
            html_text(title),
            html_text(subtitle),
            body,
            html_text(footer),
        )
    )
