"""What a reader sees in the generated HTML: labels, not identifiers; no nan or None; numbers
rounded; the data-needed list and its template; sliders and print styles in the pages.

The suite runs once for the session (`suite_run`); the helpers are tested on their own first."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
MISSING = re.compile(r"(?<![\w.])(?:nan|NaN|None)(?![\w.])")
LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?![\w.])")


class Visible(HTMLParser):
    """Visible text of a page and its table headers — not script, style or code, and not the
    explore cells of a full version: those are an analyst's own pandas, shown as pandas shows
    it, like code (the policy version leaves them out altogether)."""

    SKIP = {"script", "style", "code", "pre"}
    EXPLORE = "celltag_explore"

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.headers: list[str] = []
        self._skip = 0
        self._explore_divs = 0  # open <div>s inside an explore cell (0: not inside one)
        self._th: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "div" and (self._explore_divs or self.EXPLORE in (dict(attrs).get("class") or "")):
            self._explore_divs += 1
            if self._explore_divs == 1:
                self._skip += 1
        if tag in self.SKIP:
            self._skip += 1
        if tag == "th":
            self._th = []

    def handle_endtag(self, tag):
        if tag == "div" and self._explore_divs:
            self._explore_divs -= 1
            if self._explore_divs == 0:
                self._skip -= 1
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


def test_the_scanner_skips_only_explore_cells(tmp_path):
    page = tmp_path / "full.html"
    page.write_text('<div class="jp-Cell celltag_explore"><div><table><tr><th>target_kind</th></tr>'
                    '</table></div></div><table><tr><th>name_zh</th></tr><tr><td>nan</td></tr></table>',
                    encoding="utf-8")
    found = problems(page)
    assert found == ["header 'name_zh'", found[1]] and "nan" in found[1]


@pytest.mark.slow
def test_no_identifier_nan_or_unrounded_number_reaches_a_reader(suite_run):
    code, out = suite_run
    assert code == 0
    pages = reader_pages(out) + sorted((out / "full").glob("*.html"))  # code is in <pre>
    assert len(pages) >= 13
    found = {page.name: problems(page) for page in pages}
    assert {name: p for name, p in found.items() if p} == {}


@pytest.mark.slow
def test_p_reached_has_two_decimals_everywhere(suite_run):
    _, out = suite_run
    for page in reader_pages(out):
        html = page.read_text(encoding="utf-8")
        for cell in re.findall(r"P\(reached\) = ([0-9.]+)", html):
            assert re.fullmatch(r"\d\.\d\d", cell), (page.name, cell)


@pytest.mark.slow
def test_index_leads_with_verdicts_and_lists_the_data_needed(suite_run):
    from openpyxl import load_workbook
    _, out = suite_run
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index("By verdict") < html.index("Data needed") < html.index("Reports")
    rows = re.findall(r'<table class="needed">(.*?)</table>', html, re.S)[0]
    unlocked = [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', rows)]
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


@pytest.mark.slow
def test_every_report_has_a_print_stylesheet_and_every_chart_a_table(suite_run):
    _, out = suite_run
    for page in reader_pages(out):
        html = page.read_text(encoding="utf-8")
        assert "@media print" in html and "size: A4" in html, page.name
        figures = html.count('<figure class="dz-figure">')
        assert figures == html.count('class="dz-data"'), page.name
        for alt in re.findall(r'<img [^>]*?alt="([^"]*)"', html):
            assert alt.strip(), page.name


@pytest.mark.slow
def test_scenarios_page_carries_offline_sliders(suite_run):
    _, out = suite_run
    html = (out / "reports" / "scenarios.html").read_text(encoding="utf-8")
    assert html.count('type="range"') >= 2
    assert "<script>" in html and "data-grid=" in html


def test_numbers_are_rounded_as_a_reader_expects():
    from dezhou_analysis.reports.common import clean_text, format_number, format_p, format_value
    assert format_p(0.01625) == "0.02" and format_p(float("nan")) == "—" and format_p(None) == "—"
    assert format_number(3140.18) == "3140.2" and format_number(5.9712) == "5.97"
    assert format_number(0.9158) == "0.92" and format_number(0.000123456) == "0.0001"
    assert format_number(2017.0) == "2017" and format_number(-0.001) == "-0.001"
    assert format_value(12.0, "个") == "12" and format_value(float("nan"), "%") == "—"
    assert clean_text("1 value(s) (None)") == "1 value(s) (—)" and clean_text(None) == "—"
    assert clean_text("ratio 0.0162500001 of GDP") == "ratio 0.02 of GDP"
    assert clean_text("growth_kind") == "growth_kind"  # identifiers are not text's business


def test_every_label_is_bilingual_and_not_an_identifier():
    from dezhou_analysis.reports.common import COLUMN_LABELS
    for column, (zh, en) in COLUMN_LABELS.items():
        assert zh and en and not SNAKE.search(zh + " " + en), column


def test_data_needed_orders_indicators_by_targets_unlocked(parsed):
    import pandas as pd

    from dezhou_analysis.assess.assessor import Assessment, TargetResult
    from dezhou_analysis.reports.data_needed import data_needed, year_ranges
    rows = [
        {"target_id": "T1", "indicator_id": "gdp", "status": "unable to assess", "base_year": 2017,
         "target_year": 2022, "name_zh": "x", "name_en": "x", "unit": "亿元"},
        {"target_id": "T2", "indicator_id": "gdp", "status": "unable to assess", "base_year": 2017,
         "target_year": 2022, "name_zh": "x", "name_en": "x", "unit": "亿元"},
        {"target_id": "T3", "indicator_id": "budget_revenue", "status": "unable to assess",
         "base_year": 2017, "target_year": 2022, "name_zh": "y", "name_en": None, "unit": "亿元"},
        {"target_id": "T4", "indicator_id": "", "status": "unable to assess", "base_year": 2017,
         "target_year": 2022, "name_zh": "未登记指标", "name_en": float("nan"), "unit": "个"},
        {"target_id": "T5", "indicator_id": "gdp", "status": "on track", "base_year": 2017,
         "target_year": 2022, "name_zh": "x", "name_en": "x", "unit": "亿元"},
    ]
    history = pd.DataFrame({"year": [2017, 2018, 2019], "value": [1.0, 2.0, 3.0]})
    results = {"T1": TargetResult(rows[0], history), "T2": TargetResult(rows[1])}
    assessment = Assessment(pd.DataFrame(rows), results, None, 1, 10, 0.05)
    needed = data_needed(assessment, horizon=2022)
    assert list(needed["n_targets"]) == [2, 1, 1]
    first = needed.iloc[0]
    assert first["indicator_id"] == "gdp" and first["targets"] == "T1, T2"
    assert first["missing_years"] == "2017–2022"  # T2 has no values at all
    unknown = needed[needed["indicator_id"] == ""].iloc[0]
    assert unknown["name_zh"] == "未登记指标" and "registry" in unknown["name_en"]
    assert year_ranges([2017, 2018, 2019, 2021]) == "2017–2019, 2021"


def test_needed_template_holds_exactly_the_needed_indicators(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from dezhou_analysis.reports.data_needed import write_needed_template
    needed = pd.DataFrame({"indicator_id": ["budget_revenue", "", "gdp"]})
    path = write_needed_template(needed, tmp_path / "t.xlsx", region="德州市", years=range(2017, 2023))
    sheet = load_workbook(path)["data"]
    header = [c.value for c in sheet[1]]
    assert header[-6:] == [str(y) for y in range(2017, 2023)]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["budget_revenue", "gdp"]
    assert write_needed_template(needed.iloc[0:0], tmp_path / "none.xlsx") is None


def test_pages_are_the_documents_nbconvert_would_make(suite_run):
    """The export leaves out nbconvert's BeautifulSoup pass (it is most of an export's time) and
    adds its two attributes itself: every executed notebook, in both flavours, must still give
    the same document as nbconvert's own HTMLExporter (compared as parsed trees)."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from dezhou_analysis.run.export import EXPLORE_TAG, exporter, template_dir
    _, out = suite_run
    notebooks = sorted((out / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for with_code in (False, True):
            reference = HTMLExporter(template_name="dezhou", extra_template_basedirs=[template_dir()],
                                     exclude_input=not with_code, exclude_input_prompt=not with_code,
                                     exclude_output_prompt=True, embed_images=True, language_code="zh")
            if not with_code:
                reference.register_preprocessor(
                    TagRemovePreprocessor(remove_cell_tags={EXPLORE_TAG}, enabled=True), enabled=True)
            expected, _ = reference.from_notebook_node(nb)
            page, _ = exporter(with_code).from_notebook_node(nb)
            assert 'tabindex="0"' in page, path.name
            assert BeautifulSoup(page, "html.parser") == BeautifulSoup(expected, "html.parser"), \
                f"{path.name} (with code: {with_code})"


def test_focusable_marks_cells_and_images_as_nbconvert_does():
    from dezhou_analysis.run.export import NO_ALT, focusable
    page = ('<div class="jp-Cell-inputWrapper"><img src="a.png"></div>'
            '<div class="jp-RenderedHTMLCommon jp-OutputArea-output x"><img alt="chart" src="b.png"></div>'
            '<div class="jp-OutputArea-outputs"></div><div class="jp-Cell-inputWrapper" tabindex="1">')
    assert focusable(page) == (
        f'<div class="jp-Cell-inputWrapper" tabindex="0"><img alt="{NO_ALT}" src="a.png"></div>'
        '<div class="jp-RenderedHTMLCommon jp-OutputArea-output x" tabindex="0"><img alt="chart" src="b.png"></div>'
        '<div class="jp-OutputArea-outputs"></div><div class="jp-Cell-inputWrapper" tabindex="1">')
