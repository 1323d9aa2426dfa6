"""The reader's vocabulary of bulletins, work reports and news: units, labels, regions and the
numbers that are no statistics. Each sentence is written for its test in the genre's wording;
none is taken from the labelled corpus."""

from __future__ import annotations

import pandas as pd
import pytest

from dezhou_analysis.documents.reader import parse_text


def _read(text: str, region: str, kind: str, date: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = parse_text(text, "vocabulary.txt", {"title": "", "date": date, "region": region, "kind": kind})
    observations = result.observations[~result.observations["is_derived"].astype(bool)]
    return observations, result.targets


def _row(frame: pd.DataFrame, value: float) -> dict:
    rows = frame[(frame["value"] - value).abs() < 1e-9].to_dict("records")
    assert len(rows) == 1, f"expected one row of {value}, got {rows}"
    return rows[0]


def test_farm_areas_harvests_and_their_bare_changes():
    obs, _ = _read("全年粮食作物播种面积3561.5千公顷，比上年增加18.0千公顷。其中，玉米播种面积2758.0千公顷，"
                   "减少4.2千公顷。粮食总产量295.6亿斤，生猪出栏74.6万头。",
                   "朝阳市", "bulletin", "2023-04-01")
    assert _row(obs, 3561.5)["unit"] == "千公顷"
    change = _row(obs, -4.2)
    assert (change["measure"], change["label"]) == ("abs_change", "玉米播种面积")
    assert _row(obs, 295.6)["indicator_id"] == "grain_output"
    assert _row(obs, 74.6)["unit"] == "万头"


def test_traditional_variants_and_footnote_marks():
    obs, _ = _read("初步核算，全年全省生産總值[2]12948.5億元，增長11%。", "江西省", "report", "2013-01-23")
    assert _row(obs, 12948.5)["indicator_id"] == "gdp"
    assert 2 not in set(obs["value"])


def test_a_bare_head_takes_the_words_that_open_its_clause():
    obs, _ = _read("今年前8个月，第二产业依然是增长的主力军，增加值4365.67亿元，增长20.5%。",
                   "福建省", "news", "2010-09-16")
    assert _row(obs, 4365.67)["indicator_id"] == "secondary_va"
    assert _row(obs, 20.5)["indicator_id"] == "secondary_va"
    assert 8 not in set(obs["value"]), "前8个月 is a span of months"


def test_months_streaks_task_lists_and_thresholds_are_no_statistics():
    obs, _ = _read("全年GDP增长6%，工业投资增速连续10个月居全省前列，165项重点任务和50项重点突破任务取得成效。"
                   "500万元以上固定资产投资增长12%。", "宣化区", "report", "2025-01-12")
    assert set(obs["value"]) == {6.0, 12.0}


def test_a_from_to_without_years_gives_the_end_its_statistic():
    obs, _ = _read("过去五年，全县地区生产总值从129.8亿元增长到325亿元，人均GDP从32340元提高至81750元。",
                   "宁国市", "report", "2021-12-26")
    assert _row(obs, 325)["indicator_id"] == "gdp"
    assert _row(obs, 81750)["indicator_id"] == "per_capita_gdp"


def test_a_from_to_after_a_growth_rate_takes_its_statistic():
    obs, _ = _read("“十三五”期间，全市地区生产总值年均增长7.8%，由2015年的639亿元增加到2020年的1021亿元。",
                   "鹰潭市", "report", "2021-01-20")
    assert (_row(obs, 639)["indicator_id"], _row(obs, 639)["year"]) == ("gdp", 2015)
    assert (_row(obs, 1021)["indicator_id"], _row(obs, 1021)["year"]) == ("gdp", 2020)


def test_a_province_named_before_a_label_is_the_figures_place():
    obs, _ = _read("新华社南宁3月1日电 记者获悉，2022年广西地区生产总值26300.87亿元，比上年增长2.9%。",
                   "柳州市", "news", "2023-03-01")
    assert set(obs["region"]) == {"广西壮族自治区"}


def test_a_university_named_after_its_province_is_no_place():
    obs, _ = _read("2017年，山东大学生物工程研究院落户我市，全市地区生产总值增长7%。",
                   "德州市", "report", "2018-02-28")
    assert set(obs["region"]) == {"德州市"}


@pytest.mark.parametrize("text, indicator", [
    ("全年规模以上工业企业实现营业收入1200.5亿元，比上年增长3.2%。", "industrial_revenue"),
    ("年末金融机构本外币各项存款余额2100.3亿元，比年初增加150.2亿元。", "deposits"),
    ("全年居民消费价格指数上涨2.5%。", "cpi_inflation"),
    ("全年房地产投资增长8.3%。", "real_estate_investment"),
    ("全年实际利用外商直接投资73亿美元。", "fdi_actual"),
])
def test_wordings_of_registry_indicators(text, indicator):
    obs, _ = _read(text, "朝阳市", "bulletin", "2023-04-01")
    assert set(obs["indicator_id"]) == {indicator}


def test_headed_goal_items_go_on_with_the_list():
    _, targets = _read("到2020年，实现四大具体目标：\n"
                       "综合实力显著提升。全县地区生产总值达到178亿元。\n"
                       "三次产业结构更趋合理。工业转型升级取得重大进展，三次产业结构比达到15:55:30，"
                       "构建总量做大、结构趋优的产业新格局。",
                       "旺苍县", "news", "2016-08-12")
    assert {178.0, 15.0, 55.0, 30.0} <= set(targets["target_value"])
    assert set(targets["target_year"]) == {2020}


def test_series_of_items_sharing_a_head_noun():
    obs, _ = _read("全年重大基础设施、重大产业、生态环保投资分别增长18.1%、18.9%、31.7%。",
                   "浙江省", "report", "2018-01-25")
    assert _row(obs, 18.9)["label"] == "重大产业投资"
    assert _row(obs, 31.7)["label"] == "生态环保投资"


def test_a_product_table_names_its_label_column_and_its_unit_column():
    obs, _ = _read("表3：主要工业产品产量 | ||\n产品名称 | 计量单位 | 2022年 | 增长(%) |\n"
                   "原 煤 | 万吨 | 512.4 | 3.1 |\n水 泥 | 万吨 | 88.0 | -2.5 |\n"
                   "发电量 | 亿千瓦时 | 61.7 | 4.4 |\n",
                   "晋中市", "bulletin", "2023-03-20")
    coal = _row(obs, 512.4)
    assert (coal["label"], coal["unit"], coal["year"], coal["measure"]) == ("原煤", "万吨", 2022, "level")
    assert _row(obs, -2.5)["measure"] == "growth_yoy"
    assert _row(obs, 61.7)["unit"] == "亿千瓦时"


def test_three_sectors_shares_in_one_list_and_a_growth_at_comparable_prices():
    obs, _ = _read("全年地区生产总值1520.6亿元，可比价增长5.1%。三次产业增加值占地区生产总值的比重分别为"
                   "9.2%、38.5%和52.3%。", "赣州市", "bulletin", "2023-03-20")
    parts = [_row(obs, value)["indicator_id"] for value in (9.2, 38.5, 52.3)]
    assert parts == ["primary_share", "secondary_share", "tertiary_share"]
    assert _row(obs, 5.1)["indicator_id"] == "gdp"


def test_tenths_are_shares_and_a_gap_to_another_aggregate_is_no_statistic():
    obs, _ = _read("全市高新技术产业产值占规上工业比重接近七成，数字经济核心产业增加值增速高于规上工业8个百分点。",
                   "常州市", "news", "2023-02-01")
    tenths = _row(obs, 7)
    assert (tenths["unit"], tenths["measure"], tenths["value_qualifier"]) == ("成", "share", "approx")
    assert 8 not in set(obs["value"]), "the gap to 规上工业 states no statistic of its own"
    obs, _ = _read("他表示，这一做法一成不变。", "常州市", "news", "2023-02-01")
    assert obs.empty
