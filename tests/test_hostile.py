"""Hostile inputs across the pipeline: each gives a clear error or warning naming its place;
none crashes with a bare traceback."""

import datetime as dt
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dezhou_analysis.cli import main
from dezhou_analysis.core.errors import DezhouError
from dezhou_analysis.documents.reader import parse_documents, parse_text
from dezhou_analysis.documents.sources import load_document
from dezhou_analysis.run.params import parse_overrides, read_params_file, resolve
from dezhou_analysis.yearbook.reader import read_yearbooks


def _doc(tmp_path, data: bytes, sidecar: str | None = None, name="doc.txt"):
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    if sidecar is not None:
        (folder / name.replace(".txt", ".meta.yml")).write_text(sidecar, encoding="utf-8")
    return folder


def _yearbook(tmp_path, content, name="y.csv", **kwargs):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = read_yearbooks([path], default_region=kwargs.get("region", "德州市"),
                            sheet=kwargs.get("sheet"), today=dt.date(2026, 11, 21))
    return "\n".join(str(i) for i in result.issues + result.warnings)


HEAD = "indicator,region,year,value,unit\n"

DOCUMENT_CASES = {
    "empty document": (lambda t: parse_documents(_doc(t, b"")), r"doc\.txt.*empty"),
    "binary document": (lambda t: parse_documents(_doc(t, b"\x00\x01\x02" * 50)), r"doc\.txt.*binary"),
    "undecodable bytes": (lambda t: parse_documents(_doc(t, b"\xff\xfe\xfd\x80" * 20 + b"\x81")),
                          r"doc\.txt.*(cannot decode|binary)"),
    "sidecar not YAML": (lambda t: load_document(_doc(t, "2017年。".encode(), "title: [unclosed") / "doc.txt"),
                         r"doc\.meta\.yml: not valid YAML"),
    "sidecar is a list": (lambda t: load_document(_doc(t, "2017年。".encode(), "- a\n- b\n") / "doc.txt"),
                          r"doc\.meta\.yml: expected a mapping"),
    "sidecar with python tag": (lambda t: load_document(_doc(t, "2017年。".encode(),
                                                             "title: !!python/object/apply:os.system ['echo hi']\n") / "doc.txt"),
                                r"not valid YAML"),
    "missing documents folder": (lambda t: parse_documents(t / "nowhere"), r"nowhere: no such documents folder"),
    "folder without documents": (lambda t: parse_documents(_doc(t, b"x", name="x.pdf")), r"no documents"),
}


@pytest.mark.parametrize("case", sorted(DOCUMENT_CASES))
def test_hostile_documents(case, tmp_path):
    action, message = DOCUMENT_CASES[case]
    with pytest.raises(DezhouError, match=message):
        action(tmp_path)


def test_hostile_document_texts_do_not_crash():
    texts = [
        "9" * 200_000,                                      # one enormous number
        "2017年" * 5000,                                    # years without numbers
        "<div>" * 2000 + "**" * 2000,                       # markup junk
        "指标\t单位\t2017年\t2022年\n",                         # a table header without rows
        "XX市XX区一般公共预算收入X亿元，增长X%，占比XX%。",          # placeholders only
        "\u202e2017年实现地区生产总值3140.2亿元\u202c。",          # bidi control characters
        "到2022年，" + "、".join(f"项目{i}个" for i in range(3000)) + "。",
    ]
    for text in texts:
        result = parse_text(text, "x.txt", {"kind": "plan", "date": "2018-06-01", "region": "德州市"})
        assert "X" not in "".join(result.observations["source_quote"]) or result.observations.empty


YEARBOOK_CASES = {
    "non-numeric value": (HEAD + "地区生产总值,德州市,2017,three thousand,亿元\n", r"row 2, column 'value': value 'three thousand' is not a number"),
    "same cell twice": (HEAD + "地区生产总值,德州市,2017,3140,亿元\n地区生产总值,德州市,2017,3500,亿元\n", r"row 3: the same cell twice"),
    "share above 100": (HEAD + "城镇化率,德州市,2017,101,%\n", r"row 2, column 'value': 101 is impossible for a share"),
    "negative count": (HEAD + "上市公司,德州市,2017,-1,家\n", r"row 2, column 'value': -1 is negative"),
    "year in the future": (HEAD + "地区生产总值,德州市,2040,3140,亿元\n", r"row 2, column 'year': year 2040 is out of range"),
    "year before 1949": (HEAD + "地区生产总值,德州市,1900,3140,亿元\n", r"row 2, column 'year': year 1900 is out of range"),
    "period text without a year": (HEAD + "地区生产总值,德州市,前三季度,3140,亿元\n", r"row 2, column 'year':.*has no year"),
    "garbage period": (HEAD + "地区生产总值,德州市,soon,3140,亿元\n", r"row 2, column 'year': 'soon' is not a period"),
    "unknown unit": (HEAD + "地区生产总值,德州市,2017,3140,亿日元\n", r"row 2, column 'unit': unknown unit '亿日元'"),
    "incompatible unit": (HEAD + "上市公司,德州市,2017,9,亿元\n", r"row 2, column 'unit': unit '亿元' cannot be converted"),
    "unknown indicator": (HEAD + "幸福指数,德州市,2017,9,%\n", r"row 2, column 'indicator': unknown indicator '幸福指数'"),
    "formula injection label": (HEAD + "=cmd|' /C calc'!A0,德州市,2017,9,%\n", r"row 2.*unknown indicator \"=cmd"),
    "script label": (HEAD + "<script>alert(1)</script>,德州市,2017,9,%\n", r"unknown indicator '<script>alert\(1\)</script>'"),
    "value without indicator": (HEAD + ",德州市,2017,9,%\n", r"row 2, column 'indicator': a value without an indicator"),
    "ratio with wrong parts": (HEAD + "三次产业比例,德州市,2019,8.2:43.8,%\n", r"row 2.*has 2 parts"),
    "no header row": ("a,b,c\n1,2,3\n", r"no header row found"),
    "empty csv": (b"", r"the file is empty"),
    "binary csv": (b"PK\x03\x04\x00\x00" * 40, r"binary"),
    "region missing": (HEAD + "地区生产总值,,2017,3140,亿元\n", r"row 2, column 'region': region missing"),
    "footnote marker": (HEAD + "地区生产总值,德州市,2017,3140.2*,亿元\n", r"row 2, column 'value': footnote marker removed"),
    "field over the CSV limit": (HEAD + '"' + "x" * 200_000 + '",德州市,2017,1,亿元\n', r"cannot read as CSV near line 2"),
    "unit in value and column disagree": (HEAD + "地区生产总值,德州市,2017,3140.2亿元,万元\n",
                                          r"row 2, column 'value'.*says 亿元 but the unit column says 万元"),
    "unit in label and column disagree": (HEAD + "一般公共预算收入（万元）,德州市,2017,187.47,亿元\n",
                                          r"row 2, column 'unit'.*says 万元 but the unit column says 亿元"),
    "estimate as a year": (HEAD + "地区生产总值,德州市,2023年预计,3900,亿元\n", r"row 2, column 'year'.*estimate"),
}


@pytest.mark.parametrize("case", sorted(YEARBOOK_CASES))
def test_hostile_yearbook_files(case, tmp_path):
    content, message = YEARBOOK_CASES[case]
    region = "" if case == "region missing" else "德州市"
    text = _yearbook(tmp_path, content, region=region)
    assert re.search(message, text), text


def test_unreadable_workbooks(tmp_path):
    assert "cannot open as an .xls workbook" in _yearbook(tmp_path, b"\xd0\xcf\x11\xe0" * 30, name="y.xls")
    assert "not a workbook" in _yearbook(tmp_path, b"not a zip", name="y.xlsx")
    assert "cannot open as an .xlsx workbook" in _yearbook(tmp_path, b"PK\x03\x04" + b"\x00" * 40, name="z.xlsx")


PARAMETER_CASES = {
    "unknown parameter": ({"as_off": 2019}, r"as_off: no notebook declares this parameter; declared parameters are .*as_of"),
    "wrong type": ({"n_paths": "many"}, r"n_paths='many': expected int"),
    "out of range": ({"tolerance": 5}, r"tolerance=5.0: expected 0.0–0.5"),
    "unknown language": ({"language": "fr"}, r"language='fr': expected one of"),
    "runner-owned": ({"output_dir": "/tmp"}, r"output_dir: set by the runner"),
    "notebook-scoped unknown": ({"a": {"x": 1}}, r"x: unknown parameter of a; it declares y"),
    "as_of not a year": ({"as_of": 1800}, r"as_of=1800: expected 0 \(all data\) or a year"),
}


@pytest.mark.parametrize("case", sorted(PARAMETER_CASES))
def test_hostile_parameters(case):
    from dezhou_analysis.run.params import Declared
    declared = {"a": {"y": Declared("y", "int", 1, "")},
                "target_reachability": {n: Declared(n, t, d, "") for n, t, d in (
                    ("as_of", "int", 0), ("n_paths", "int", 4000), ("tolerance", "float", 0.05),
                    ("language", "str", "zh+en"), ("output_dir", "str", ""))}}
    raw, message = PARAMETER_CASES[case]
    with pytest.raises(DezhouError, match=message):
        resolve(raw, declared)


def test_parameter_files_and_overrides(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("as_of: !!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    with pytest.raises(DezhouError, match="not valid YAML"):
        read_params_file(bad)
    assert not (tmp_path / "pwned").exists()
    listing = tmp_path / "l.yaml"
    listing.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(DezhouError, match="expected a mapping"):
        read_params_file(listing)
    with pytest.raises(DezhouError, match="expected KEY=VALUE"):
        parse_overrides(["as_of"])
    assert parse_overrides(["as_of=2019", "target_reachability.tolerance=0.1"]) == {
        "as_of": 2019, "target_reachability": {"tolerance": 0.1}}


def test_cli_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.csv")]) == 1
    assert main(["run", "--jobs", "0"]) == 1
    assert main(["run", "--only", "nonexistent"]) == 1
    assert main(["parse", "--documents", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "missing.csv: no such file" in err and "--jobs 0: expected 1 or more" in err
    assert "--only ['nonexistent']: no such notebook" in err and "no such documents folder" in err


_CELL_WORDS = ["指标", "年份", "地区", "数值", "单位", "2019", "2020年", "2021年(快报)", "比上年增长(%)",
               "绝对数", "地区生产总值", "常住人口城镇化率(%)", "一般公共预算收入（万元）", "..", "—",
               "单位：亿元", "%", "亿元", "2022年比2017年增长", "德州市", "−1.2", "3078.99亿元",
               "2020-2022", "上半年", "第一产业", "8.2:43.8:48.0", "三次产业比例"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.one_of(st.sampled_from(_CELL_WORDS), st.text(max_size=6)), max_size=7),
                min_size=1, max_size=8),
       st.sampled_from([",", "\t"]))
def test_any_csv_of_yearbook_words_gives_messages_not_tracebacks(tmp_path_factory, rows, sep):
    """Whatever the cells, the reader returns observations, exclusions and messages."""
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_text("\n".join(sep.join(c.replace(sep, " ") for c in r) for r in rows), encoding="utf-8")
    result = read_yearbooks([path], default_region="德州市", today=dt.date(2026, 11, 21))
    assert all(str(issue) for issue in result.issues + result.warnings)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.one_of(
    st.sampled_from(_CELL_WORDS), st.none(), st.integers(-10**6, 10**6), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1))), max_size=7),
    min_size=1, max_size=8))
def test_any_workbook_of_mixed_cells_gives_messages_not_tracebacks(tmp_path_factory, rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    workbook.save(path)
    result = read_yearbooks([path], default_region="德州市", today=dt.date(2026, 11, 21))
    assert all(str(issue) for issue in result.issues + result.warnings)
