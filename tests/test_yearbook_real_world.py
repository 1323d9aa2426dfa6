"""Yearbook data as analysts gather it, not as the shipped sample is: a long CSV with a 来源
column (byte-order mark, Chinese headers, sources that disagree inside the file, English
periods, values after 2022) and a bureau-style workbook in which rows name indicators the
package registry does not know. None of it stops the reading; every row is used or set aside
with its place and reason, and one line in the project's own registry file brings one back."""

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from dezhou_analysis.cli import main
from dezhou_analysis.panel import build_panel
from dezhou_analysis.yearbook.reader import read_yearbooks, yearbook_files
from dezhou_analysis.yearbook.registry import LOCAL_REGISTRY, project_registry
from tests.conftest import YEARBOOK

DATA = Path(__file__).parent / "data" / "yearbook"
LONG = DATA / "dezhou_figures_2016_2024_long.csv"
BUREAU = DATA / "dezhou_main_indicators_2022_bureau.xlsx"
SAMPLE = YEARBOOK / "yearbook_sample_2013_2019.csv"
TODAY = dt.date(2026, 11, 21)

#: the rows of the two files whose labels the package registry does not know
UNKNOWN = {("dezhou_figures_2016_2024_long.csv", 8), ("dezhou_figures_2016_2024_long.csv", 10),
           ("dezhou_figures_2016_2024_long.csv", 11), ("dezhou_main_indicators_2022_bureau.xlsx", 7),
           ("dezhou_main_indicators_2022_bureau.xlsx", 9), ("dezhou_main_indicators_2022_bureau.xlsx", 10),
           ("dezhou_main_indicators_2022_bureau.xlsx", 14), ("dezhou_main_indicators_2022_bureau.xlsx", 16)}


def read(*paths, registry=None):
    return read_yearbooks(list(paths), registry, default_region="德州市", today=TODAY)


def md5s(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def yearbook_dir(tmp_path):
    """The shipped sample and the two real-world files in one yearbook folder."""
    folder = tmp_path / "yearbook"
    folder.mkdir()
    for path in (SAMPLE, LONG, BUREAU):
        shutil.copy(path, folder / path.name)
    return folder


def test_unknown_labels_are_set_aside_and_everything_else_is_read():
    result = read(SAMPLE, LONG, BUREAU)
    aside = {(e["file"], e["row"]) for e in result.set_aside}
    assert aside == UNKNOWN
    for exclusion in result.set_aside:
        assert exclusion["reason"].startswith("unknown indicator") and exclusion["column"]
        assert "indicators.local.csv" in exclusion["suggestion"]
    got = {(o["indicator_id"], o["region"], o["period"], o["measure"]): o["value"] for o in result.observations}
    assert got[("gdp", "德州市", "2022", "level")] == 3633.1
    assert got[("gdp", "德州市", "2022", "growth_yoy")] == 4.0
    assert got[("industrial_va", "德州市", "2022", "growth_yoy")] == 5.2  # the indented #row
    assert got[("hightech_output_share", "德州市", "2021", "level")] == 42.6
    assert got[("grain_output", "德州市", "2022", "level")] == 1058.08
    assert got[("gdp", "山东省", "2023", "level")] == 92068.7  # after the plan's target year
    assert got[("primary_share", "德州市", "2016", "level")] == 10.1


def test_the_source_column_travels_with_each_value_to_observations():
    result = read(LONG)
    panel = build_panel(None, result)
    row = panel.observations.set_index(["indicator_id", "period", "measure"]).loc[("gdp", "2020", "level")]
    assert row["origin"] == "德州市统计局《2020年德州市国民经济和社会发展统计公报》"
    assert row["note"] == "初步核算"
    assert "row 2" in row["source_detail"]


def test_english_periods_are_read_as_partial_periods():
    periods = {o["period"]: o["period_kind"] for o in read(LONG).observations if o["period_kind"] != "annual"}
    assert periods == {"2021Q1-3": "partial", "2024M1-7": "partial", "2024M7": "partial"}


def test_two_sources_disagreeing_inside_one_file_are_both_kept_in_conflicts():
    result = read(LONG)
    assert result.issues == [i for i in result.issues if "unknown indicator" in i.message]
    panel = build_panel(None, result)
    conflict = panel.conflicts[panel.conflicts["indicator_id"] == "fixed_asset_investment"].iloc[0]
    assert (conflict["kept_value"], conflict["other_value"]) == (2740, 2641)
    assert "row 17" in conflict["kept_source"] and "row 16" in conflict["other_source"]
    assert "德政" not in conflict["kept_source"] and "实施规划" in conflict["other_source"]
    assert conflict["rule"] == "a later row over an earlier one"


def test_validate_exits_1_listing_the_rows_run_sets_aside(yearbook_dir, capsys):
    code = main(["validate", str(yearbook_dir), "--region", "德州市"])
    err = capsys.readouterr().err
    assert code == 1
    for file, row in UNKNOWN:
        assert f"{file}" in err and f"row {row}," in err
    listed = [line for line in err.splitlines() if "unknown indicator" in line]
    assert len(listed) == len({label for label in listed})  # a wide row's two years said once
    assert "sets these rows aside and goes on" in err


def test_one_line_in_the_projects_registry_brings_a_row_in(yearbook_dir):
    before = md5s(yearbook_dir)
    registry = project_registry(yearbook_dir)
    files = yearbook_files(yearbook_dir)
    first = read(*files, registry=registry)
    message = next(i.message for i in first.issues if "国家地理标志商标" in i.message)
    line = message.split("add the line `")[1].split("`")[0]
    assert line == "gi_trademarks,国家地理标志商标"
    (yearbook_dir / LOCAL_REGISTRY).write_text(line + "\n", encoding="utf-8")
    again = read(*yearbook_files(yearbook_dir), registry=project_registry(yearbook_dir))
    assert len(again.set_aside) == len(first.set_aside) - 1
    assert [o["value"] for o in again.observations if o["indicator_id"] == "gi_trademarks"] == [20]
    assert LOCAL_REGISTRY not in {p.name for p in yearbook_files(yearbook_dir)}
    assert {k: v for k, v in md5s(yearbook_dir).items() if k != LOCAL_REGISTRY} == before


def test_a_new_indicator_defined_in_the_projects_registry(yearbook_dir):
    (yearbook_dir / LOCAL_REGISTRY).write_text(
        "id,label,name_en,unit,direction,kind\n"
        "logistics_va,物流业增加值,Logistics value added,亿元,increase,level\n"
        "Bad Id,物流企业,,,,\n", encoding="utf-8")
    notes: list = []
    registry = project_registry(yearbook_dir, issues=notes)
    assert [str(n) for n in notes] == [f"{LOCAL_REGISTRY}, row 3: 'Bad Id' is not a known id; a new "
                                       "id is lower-case letters, digits and _ (e.g. rd_personnel_fte)"]
    result = read(BUREAU, registry=registry)
    assert [(o["indicator_id"], o["value"], o["unit"]) for o in result.observations
            if o["indicator_id"] == "logistics_va"] == [("logistics_va", 254.7, "亿元")]


def test_person_years_against_a_headcount_indicator_are_kept_with_a_note(tmp_path):
    path = tmp_path / "fte.csv"
    path.write_text("指标,地区,年份,数值,单位,来源\n每万人拥有研发人员,德州市,2019,0.0031,万人年,test\n"
                    "每万人拥有研发人员,德州市,2020,33,人年,test\n", encoding="utf-8")
    result = read(path)
    assert result.issues == []
    assert [o["value"] for o in result.observations] == [31, 33]
    assert all("full-time equivalents" in o["note"] for o in result.observations)


def test_dollars_against_a_yuan_indicator_need_an_exchange_rate(tmp_path):
    path = tmp_path / "trade.csv"
    path.write_text("indicator,region,year,value,unit\n进出口总额,德州市,2020,40,亿美元\n", encoding="utf-8")
    result = read(path)
    assert "usd_cny" in result.set_aside[0]["reason"] and result.observations == []
    path.with_name("trade.meta.yml").write_text("usd_cny: {2020: 6.8976}\n", encoding="utf-8")
    result = read(path)
    assert result.issues == [] and result.observations[0]["value"] == pytest.approx(275.904)
    assert "6.8976 yuan per dollar" in result.observations[0]["note"]


def test_a_file_that_cannot_be_read_is_skipped_and_the_others_are_read(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    result = read(broken, LONG)
    assert [e["kind"] for e in result.exclusions if e["file"] == "broken.xlsx"] == ["file skipped"]
    assert any(o["indicator_id"] == "gdp" for o in result.observations)


def test_the_template_includes_the_projects_own_indicators(tmp_path):
    folder = tmp_path / "data" / "raw" / "yearbook"
    folder.mkdir(parents=True)
    (folder / LOCAL_REGISTRY).write_text("logistics_va,物流业增加值,Logistics value added,亿元,increase,level\n",
                                         encoding="utf-8")
    out = tmp_path / "template.csv"
    assert main(["--project", str(tmp_path), "template", "--format", "csv", "--out", str(out)]) == 0
    assert "物流业增加值" in out.read_text(encoding="utf-8-sig")


def test_validate_outside_a_project_says_how_to_give_the_region(tmp_path, capsys):
    path = tmp_path / "no_region.csv"
    path.write_text("indicator,year,value,unit\n地区生产总值,2020,3078.99,亿元\n", encoding="utf-8")
    assert main(["--project", str(tmp_path), "validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "--region 德州市" in captured.out and "region missing" in captured.err
    assert main(["--project", str(tmp_path), "validate", str(path), "--region", "德州市"]) == 0
