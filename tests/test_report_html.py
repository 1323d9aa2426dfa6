"""What a reader sees in the generated HTML: labels, not identifiers; no nan or None; numbers
rounded; the data-needed list and its template; sliders and print styles in the pages.

The suite runs once for this module (the session's `suite_run`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
MISSING = re.compile(r"(?<![\w.])(?:nan|NaN|None)(?![\w.])")
LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?![\w.])")


class Visible(HTMLParser):
    """Visible text of a page (no script, style or code cells) and its table headers."""

    SKIP = {"script", "style", "code", "pre"}

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.headers: list[str] = []
        self._skip = 0
        self._th: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        classes = dict(attrs).get("class") or ""
        if "jp-InputArea" in classes or "jp-CodeCell" in classes and False:
            pass
        if tag == "th":
            self._th = []

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag == "th" and self._th is not None:
            self.headers.append("".join(self._th).strip())
            self._th = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._th is not None:
            self._th.append(data)


def visible(path: Path) -> Visible:
    parser = Visible()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def reader_pages(out: Path) -> list[Path]:
    return [out / "index.html"] + sorted((out / "reports").glob("*.html"))


def problems(page: Path) -> list[str]:
    seen = visible(page)
    found = [f"header {h!r}" for h in seen.headers if SNAKE.search(h)]
    text = " ".join(seen.text)
    found += [f"missing value {m.group(0)!r} in …{text[max(0, m.start() - 60):m.end() + 20]}…"
              for m in MISSING.finditer(text)]
    found += [f"unrounded {m.group(0)!r}" for m in LONG_FLOAT.finditer(text)]
    return found


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<table><tr><th>target_kind</th></tr><tr><td>nan</td><td>0.016250</td>"
                    "<td>1 value(s) (None)</td></tr></table><script>var a_b = None;</script>",
                    encoding="utf-8")
    found = problems(page)
    assert any("target_kind" in f for f in found)
    assert sum("missing value" in f for f in found) == 2
    assert any("0.016250" in f for f in found)
    assert not any("a_b" in f for f in found)


def test_no_identifier_nan_or_unrounded_number_reaches_a_reader(suite_run):
    code, out = suite_run
    assert code == 0
    pages = reader_pages(out)
    assert len(pages) >= 7
    found = {page.name: problems(page) for page in pages}
    assert {name: p for name, p in found.items() if p} == {}


def test_p_reached_has_two_decimals_everywhere(suite_run):
    _, out = suite_run
    for page in reader_pages(out):
        html = page.read_text(encoding="utf-8")
        for cell in re.findall(r"P\(reached\) = ([0-9.]+)", html):
            assert re.fullmatch(r"\d\.\d\d", cell), (page.name, cell)


def test_index_leads_with_verdicts_and_lists_the_data_needed(suite_run):
    from openpyxl import load_workbook
    _, out = suite_run
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index("By verdict") < html.index("Data needed") < html.index("Reports")
    rows = re.findall(r'<table class="needed">(.*?)</table>', html, re.S)[0]
    unlocked = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', rows)]
    assert unlocked and unlocked == sorted(unlocked, reverse=True)
    assert 'href="data_needed_template.xlsx"' in html
    sheet = load_workbook(out / "data_needed_template.xlsx").active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids and len(ids) == len(set(ids))
    for indicator_id in ids:  # every row of the template is an indicator the index names
        assert f">{indicator_id}<" not in html  # names, not codes, are shown …
    from dezhou_analysis.core.indicators import default_registry
    registry = default_registry()
    for indicator_id in ids:  # … and every one of them appears by its registry name
        assert registry.get(indicator_id).name_zh in rows


def test_every_report_has_a_print_stylesheet_and_every_chart_a_table(suite_run):
    _, out = suite_run
    for page in reader_pages(out):
        html = page.read_text(encoding="utf-8")
        assert "@media print" in html and "size: A4" in html, page.name
        figures = html.count('<figure class="dz-figure">')
        assert figures == html.count('class="dz-data"'), page.name
        for alt in re.findall(r'<img [^>]*?alt="([^"]*)"', html):
            assert alt.strip(), page.name


def test_scenarios_page_carries_offline_sliders(suite_run):
    _, out = suite_run
    html = (out / "reports" / "scenarios.html").read_text(encoding="utf-8")
    assert html.count('type="range"') >= 2
    assert "<script>" in html and "data-grid=" in html
