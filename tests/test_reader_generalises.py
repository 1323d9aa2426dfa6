"""What the texts of the blind set taught the reader, each rule on a sentence of those texts
(tests/corpus/genre/texts/2xx_*): bulletin tables one cell per line, ranges, signed rates, goals
said with 将 or 预计, lists without 分别, thresholds written with a magnitude alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from dezhou_analysis.documents.reader import parse_text

TEXTS = Path(__file__).parent / "corpus" / "genre" / "texts"


def _parse(text: str, kind: str, region: str, date: str, title: str = ""):
    return parse_text(text, "text.txt", {"kind": kind, "region": region, "date": date, "title": title})


def _corpus(stem: str):
    import yaml
    meta = yaml.safe_load((TEXTS / f"{stem}.meta.yml").read_text(encoding="utf-8"))
    text = (TEXTS / f"{stem}.txt").read_text(encoding="utf-8")
    return text, parse_text(text, f"{stem}.txt", {k: str(meta[k]) for k in ("kind", "region", "date", "title")})


def test_a_bulletin_table_given_one_cell_per_line_is_read_cell_by_cell():
    text, result = _corpus("208_ningxia_bulletin")
    lines = text.split("\n")
    table = result.observations[result.observations["source_section"] == "table"]
    assert len(table) == 26, "thirteen rows of 绝对值 and 比上年增长"
    industry = table[table["label"] == "工业"].set_index("measure")
    assert industry.loc["level", "value"] == 1096.30 and industry.loc["growth_yoy", "value"] == 8.4
    # sector rows of a table of the product by sector are the sectors' value added
    assert set(industry["indicator_id"]) == {"industry_va"}
    assert set(table[table["label"] == "金融业"]["indicator_id"]) == {"finance_va"}
    assert set(table["year"]) == {2017} and set(table["region"]) == {"宁夏回族自治区"}
    level = table[(table["label"] == "工业") & (table["measure"] == "level")].iloc[0]
    assert level["unit"] == "亿元", "the unit comes from the heading 绝对值(亿元)"
    for row in table.to_dict("records"):  # each value at the line of its own cell, verbatim
        assert row["source_quote"] == lines[row["source_line"] - 1].strip()
    transport = table[table["label"] == "交通运输、仓储和邮政业"].set_index("measure")
    assert transport.loc["growth_yoy", "value"] == -0.9


@pytest.mark.parametrize("sentence, low, high", [
    ("新疆2026年地区生产总值预期目标增长5.5%—6% 持续加力提振消费扩大有效投资", 5.5, 6.0),
    ("“十四五”期间全省GDP年均增长7.5%—8%,到2025年,全省GDP总量达3.5万亿元。", 7.5, 8.0),
])
def test_a_range_keeps_both_ends(sentence, low, high):
    targets = _parse(sentence + "\n", "news", "新疆维吾尔自治区", "2021-02-10").targets
    growth = targets[targets["target_measure"].isin(["growth_yoy", "growth_avg"])].iloc[0]
    assert (growth["target_value"], growth["target_high"]) == (low, high)


def test_a_signed_rate_keeps_its_sign():
    obs = _parse("常住人口。全省人口出生率为3.59‰,死亡率为8.70‰,人口自然增长率为-5.11‰。\n", "bulletin",
                 "黑龙江省", "2022-03-18", "2021年黑龙江省国民经济和社会发展统计公报").observations
    rate = obs[obs["indicator_id"] == "natural_growth_rate"]
    assert list(rate["value"]) == [-5.11]


def test_goals_said_with_jiang_or_yuji_early_in_the_year_are_targets():
    text = ("2024全國地方兩會 | 貴州去年GDP增長4.9% 今年將推動數字經濟規模破萬億?\n"
            "2024年,貴州將堅持以高質量發展統攬全局,守好發展和生態兩條底線,預計全省地區生產總值增長5.5%左右。"
            "貴州將推動數字經濟實現質的突破,數字經濟占比達到45%以上、規模突破萬億元。\n")
    result = _parse(text, "news", "贵州省", "2024-01-24")
    targets = {(r["source_line"], r["target_value"]) for r in result.targets.to_dict("records")}
    assert {(1, 1.0), (2, 5.5), (2, 45.0)} <= targets
    observed = {(r["source_line"], r["value"]) for r in result.observations.to_dict("records")}
    assert (1, 4.9) in observed, "去年 governs its own clause: last year's growth is an observation"
    assert set(result.targets["target_year"]) == {2024}


def test_yuji_at_the_close_of_the_year_reports_it():
    """A work report given in December: 预计 is the estimate of the year that is ending."""
    text, result = _corpus("205_zhongwei_report")
    assert result.targets.empty
    gdp = result.observations[result.observations["indicator_id"] == "gdp"]
    assert {(r["year"], r["value"]) for r in gdp.to_dict("records")} == {(2022, 580.0), (2022, 7.0)}


def test_items_and_values_listed_in_one_order_pair_up():
    obs = _parse("数据显示,五年来,经济年均增长4.7%,其中第一、第二、第三产业增加值年均增长4.5%、3.2%、4.8%。\n",
                 "news", "云南省", "2026-01-29").observations
    by_id = dict(zip(obs["indicator_id"], obs["value"], strict=True))
    assert (by_id["primary_va"], by_id["secondary_va"], by_id["tertiary_va"]) == (4.5, 3.2, 4.8)


def test_a_series_ends_where_its_kind_of_number_does():
    text = ("2020年是我州经济社会发展经受多重考验的一年。全力拓展就业岗位,城镇新增就业4.5万人,"
            "城镇、农村居民人均可支配收入分别增长5.5%和8.6%,10件民生实事全面完成。\n")
    obs = _parse(text, "report", "黔西南州", "2021-03-29").observations
    incomes = obs[obs["indicator_id"].isin(["urban_disposable_income", "rural_disposable_income"])]
    assert dict(zip(incomes["indicator_id"], incomes["value"], strict=True)) == {
        "urban_disposable_income": 5.5, "rural_disposable_income": 8.6}
    assert 10.0 not in set(obs["value"]), "a list of promises is no statistic"


def test_a_threshold_written_with_its_magnitude_alone():
    text = ("2021年,全市规上工业企业营业收入突破万亿元,过千亿元区县(功能区)达到6个。"
            "纺织服装全产业链带动就业超百万人。\n")
    obs = _parse(text, "news", "济南市", "2022-01-20").observations
    read = {(r["value"], r["unit"], r["value_qualifier"]) for r in obs.to_dict("records")}
    assert (1.0, "万亿元", "at_least") in read and (100.0, "万人", "at_least") in read
    assert not any(unit == "亿元" for _, unit, _ in read), "过千亿元区县 names a kind of county"


def test_a_from_to_with_an_adverb_of_degree():
    text = "从投资方面看,“十四五”期间,占全部投资比重由2020年的26.7%大幅提升至2025年的52.1%。\n"
    obs = _parse(text, "news", "云南省", "2026-01-29").observations
    assert {(r["year"], r["value"]) for r in obs.to_dict("records")} == {(2020, 26.7), (2025, 52.1)}


def test_a_places_economy_and_an_index_rise_are_named():
    text = ("2019年,湖南经济年均增长7.8%。全省居民消费价格总指数比上年上涨0.6%。"
            "工业投资占比由15.5%提升至31.4%。数字经济增长20%。\n")
    obs = _parse(text, "news", "湖南省", "2020-01-20").observations
    named = dict(zip(obs["value"], obs["indicator_id"], strict=True))
    assert named[7.8] == "gdp" and named[0.6] == "cpi_inflation"
    assert named[15.5] == named[31.4] == "industrial_investment_share"
    assert named.get(20.0, "") != "gdp", "数字经济 is no place's economy"


# The first rows of the national 十四五 纲要's 专栏1 and of a bulletin's table 1, as pages and PDF
# extraction give them: whatever the layout, the same values are read.
_PLAN_ROWS = [("类别", "指标", "2020年", "2025年", "年均/累计", "属性"),
              ("经济发展", "1.国内生产总值（GDP）增长（%）", "2.3", "保持在合理区间、各年度视情提出", "—", "预期性"),
              ("", "2.全员劳动生产率增长（%）", "2.5", "高于GDP增长", "—", "预期性"),
              ("", "3.常住人口城镇化率（%）", "60.6*", "65", "—", "预期性"),
              ("创新驱动", "4.全社会研发经费投入增长（%）", "—", "—", ">7", "预期性"),
              ("", "5.每万人口高价值发明专利拥有量（件）", "6.3", "12", "—", "预期性"),
              ("", "6.数字经济核心产业增加值占GDP比重（%）", "7.8", "10", "—", "预期性")]
_BULLETIN_ROWS = [("指 标", "绝对数（亿元）", "比上年增长（%）"), ("地区生产总值", "3453.93", "7.8"),
                  ("第一产业", "261.07", "4.3"), ("第二产业", "1580.53", "7.0"), ("第三产业", "1612.33", "9.2")]


def _layouts(rows) -> dict[str, str]:
    return {"tabs": "\n".join("\t".join(c for c in r if c) for r in rows),
            "spaces": "\n".join("  ".join(c for c in r if c) for r in rows),
            "pipes": "\n".join("| " + " | ".join(r) + " |" for r in rows),
            "cells": "\n".join(c for r in rows for c in r if c)}


@pytest.mark.parametrize("layout", ["tabs", "spaces", "pipes", "cells"])
def test_a_plan_table_reads_alike_in_every_layout(layout):
    text = "专栏1 “十四五”时期经济社会发展主要指标\n" + _layouts(_PLAN_ROWS)[layout] + "\n"
    result = _parse(text, "plan", "全国", "2021-03-13", "十四五规划纲要")
    assert sorted(result.targets["target_value"].dropna()) == [7.0, 10.0, 12.0, 65.0]
    assert sorted(result.observations["value"]) == [2.3, 2.5, 6.3, 7.8, 60.6]


@pytest.mark.parametrize("layout", ["tabs", "spaces", "pipes", "cells"])
def test_a_bulletin_table_reads_alike_in_every_layout(layout):
    text = "表1 2017年全区生产总值及其增长速度\n" + _layouts(_BULLETIN_ROWS)[layout] + "\n"
    obs = _parse(text, "bulletin", "宁夏回族自治区", "2018-05-02",
                 "宁夏回族自治区2017年国民经济和社会发展统计公报").observations
    assert sorted(obs["value"]) == [4.3, 7.0, 7.8, 9.2, 261.07, 1580.53, 1612.33, 3453.93]
    assert set(obs["year"]) == {2017}
    assert set(obs["indicator_id"]) == {"gdp", "primary_va", "secondary_va", "tertiary_va"}


def test_each_clause_keeps_its_own_time_and_kind():
    """Sentences of the kinds the issue names (written for the test, with other numbers)."""
    reviewed = _parse("单位GDP能耗规划目标是下降15%，2019年已下降16.2%。\n", "report", "德州市", "2020-01-15")
    assert list(reviewed.targets["target_value"]) == [-15.0]
    assert [(r["year"], r["value"]) for r in reviewed.observations.to_dict("records")] == [(2019, -16.2)]
    report = _parse("过去一年，地区生产总值增长5.2%，社会消费品零售总额增长7.1%。今年地区生产总值预期增长6%左右。\n",
                    "report", "德州市", "2024-01-20")
    assert {(r["year"], r["value"]) for r in report.observations.to_dict("records")} == {(2023, 5.2), (2023, 7.1)}
    assert [(r["target_year"], r["target_value"]) for r in report.targets.to_dict("records")] == [(2024, 6.0)]


def test_a_work_report_of_the_first_quarter_reviews_the_year_before():
    text = "全市高新技术企业达到512家。城镇新增就业3.2万人，城镇登记失业率控制在3%以内。\n"
    obs = _parse(text, "report", "遵义市", "2024-01-20").observations
    assert set(obs["year"]) == {2023}


def test_items_sharing_a_modifier_are_named_each():
    text = "到2025年，单位地区生产总值能耗和二氧化碳排放分别下降13.5%、18%，森林覆盖率达到40%。\n"
    targets = _parse(text, "plan", "玉溪市", "2021-03-01", "玉溪市十四五规划纲要").targets
    named = dict(zip(targets["indicator_id"], targets["target_value"].abs(), strict=True))
    assert named == {"energy_intensity_reduction": 13.5, "co2_intensity_reduction": 18.0, "forest_coverage": 40.0}
