"""Yearbook files in: the shipped sample, round trips through the template, and every kind of
bad file giving the row and column."""

import csv
import datetime as dt

import openpyxl
import pytest

from dezhou_analysis.cli import main
from dezhou_analysis.panel import build_panel
from dezhou_analysis.yearbook.reader import read_yearbooks
from dezhou_analysis.yearbook.template import write_template
from tests.conftest import YEARBOOK

SAMPLE = YEARBOOK / "yearbook_sample_2013_2019.csv"


def read(*paths, region="德州市"):
    return read_yearbooks(list(paths), default_region=region, today=dt.date(2026, 11, 21))


def test_shipped_sample_loads_and_every_row_is_accounted_for():
    result = read(SAMPLE)
    assert result.issues == []
    with open(SAMPLE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(result.observations) + len(result.exclusions) == len(rows) == 42
    assert all(e["reason"] for e in result.exclusions)


def test_sample_basis_comes_from_notes_and_registry():
    obs = {(o["indicator_id"], o["year"], o["measure"]): o for o in read(SAMPLE).observations}
    assert obs[("gdp", 2019, "level")]["basis"] == "post-census"
    assert obs[("gdp", 2016, "level")]["basis"] == "pre-census"
    assert obs[("gdp", 2017, "growth_yoy")]["value"] == 7.5


def _fill_wide(path, values):
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["data"]
    header = [c.value for c in sheet[1]]
    ids = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for (indicator_id, year), value in values.items():
        sheet.cell(ids[indicator_id], header.index(str(year)) + 1, value)
        sheet.cell(ids[indicator_id], header.index("地区") + 1, "德州市")
    workbook.save(path)


VALUES = {("gdp", 2018): 3380.3, ("gdp", 2020): 3078.99, ("urbanization_rate", 2020): 57.5,
          ("hightech_enterprises", 2021): 611, ("budget_revenue", 2021): 224.1}


def test_template_xlsx_filled_by_a_script_loads_back(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "xlsx", years=range(2013, 2023))
    _fill_wide(path, VALUES)
    result = read(path)
    assert result.issues == []
    got = {(o["indicator_id"], o["year"]): o["value"] for o in result.observations}
    assert got == VALUES


def test_same_data_as_a_long_gb18030_csv_loads_to_the_same_numbers(tmp_path):
    path = tmp_path / "long.csv"
    lines = ["指标,地区,年份,数值,单位,来源,备注"]
    names = {"gdp": ("地区生产总值", "亿元"), "urbanization_rate": ("城镇化率", "%"),
             "hightech_enterprises": ("高新技术企业数量", "家"), "budget_revenue": ("一般公共预算收入", "万元")}
    for (indicator_id, year), value in VALUES.items():
        name, unit = names[indicator_id]
        written = value * 10000 if unit == "万元" else value
        lines.append(f"{name},德州市,{year}年,{written},{unit},test,")
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    result = read(path)
    assert result.issues == []
    assert any("GB18030" in str(w) for w in result.warnings)
    got = {(o["indicator_id"], o["year"]): o["value"] for o in result.observations}
    assert got == pytest.approx(VALUES)


def test_partial_periods_and_spans_are_kept_but_not_annual(tmp_path):
    path = tmp_path / "partial.csv"
    path.write_text("indicator,region,year,value,unit,note\n"
                    "地区生产总值,德州市,2018H1,1650,亿元,first half only\n"
                    "地区生产总值,德州市,2022Q1-3,2600,亿元,\n"
                    "地区生产总值,德州市,2017年1-10月,2500,亿元,\n"
                    "地区生产总值增速,德州市,2017-2021,5.9,%,average\n"
                    "三次产业比例,德州市,2019,8.2:43.8:48.0,%,\n", encoding="utf-8")
    result = read(path)
    assert result.issues == []
    kinds = {(o["indicator_id"], o["period"]): o["period_kind"] for o in result.observations}
    assert kinds[("gdp", "2018H1")] == "partial" and kinds[("gdp", "2022Q1-3")] == "partial"
    assert kinds[("gdp", "2017M1-10")] == "partial" and kinds[("gdp", "2017-2021")] == "span"
    assert kinds[("primary_share", "2019")] == "annual"
    panel = build_panel(None, result)
    annual = panel.series("gdp", "德州市")
    assert annual.empty


BAD = [
    ("indicator,region,year,value,unit\n地区生产总值,德州市,2017,约三千,亿元\n", r"row 2, column 'value'.*not a number"),
    ("indicator,region,year,value,unit\n城镇化率,德州市,2017,130,%\n", r"row 2, column 'value'.*impossible for a share"),
    ("indicator,region,year,value,unit\n高新技术企业数量,德州市,2017,-5,家\n", r"row 2, column 'value'.*negative"),
    ("indicator,region,year,value,unit\n地区生产总值,德州市,2031,3140,亿元\n", r"row 2, column 'year'.*out of range"),
    ("indicator,region,year,value,unit\n地区生产总值,德州市,2017,3140,亿卢布\n", r"row 2, column 'unit'.*unknown unit"),
    ("indicator,region,year,value,unit\n地区生产总值,德州市,2017,3140,%\n", r"row 2, column 'unit'.*cannot be converted"),
    ("indicator,region,year,value,unit\n地区总产值,德州市,2017,3140,亿元\n", r"row 2, column 'indicator'.*unknown indicator.*nearest known"),
    ("indicator,region,year,value,unit\n地区生产总值,德州市,上半年,3140,亿元\n", r"row 2, column 'year'.*has no year"),
    ("foo,bar\n1,2\n", r"no header row"),
    ("indicator,region,year,value,unit\n地区生产总值,德州市,2017,3140.2亿元,万元\n",
     r"row 2, column 'value'.*says 亿元 but the unit column says 万元"),
    ("indicator,region,year,value,unit\n地区生产总值,德州市,2023年预计,3900,亿元\n",
     r"row 2, column 'year'.*estimate or a plan figure"),
]


@pytest.mark.parametrize("content,message", BAD, ids=[m[:30] for _, m in BAD])
def test_bad_files_name_row_and_column(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = read(path)
    assert result.issues, "expected a problem"
    text = "\n".join(str(i) for i in result.issues)
    assert __import__("re").search(message, text), text


def test_validate_cli_exit_codes_and_all_messages(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("指标,地区,年份,数值,单位\n地区生产总值,德州市,2018,3380.3,亿元\n", encoding="utf-8")
    assert main(["validate", str(good)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("指标,地区,年份,数值,单位\n地区生产总值,德州市,2018,abc,亿元\n城镇化率,德州市,2019,101,%\n",
                   encoding="utf-8")
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column '数值'" in err and "bad.csv, row 3, column '数值'" in err


def test_unsupported_and_unreadable_files(tmp_path):
    (tmp_path / "broken.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    (tmp_path / "fake.xlsx").write_text("not a zip", encoding="utf-8")
    (tmp_path / "page.xls").write_text("<html><table><tr><td>指标</td></tr></table></html>", encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "sheet.ods").write_bytes(b"PK\x03\x04")
    result = read(*(tmp_path / n for n in ("broken.xls", "fake.xlsx", "page.xls", "empty.csv", "sheet.ods")))
    text = "\n".join(str(i) for i in result.issues)
    assert "broken.xls: cannot open as an .xls workbook" in text
    assert "fake.xlsx: not a workbook" in text
    assert "page.xls: this is a web page (HTML) saved with a spreadsheet name" in text
    assert "empty.csv: the file is empty" in text
    assert "sheet.ods: unsupported file type '.ods' (save it as .xlsx)" in text


def test_legacy_xls_workbooks_as_bureaus_publish_them(tmp_path):
    """.xls (BIFF) read with xlrd: title row, percentages stored as fractions, a sheet chosen."""
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("主要指标")
    for col, text in enumerate(["指标", "单位", "2020年", "2021年"]):
        sheet.write(1, col, text)
    sheet.write(0, 0, "德州市主要经济指标")
    sheet.write(2, 0, "地区生产总值")
    sheet.write(2, 1, "亿元")
    sheet.write(2, 2, 3078.99)
    sheet.write(2, 3, 3488.77)
    percent = xlwt.easyxf(num_format_str="0.0%")
    sheet.write(3, 0, "常住人口城镇化率")
    sheet.write(3, 2, 0.565, percent)
    sheet.write(3, 3, 0.578, percent)
    book.add_sheet("说明").write(0, 0, "资料来源：德州市统计局")
    path = tmp_path / "yearbook.xls"
    book.save(str(path))
    result = read(path)
    assert result.issues == []
    got = {(o["indicator_id"], o["period"]): (o["value"], o["unit"]) for o in result.observations}
    assert got == {("gdp", "2020"): (3078.99, "亿元"), ("gdp", "2021"): (3488.77, "亿元"),
                   ("urbanization_rate", "2020"): (56.5, "%"), ("urbanization_rate", "2021"): (57.8, "%")}
    assert {o["source_detail"] for o in result.observations if o["period"] == "2020"} == {
        "yearbook.xls, sheet 主要指标, row 3, column 2020年", "yearbook.xls, sheet 主要指标, row 4, column 2020年"}


def test_excel_sheet_selection_and_wide_year_headers(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "主要指标"
    sheet.append(["德州市主要经济指标"])
    sheet.append(["单位：亿元"])
    sheet.append(["指标", "2018年", "2019年"])
    sheet.append(["地区生产总值", 3380.3, 3022.27])
    other = workbook.create_sheet("人口")
    other.append(["指标", "单位", 2019, 2020])
    other.append(["常住人口", "万人", 581, 561.1])
    workbook.save(path)
    result = read_yearbooks([path], default_region="德州市", sheet="主要指标")
    assert {(o["indicator_id"], o["year"]) for o in result.observations} == {("gdp", 2018), ("gdp", 2019)}
    both = read_yearbooks([path], default_region="德州市")
    assert len(both.observations) == 4
    assert {o["source_detail"] for o in both.observations if o["indicator_id"] == "population"} == {
        "book.xlsx, sheet 人口, row 2, column 2019", "book.xlsx, sheet 人口, row 2, column 2020"}


def test_real_yearbook_quirks(tmp_path):
    """Indented labels, notes rows, 全市 as region, percentages stored as Excel fractions."""
    path = tmp_path / "quirks.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["指标", "地区", "年份", "数值", "单位", "备注"])
    sheet.append(["地区生产总值", "全市", "2020年", 3078.99, "亿元", "普查后"])
    sheet.append(["  #第三产业增加值占GDP比重", "德州市", 2020, None, "", ""])
    sheet.cell(3, 4, 0.495).number_format = "0.0%"
    sheet.append(["其中：高新技术企业数量", "德州市", 2020, 520, "家", ""])
    sheet.append(["注：2019年起地区生产总值为第四次经济普查后数据。"])
    workbook.save(path)
    result = read(path)
    assert result.issues == []
    got = {o["indicator_id"]: (o["region"], o["value"], o["basis"]) for o in result.observations}
    assert got["gdp"] == ("德州市", 3078.99, "post-census")
    assert got["tertiary_share"] == ("德州市", 49.5, "post-census")
    assert got["hightech_enterprises"][1] == 520
    assert any("a note?" in str(w) for w in result.warnings)


def test_bulletin_table_with_growth_columns(tmp_path, capsys):
    """A 统计公报-style sheet: title and unit lines, a growth column after a year, a column over
    two years (left out, said), labels with asides, 万元 converted, no region column."""
    path = tmp_path / "公报2022.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["德州市2022年国民经济主要指标"])
    sheet.merge_cells("A1:E1")
    sheet.append(["单位：亿元"])
    sheet.append(["指标", "2021年", "2022年", "比上年增长(%)", "2022年比2017年增长(%)"])
    sheet.append(["地区生产总值", "3,488.77", 3633.6, 4.5, 30.1])
    sheet.append(["研究与试验发展(R&D)经费支出", 70.2, 78.9, None, None])
    sheet.append(["一般公共预算收入（万元）", 2300000, 2401000, 3.1, None])
    sheet.append(["资料来源：德州市统计局"])
    workbook.save(path)
    result = read(path)
    assert result.issues == []
    got = {(o["indicator_id"], o["period"], o["measure"]): (o["value"], o["unit"])
           for o in result.observations}
    assert got == {
        ("gdp", "2021", "level"): (3488.77, "亿元"), ("gdp", "2022", "level"): (3633.6, "亿元"),
        ("gdp", "2022", "growth_yoy"): (4.5, "%"),
        ("rd_expenditure", "2021", "level"): (70.2, "亿元"),
        ("rd_expenditure", "2022", "level"): (78.9, "亿元"),
        ("budget_revenue", "2021", "level"): (230.0, "亿元"),
        ("budget_revenue", "2022", "level"): (240.1, "亿元"),
        ("budget_revenue", "2022", "growth_yoy"): (3.1, "%")}
    assert any("'2022年比2017年增长(%)' left out" in str(w) for w in result.warnings)
    assert main(["validate", str(path)]) == 0
    assert "taken as 德州市" in capsys.readouterr().out


def test_two_row_header_under_merged_years(tmp_path):
    path = tmp_path / "two_rows.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["指标", "单位", "2021年", None, "2022年", None])
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("E1:F1")
    sheet.append([None, None, "绝对数", "比上年增长%", "绝对数", "比上年提高(百分点)"])
    sheet.append(["常住人口城镇化率", "%", 57.8, None, 58.9, 1.1])
    sheet.append(["社会消费品零售总额", "亿元", 1300.5, 12.3, 1310.2, None])
    workbook.save(path)
    result = read(path)
    assert result.issues == []
    got = {(o["indicator_id"], o["period"], o["measure"]): o["value"] for o in result.observations}
    assert got == {("urbanization_rate", "2021", "level"): 57.8,
                   ("urbanization_rate", "2022", "level"): 58.9,
                   ("urbanization_rate", "2022", "pp_change"): 1.1,
                   ("retail_sales", "2021", "level"): 1300.5,
                   ("retail_sales", "2021", "growth_yoy"): 12.3,
                   ("retail_sales", "2022", "level"): 1310.2}
    assert {o["source_detail"] for o in result.observations if o["measure"] == "pp_change"} == {
        "two_rows.xlsx, sheet Sheet, row 3, column 2022年 / 比上年提高(百分点)"}


def test_a_wide_row_problem_is_said_once(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("指标,单位,2019,2020,2021\n地区总产值,亿元,1,2,3\n", encoding="utf-8")
    result = read(path)
    assert len(result.issues) == 1 and "unknown indicator '地区总产值'" in str(result.issues[0])


def test_figures_as_people_type_them(tmp_path):
    """Units typed into the value, a typographic minus, a figure's status after its year."""
    path = tmp_path / "typed.csv"
    path.write_text("指标,2020年,2021年(快报),2022年预计\n"
                    "地区生产总值,3078.99亿元,3488.77亿元,3900亿元\n"
                    "居民消费价格涨幅,\u22120.3,1.2,\n", encoding="utf-8")
    result = read(path)
    assert result.issues == []
    got = {(o["indicator_id"], o["period"]): (o["value"], o["note"]) for o in result.observations}
    assert got == {("gdp", "2020"): (3078.99, ""), ("gdp", "2021"): (3488.77, "快报"),
                   ("cpi_inflation", "2020"): (-0.3, ""), ("cpi_inflation", "2021"): (1.2, "快报")}
    assert any("'2022年预计' left out" in str(w) for w in result.warnings)


def test_a_row_per_year_with_indicators_as_columns(tmp_path):
    """How people often keep their own series: 年份 | 地区生产总值（亿元） | … ."""
    path = tmp_path / "by_year.csv"
    path.write_text("年份,地区生产总值（亿元）,一般公共预算收入(万元),常住人口城镇化率(%),备注\n"
                    "2020,3078.99,2146000,56.5,\n"
                    "2022年(快报),3633.6,2362000,..,\n"
                    "注：2019年起地区生产总值为经济普查修订后数据\n", encoding="utf-8")
    result = read(path)
    assert result.issues == []
    got = {(o["indicator_id"], o["period"]): (o["value"], o["unit"], o["note"]) for o in result.observations}
    assert got == {("gdp", "2020"): (3078.99, "亿元", ""), ("budget_revenue", "2020"): (214.6, "亿元", ""),
                   ("urbanization_rate", "2020"): (56.5, "%", ""), ("gdp", "2022"): (3633.6, "亿元", "快报"),
                   ("budget_revenue", "2022"): (236.2, "亿元", "快报")}
    assert {o["source_detail"] for o in result.observations if o["indicator_id"] == "gdp"} == {
        "by_year.csv, row 2, column 地区生产总值（亿元）", "by_year.csv, row 3, column 地区生产总值（亿元）"}


def test_old_mac_line_endings_and_stray_carriage_returns(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes("\r指标,年份,数值,单位\r地区生产总值,2019,3022.27,亿元\r".encode())
    result = read(path)
    assert result.issues == [] and [o["value"] for o in result.observations] == [3022.27]


def test_headers_centred_with_spaces_and_other_names_for_the_label_column(tmp_path):
    path = tmp_path / "spaced.csv"
    path.write_text("统计指标,计量单位,2020 年,2021 年\n地区生产总值,亿元,3078.99,3488.77\n", encoding="utf-8")
    other = tmp_path / "long.csv"
    other.write_text("指 标,年  份,数 值,单 位\n地区生产总值,2020,3078.99,亿元\n", encoding="utf-8")
    assert [o["value"] for o in read(path).observations] == [3078.99, 3488.77]
    assert [o["value"] for o in read(other).observations] == [3078.99]


def test_the_same_problem_on_many_rows_is_one_message_with_the_rows(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("指标,年份,数值,单位\n" + "".join(f"全社会燃气量,{y},1,亿立方米\n" for y in (2018, 2019, 2020, 2022))
                    + "地区生产总值,2019,abc,亿元\n", encoding="utf-8")
    messages = [str(i) for i in read(path).issues]
    assert len(messages) == 2
    assert messages[0].startswith("long.csv, column '指标': unknown indicator '全社会燃气量'")
    assert messages[0].endswith("— in 4 rows: 2–5")
    assert messages[1].startswith("long.csv, row 6, column '数值'")


def test_documents_and_pictures_beside_the_data_are_left_out_with_a_warning(tmp_path):
    (tmp_path / "data.csv").write_text("指标,年份,数值,单位\n地区生产总值,2019,3022.27,亿元\n", encoding="utf-8")
    (tmp_path / "统计公报.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "截图.png").write_bytes(b"\x89PNG")
    result = read(*sorted(tmp_path.iterdir()))
    assert result.issues == [] and len(result.observations) == 1
    assert sorted(str(w) for w in result.warnings) == [
        "截图.png: left out: a document or picture, not a data file",
        "统计公报.pdf: left out: a document or picture, not a data file"]


def test_a_note_that_says_part_of_the_year_makes_the_value_partial(tmp_path):
    """“first half only” beside 2018 is a half-year value: kept, never fitted as annual."""
    path = tmp_path / "notes.csv"
    path.write_text("indicator,region,year,value,unit,source,note\n"
                    "地区生产总值,德州市,2018,1650.2,亿元,x,first half only\n"
                    "地区生产总值,德州市,2017,2300.5,亿元,x,前三季度\n"
                    "地区生产总值,德州市,2016,2700.1,亿元,x,Jan-Sep\n"
                    "地区生产总值,德州市,2019,3022.27,亿元,x,revised after the census\n"
                    "常住人口城镇化率,德州市,2017,55.57,%,x,article of Apr 2018 on Q1 data\n", encoding="utf-8")
    result = read(path)
    got = {(o["indicator_id"], o["period"]): (o["period_kind"], o["basis"]) for o in result.observations}
    assert got == {("gdp", "2018H1"): ("partial", "pre-census"), ("gdp", "2017Q1-3"): ("partial", "pre-census"),
                   ("gdp", "2016M1-9"): ("partial", "pre-census"), ("gdp", "2019"): ("annual", "post-census"),
                   ("urbanization_rate", "2017"): ("annual", "pre-census")}
    assert sum("not a whole year" in str(w) for w in result.warnings) == 3


@pytest.mark.parametrize("note,basis", [
    ("revised after the census", "post-census"), ("census-revised", "post-census"),
    ("按第四次全国经济普查结果修订", "post-census"), ("经普后", "post-census"), ("七普数据", "post-census"),
    ("未经普查修订", "pre-census"), ("unrevised", "pre-census"), ("七普前估计", "pre-census"),
    ("2016统计公报", None)])
def test_notes_state_the_statistical_basis(note, basis):
    from dezhou_analysis.core.breaks import basis_from_note
    assert basis_from_note(note) == basis


def test_a_formula_without_a_saved_result_is_reported_not_lost(tmp_path):
    """Workbooks written by scripts hold formulas but no results; openpyxl reads them as empty."""
    path = tmp_path / "formula.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["指标", "单位", "2020年", "2021年"])
    workbook.active.append(["一般公共预算收入", "亿元", 214.6, "=C2*1.1"])
    workbook.save(path)
    result = read(path)
    assert [o["value"] for o in result.observations] == [214.6]
    assert [str(i) for i in result.issues] == [
        "formula.xlsx, sheet 'Sheet', row 2, column '2021年': a formula (=C2*1.1) whose result the "
        "file does not hold; open the file in Excel or WPS and save it"]


def test_this_year_and_last_year_columns_under_a_title_that_names_the_year(tmp_path):
    """2022年…主要指标 / 指标 | 单位 | 本年 | 上年 | 比上年增长(%): the growth is this year's."""
    path = tmp_path / "bulletin.csv"
    path.write_text("2022年德州市国民经济主要指标\n指标,单位,本年,上年,比上年增长(%)\n"
                    "地区生产总值,亿元,3633.6,3488.77,4.5\n", encoding="utf-8")
    got = {(o["period"], o["measure"]): (o["value"], o["source_detail"]) for o in read(path).observations}
    assert got == {("2022", "level"): (3633.6, "bulletin.csv, row 3, column 本年 (2022年)"),
                   ("2021", "level"): (3488.77, "bulletin.csv, row 3, column 上年 (2021年)"),
                   ("2022", "growth_yoy"): (4.5, "bulletin.csv, row 3, column 比上年增长(%)")}
