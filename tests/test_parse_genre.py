"""The parser on texts of the same genre from other cities: other years, ASCII punctuation,
traditional characters, PDF spacing. Nothing here is specific to Dezhou's wording."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from dezhou_analysis.documents.reader import parse_text

OTHER_PLAN = """济宁市国民经济和社会发展第十四个五年规划（2021—2025年）

济宁市人民政府

第一章 发展基础

“十三五”时期，全市经济保持平稳增长，2020年实现地区生产总值 4494.3 亿元，年均增长6.2%。一般公共预算收入完成 440.4 亿元,占GDP比重为9.8%,比2015年提高0.6个百分点。三次产业比例由2015年的11.0:47.8:41.2调整为2020年的11.4:37.8:50.8。

第二章 主要目标

到2025年，全市常住人口城镇化率达到65%以上，研发经费投入强度达到2.8%左右，高新技术企业突破1500家。力争到2025年，旅游消费总额达到1200亿元。

表1 主要指标

指标    单位    2020年    2025年
（一）经济发展
1. 地区生产总值    亿元    4494.3    6000左右
2. 研究与试验发展经费支出占GDP比重    %    2.1    2.8以上
3. 高新技术企业数量    家    843    1500
"""


@pytest.fixture(scope="module")
def other():
    return parse_text(OTHER_PLAN, "jining_plan.txt", {"kind": "plan", "date": "2021-03-01"})


def test_table_years_and_kinds_come_from_the_text(other):
    table = other.targets[other.targets["source_section"] == "table"]
    assert set(table["base_year"]) == {2020} and set(table["target_year"]) == {2025}
    gdp = table[table["indicator_id"] == "gdp"].iloc[0]
    assert (gdp["base_value"], gdp["target_value"], gdp["target_kind"]) == (4494.3, 6000, "approx")
    rd = table[table["indicator_id"] == "rd_gdp_share"].iloc[0]
    assert (rd["target_value"], rd["target_kind"]) == (2.8, "at_least")


def test_region_and_years_are_read_not_assumed(other):
    obs = other.observations
    assert set(obs[obs["source_section"] == "text"]["region"]) == {"济宁市"}
    gdp = obs[(obs["indicator_id"] == "gdp") & (obs["measure"] == "level")
              & (obs["source_section"] == "text")].iloc[0]
    assert (gdp["year"], gdp["value"]) == (2020, 4494.3)
    share = obs[(obs["indicator_id"] == "budget_revenue_gdp_share") & ~obs["is_derived"]
                & (obs["measure"] == "share")].iloc[0]
    assert share["value"] == 9.8
    derived = obs[(obs["indicator_id"] == "budget_revenue_gdp_share") & obs["is_derived"]].iloc[0]
    assert (derived["year"], derived["value"]) == (2015, 9.2)
    parts = obs[(obs["measure"] == "ratio_part") & (obs["year"] == 2015)]
    assert list(parts["value"]) == [11.0, 47.8, 41.2]


def test_narrative_targets_of_another_plan(other):
    text = other.targets[other.targets["source_section"] == "text"].set_index("indicator_id")
    assert text.loc["urbanization_rate", "target_value"] == 65
    assert text.loc["urbanization_rate", "target_kind"] == "at_least"
    assert text.loc["urbanization_rate", "target_year"] == 2025
    assert text.loc["hightech_enterprises", "target_value"] == 1500
    assert text.loc["tourism_revenue", "target_value"] == 1200


def test_traditional_characters_and_pdf_spacing():
    text = ("臺中市施政計畫\n\n到 2 0 2 5 年，全市常住人口城鎮化率達到 6 8 %，"
            "地區生產總值達到 1 2 0 0 0 億元。\n")
    result = parse_text(text.replace("2 0 2 5", "2025").replace("6 8", "68").replace("1 2 0 0 0", "12 000"),
                        "tc.txt", {"kind": "plan", "date": "2021-01-01", "region": "台中市"})
    targets = result.targets.set_index("indicator_id")
    assert targets.loc["urbanization_rate", "target_value"] == 68
    assert targets.loc["gdp", "target_value"] == 12000


def test_numbers_about_other_cities_stay_with_them():
    text = ("去年全市一般公共预算收入占GDP的比重为7.5%，低于全省0.9个百分点，高于临沂1.2个百分点。\n\n"
            "聊城坚决贯彻会议精神。\n\n确保新开工项目200个以上。\n")
    result = parse_text(text, "speech.txt", {"kind": "speech", "date": "2021-02-01", "region": "枣庄市"})
    obs = result.observations.set_index("region")
    assert obs.loc["山东省", "value"] == pytest.approx(8.4)  # 全省 of a Shandong city
    assert obs.loc["临沂市", "value"] == pytest.approx(6.3)
    assert set(result.targets["region"]) == {"聊城市"}


PDF_TABLE = """某县“十四五”规划主要指标

序号 指标 单位 2020年（基期） 2025年目标 属性
一、经济发展
1 地区生产总值 亿元 312.5 450左右 预期性
2 一般公共预算收入 亿元 21.3 30以上 预期性
二、创新驱动
3 研究与试验发展经费支出占 GDP 比重 % 1.6 2.5 预期性
4 高新技术企业数量 家 35 〔80〕 预期性
5 万元地区生产总值能耗降低 % — 完成市下达任务 约束性
"""


def test_whitespace_separated_pdf_table_with_other_headers():
    result = parse_text(PDF_TABLE, "county.txt", {"kind": "plan", "date": "2021-02-01", "region": "宁津县"})
    table = result.targets[result.targets["source_section"] == "table"].set_index("indicator_id")
    assert set(table["base_year"]) == {2020} and set(table["target_year"]) == {2025}
    assert (table.loc["gdp", "base_value"], table.loc["gdp", "target_value"],
            table.loc["gdp", "target_kind"]) == (312.5, 450, "approx")
    assert table.loc["budget_revenue", "target_kind"] == "at_least"
    assert table.loc["rd_gdp_share", "target_value"] == 2.5 and table.loc["rd_gdp_share", "unit"] == "%"
    assert table.loc["hightech_enterprises", "cumulative"] and table.loc["hightech_enterprises", "target_value"] == 80
    assert table.loc["hightech_enterprises", "target_text"] == "〔80〕"
    energy = table.loc["energy_intensity_reduction"]
    assert energy["target_kind"] == "qualitative" and energy["target_text"] == "完成市下达任务"
    assert table.loc["gdp", "category"] == "经济发展" and table.loc["rd_gdp_share", "category"] == "创新驱动"


def test_more_units_as_written_in_plans():
    text = "到2025年，全市高速公路通车里程达到500公里，新增光伏装机容量突破100万千瓦。"
    result = parse_text(text, "infra.txt", {"kind": "plan", "date": "2021-01-01", "region": "德州市"})
    units = set(result.targets["unit"])
    assert {"公里", "万千瓦"} <= units


WORK_REPORT = """某市政府工作报告

一、2022年工作回顾

全市实现地区生产总值3600亿元，增长5.0%；一般公共预算收入218.6亿元，增长6.2%，其中税收收入占比达到72%。规模以上工业增加值增长6.5%。全年新增高新技术企业120家，总数达到680家。研发经费投入强度达到2.4%，较上年提高0.2个百分点。

二、2023年工作安排

主要预期目标是：地区生产总值增长6%左右，一般公共预算收入增长5%以上，城镇新增就业3.5万人。
"""


def test_government_work_report_sections_give_the_years():
    result = parse_text(WORK_REPORT, "report.txt", {"kind": "report", "date": "2023-01-10", "region": "德州市"})
    obs = result.observations
    level = obs[(obs["indicator_id"] == "gdp") & (obs["measure"] == "level")].iloc[0]
    assert (level["year"], level["value"]) == (2022, 3600)
    assert obs[(obs["indicator_id"] == "tax_share_budget_revenue")].iloc[0]["value"] == 72
    assert obs[(obs["indicator_id"] == "industrial_va")].iloc[0]["measure"] == "growth_yoy"
    stock = obs[(obs["indicator_id"] == "hightech_enterprises") & (obs["measure"] == "count") & ~obs["is_derived"]]
    assert stock.iloc[0]["value"] == 680
    earlier = obs[(obs["indicator_id"] == "hightech_enterprises") & obs["is_derived"]].iloc[0]
    assert (earlier["year"], earlier["value"]) == (2021, 560)
    rd = obs[(obs["indicator_id"] == "rd_gdp_share") & obs["is_derived"]].iloc[0]
    assert (rd["year"], rd["value"]) == (2021, 2.2)
    targets = result.targets.set_index("indicator_id")
    assert targets.loc["gdp", "target_year"] == 2023 and targets.loc["gdp", "target_measure"] == "growth_avg"
    assert targets.loc["urban_new_jobs", "target_value"] == 3.5


FOURTEENTH_PLAN = """聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要
聊城市人民政府
2021年2月26日

“十三五”时期，全市地区生产总值由2015年的2,663.6亿元增加到2020年的2,316.8亿元（按第四次经济普查修订），年均增长4.9%。一般公共预算收入达到200.7亿元，比2015年增长 35.2%。

表1  聊城市“十四五”时期经济社会发展主要指标
类别\t指标\t单位\t2020年\t2025年\t年均增长〔累计〕\t属性
经济发展\t1.地区生产总值增长\t%\t3.5\t6左右\t—\t预期性
\t2.全员劳动生产率\t万元/人\t9.8\t13以上\t6\t预期性
绿色生态\t3.单位地区生产总值能源消耗降低\t%\t—\t—\t〔省下达〕\t约束性
\t4.PM2.5平均浓度\t微克/立方米\t51\t41\t〔-19.6〕\t约束性
"""


def test_a_fourteenth_plan_table_with_category_growth_and_attribute_columns():
    """The common 十四五 layout: 类别 | 指标 | 单位 | base | target | 年均增长〔累计〕 | 属性."""
    parsed = parse_text(FOURTEENTH_PLAN, "liaocheng_plan.txt", {"kind": "plan", "date": "2021-02-26"})
    table = parsed.targets[parsed.targets["source_section"] == "table"].set_index("label")
    growth = table.loc["地区生产总值增长"]
    assert (growth["indicator_id"], growth["target_measure"], growth["target_value"],
            growth["target_kind"], growth["category"]) == ("gdp", "growth_avg", 6, "approx", "经济发展")
    productivity = table.loc[["全员劳动生产率"]]
    assert set(productivity["category"]) == {"经济发展"}
    # the 年均增长〔累计〕 cell is a target of its own: 13以上 in 2025, growing 6% a year to it
    assert sorted(productivity[["target_value", "target_measure", "target_kind"]].values.tolist()) == [
        [6, "growth_avg", "point"], [13, "level", "at_least"]]
    energy = table.loc["单位地区生产总值能源消耗降低"]
    assert energy["indicator_id"] == "energy_intensity_reduction"
    assert (energy["target_kind"], energy["target_text"], energy["category"]) == ("qualitative", "省下达", "绿色生态")
    pm25 = table.loc[["PM2.5平均浓度"]].set_index("target_value")
    assert pm25.loc[41, "target_measure"] == "level" and pm25.loc[-19.6, "cumulative"]
    observations = parsed.observations
    base_growth = observations[(observations["indicator_id"] == "gdp") & (observations["source_section"] == "table")]
    assert base_growth[["year", "value", "measure"]].values.tolist() == [[2020, 3.5, "growth_yoy"]]


@pytest.mark.parametrize("dated", [True, False], ids=["dated", "undated"])
def test_a_review_of_the_last_plan_period_gives_observations_not_targets(dated):
    """由2015年的…增加到2020年的…, 年均增长, 比2015年增长: the past, with its reference years.
    Undated, the table's base year says what is past."""
    text = FOURTEENTH_PLAN if dated else FOURTEENTH_PLAN.replace("2021年2月26日\n", "")
    meta = {"kind": "plan", "date": "2021-02-26"} if dated else {"kind": "plan"}
    parsed = parse_text(text, "liaocheng_plan.txt", meta)
    text = parsed.observations[parsed.observations["source_section"] == "text"]
    got = {(r.indicator_id, r.year, r.measure): (r.value, r.reference_year) for r in text.itertuples()}
    assert got[("gdp", 2015, "level")][0] == 2663.6
    assert got[("gdp", 2020, "level")][0] == 2316.8
    assert got[("gdp", 2020, "growth_avg")] == (4.9, 2015)
    assert got[("budget_revenue", 2020, "level")][0] == 200.7
    assert got[("budget_revenue", 2020, "growth_yoy")] == (35.2, 2015)
    assert not (parsed.targets["target_year"] <= 2020).any()


TRADITIONAL_REPORT = """2023年濱州市政府工作報告

——2023年1月10日在濱州市第十一屆人民代表大會第三次會議上

一、2022年工作回顧

過去一年，全市地區生產總值完成 2 976.4 億元，增長 4.5%，高於全省 0.6 個百分點；一般公共預算收入 211.5 億元，同口徑增長 6.1%。高新技术企业达到 786 家,比上年新增 168 家。研發經費投入強度達到 2.35%,較 2017 年提高 0.9 個百分點。

二、2023年主要目標

全市地區生產總值增長 5.5% 以上,規模以上工業增加值增長 7% 左右,高新技术企业突破 1000 家。
"""


def test_a_traditional_character_work_report_with_pdf_spacing():
    """A gap in points after a growth rate compares growth rates; 同口径 is not a subject;
    较2017年 and 比上年新增 keep their reference years; a goals section gives targets."""
    result = parse_text(TRADITIONAL_REPORT, "binzhou_report.txt",
                        {"kind": "report", "date": "2023-01-10", "region": "滨州市"})
    obs = result.observations
    got = {(r.indicator_id, r.region, r.year, r.measure): r.value for r in obs.itertuples()}
    assert got[("gdp", "滨州市", 2022, "level")] == 2976.4
    assert got[("gdp", "山东省", 2022, "growth_yoy")] == 3.9  # 4.5 − 0.6, not 2976.4 − 0.6
    assert ("gdp", "山东省", 2022, "level") not in got
    assert got[("budget_revenue", "滨州市", 2022, "growth_yoy")] == 6.1
    assert got[("hightech_enterprises", "滨州市", 2021, "count")] == 618  # 786 − 168
    assert got[("rd_gdp_share", "滨州市", 2017, "share")] == 1.45  # 2.35 − 0.9
    targets = result.targets.set_index("indicator_id")
    assert set(targets["target_year"]) == {2023}
    assert (targets.loc["gdp", "target_value"], targets.loc["gdp", "target_kind"]) == (5.5, "at_least")
    assert (targets.loc["industrial_va", "target_value"], targets.loc["industrial_va", "target_kind"]) == (7, "approx")
    assert targets.loc["hightech_enterprises", "target_value"] == 1000


PDF_PLAN = """淄博市新旧动能转换重大工程实施规划
（2018—2022年）

第二章 发展目标
到 2022 年,全市研发经费支出占 GDP 比重达到 2.8% 左右,“四新”经济增加值占 GDP 比重达到 35%。
表 1 淄博市新旧动能转换主要指标
指标 单位 2017 年 2022 年
1.一般公共预算收入占 GDP 比重 % 7.6 8.5 左右
2.税收收入占一般公共预算收入比重 % 76.2 80 以上
3.高新技术企业数量 家 589 1000 以上
4.进出口总额 亿元 682.3 稳定增长
"""


def test_pdf_table_whose_years_and_qualifiers_are_split_by_spaces():
    """PDF text splits `2017 年` and `8.5 左右` into tokens; they belong together."""
    result = parse_text(PDF_PLAN, "zibo_plan.txt", {"kind": "plan", "date": "2018-06-01", "region": "淄博市"})
    table = result.targets[result.targets["source_section"] == "table"].set_index("indicator_id")
    assert set(table["base_year"]) == {2017} and set(table["target_year"]) == {2022}
    got = {i: (r["base_value"], r["target_value"], r["target_kind"]) for i, r in table.iterrows()}
    assert got["budget_revenue_gdp_share"] == (7.6, 8.5, "approx")
    assert got["tax_share_budget_revenue"] == (76.2, 80, "at_least")
    assert got["hightech_enterprises"] == (589, 1000, "at_least")
    assert got["imports_exports"][0] == 682.3 and got["imports_exports"][2] == "qualitative"
    text = result.targets[result.targets["source_section"] == "text"]
    assert "“四新”经济增加值占GDP比重" in set(text["label"])


@pytest.mark.parametrize("text,observations,targets", [
    ("“十三五”时期，全市地区生产总值年均增长6.5%，2020年达到5872.2亿元。到“十四五”末，地区生产总值突破8000亿元。",
     [("gdp", 2020, 6.5, "growth_avg", 2015), ("gdp", 2020, 5872.2, "level", None)],
     [("gdp", 2025, 8000, "at_least")]),
    ("十二五末，全市常住人口城镇化率达到52.1%。2014—2017年，全市固定资产投资年均增长12.1%。",
     [("urbanization_rate", 2015, 52.1, "share", None), ("fixed_asset_investment", 2017, 12.1, "growth_avg", 2014)],
     []),
    ("“十三五”以来，全市研发经费投入年均增长12.3%，2020年研发经费投入强度达到2.51%。",
     [("rd_expenditure", 2020, 12.3, "growth_avg", 2015), ("rd_gdp_share", 2020, 2.51, "share", None)], []),
])
def test_five_year_plan_periods_are_years(text, observations, targets):
    """十三五 is 2016–2020 (growth over it from 2015), 十二五末 is 2015, 到十四五末 is 2025."""
    result = parse_text(text, "plan.txt", {"kind": "plan", "date": "2021-03-01", "region": "潍坊市",
                                           "plan_period": "2021-2025"})
    got = [(r.indicator_id, r.year, r.value, r.measure, None if pd.isna(r.reference_year) else r.reference_year)
           for r in result.observations.itertuples()]
    assert got == observations
    assert [tuple(r) for r in result.targets[["indicator_id", "target_year", "target_value", "target_kind"]].values] == targets


def test_a_table_with_number_column_base_and_target_words_and_common_fourteenth_indicators():
    text = ("表1 “十四五”时期经济社会发展主要指标\n"
            "类别\t序号\t指标名称\t单位\t2020年基数\t2025年目标\t年均增长（%）\t属性\n"
            "经济发展\t1\t地区生产总值\t亿元\t4494.3\t6000左右\t6左右\t预期性\n"
            "民生福祉\t2\t城镇调查失业率\t%\t—\t<5.5\t—\t预期性\n"
            "\t3\t劳动年龄人口平均受教育年限\t年\t10.6\t11.3\t—\t约束性\n"
            "绿色生态\t4\t森林覆盖率\t%\t18.2\t20\t—\t约束性\n")
    result = parse_text(text, "jining_plan.txt", {"kind": "plan", "date": "2021-03-01", "region": "济宁市"})
    got = {r.indicator_id: (r.base_year, r.base_value, r.target_year, r.target_value, r.target_kind, r.unit)
           for r in result.targets.itertuples() if r.kind_source != "table: growth column"}
    assert got["gdp"] == (2020, 4494.3, 2025, 6000, "approx", "亿元")
    growth = result.targets[result.targets["kind_source"] == "table: growth column"]
    assert growth[["indicator_id", "target_value", "target_measure", "target_kind", "unit"]].values.tolist() == [
        ["gdp", 6, "growth_avg", "approx", "%"]]
    assert got["surveyed_unemployment_rate"][3:5] == (5.5, "at_most")
    assert got["schooling_years"] == (2020, 10.6, 2025, 11.3, "point", "年")
    assert got["forest_coverage"][1:4] == (18.2, 2025, 20)
    assert set(result.targets["category"]) == {"经济发展", "民生福祉", "绿色生态"}


GENRE_TEXTS = {"other_plan": OTHER_PLAN, "pdf_table": PDF_TABLE, "work_report": WORK_REPORT,
               "fourteenth_plan": FOURTEENTH_PLAN, "traditional_report": TRADITIONAL_REPORT,
               "pdf_plan": PDF_PLAN}


@pytest.mark.parametrize("name", sorted(GENRE_TEXTS))
def test_every_quote_of_every_genre_text_is_on_its_line(name):
    text = GENRE_TEXTS[name]
    kind = "report" if "report" in name else "plan"
    result = parse_text(text, f"{name}.txt", {"kind": kind, "date": "2021-03-01"})
    lines = text.splitlines()
    rows = [*result.targets.itertuples(), *result.observations.itertuples()]
    assert rows
    for row in rows:
        assert row.source_quote in lines[int(row.source_line) - 1], (row.source_line, row.source_quote)


# ---- pipe tables, from texts of the genre corpus ------------------------------------------------

CORPUS_TEXTS = Path(__file__).parent / "corpus" / "genre" / "texts"


def _corpus_text(stem: str):
    meta = yaml.safe_load((CORPUS_TEXTS / f"{stem}.meta.yml").read_text(encoding="utf-8"))
    text = (CORPUS_TEXTS / f"{stem}.txt").read_text(encoding="utf-8")
    keep = {k: str(meta[k]) for k in ("title", "date", "kind", "region") if k in meta}
    return text, parse_text(text, f"{stem}.txt", keep)


def test_a_table_with_one_cell_per_line_gives_each_value_its_own_line_and_year():
    """弋江's 十三五 table: 指标 | 2015年完成 | 2020年完成 | 年均增长 | 属性, a lone | closing a row."""
    text, result = _corpus_text("021_yijiang_plan")
    obs = result.observations[result.observations["source_section"] == "table"]
    lines = text.split("\n")
    got = {(r.indicator_id, r.year, r.measure): (r.value, r.source_line) for r in obs.itertuples()}
    assert got[("gdp", 2015, "level")] == (300.41, 12)
    assert got[("gdp", 2020, "level")] == (469.5, 13)
    assert got[("gdp", 2020, "growth_avg")] == (9.3, 14)
    assert got[("tertiary_share", 2020, "pp_change")] == (13.4, 52)
    for row in obs.itertuples():
        assert row.source_quote in lines[row.source_line - 1]
    assert set(obs["region"]) == {"弋江区"}
    assert result.targets.empty or not (result.targets["target_year"] <= 2020).any()


def test_a_bulletin_table_of_rows_with_pipes():
    """烟台's CPI table: 指 标 | 2020年 |, one row per line."""
    _, result = _corpus_text("008_yantai_bulletin")
    table = result.observations[result.observations["source_section"] == "table"]
    cpi = table[table["label"] == "居民消费价格"].iloc[0]
    assert (cpi["year"], cpi["value"], cpi["source_line"]) == (2020, 2.5, 11)
    assert result.targets.empty  # a statistics bulletin sets no goals


# ---- clause by clause: each number its own kind, year and region --------------------------------

def _one(text: str, kind: str = "plan", date: str = "2021-03-01", region: str = "济宁市"):
    return parse_text(text, "clause.txt", {"kind": kind, "date": date, "region": region})


def test_a_from_to_gives_each_value_its_own_year_and_kind():
    result = _one("到2025年，全员劳动生产率由2020年的12万元提高到16万元。")
    target = result.targets.iloc[0]
    assert (target["indicator_id"], target["target_year"], target["target_value"]) == \
        ("labour_productivity", 2025, 16)
    start = result.observations.iloc[0]
    assert (start["year"], start["value"]) == (2020, 12)
    news = _one("地区生产总值由2000年的不足300亿元增长到2.1万亿元。", "news", "2021-05-01")
    years = dict(zip(news.observations["value"], news.observations["year"], strict=True))
    assert years[300] == 2000 and years[2.1] != 2000


def test_a_result_after_a_goal_is_an_observation():
    result = _one("全市规划目标是单位GDP能耗下降15%，2019年已下降16.2%。", "report", "2020-01-10")
    assert list(result.targets["target_value"]) == [-15]
    assert list(zip(result.observations["year"], result.observations["value"], strict=True)) == \
        [(2019, -16.2)]


def test_the_coming_five_years_and_doublings_are_targets_of_their_own_years():
    five = _one("今后五年，地区生产总值年均增长6.5%左右。")
    assert (five.targets.iloc[0]["target_year"], five.targets.iloc[0]["target_measure"]) == \
        (2025, "growth_avg")
    doubled = _one("到2025年，居民人均可支配收入比2020年翻一番。").targets.iloc[0]
    assert (doubled["target_value"], doubled["target_measure"], doubled["base_year"]) == \
        (2, "multiple", 2020)


def test_spaced_ratio_colons_and_counts_after_their_label():
    result = _one("2022年全市三次产业结构为0.21 : 45.07 : 54.72，高新技术企业达到315家。",
                  "bulletin", "2023-03-01")
    obs = result.observations
    assert list(obs[obs["measure"] == "ratio_part"]["value"]) == [0.21, 45.07, 54.72]
    assert obs[obs["indicator_id"] == "hightech_enterprises"].iloc[0]["value"] == 315
    assert result.targets.empty


def test_no_numbers_from_addresses_item_counts_or_programme_sizes():
    text = ("2020年，确定的5大类28项指标，选择20个县、200个乡镇、2000个村开展试点。\n\n"
            "详见http://www.example.gov.cn/%E5%BE%B7%E5%B7%9E/87.html\n")
    result = _one(text, "news", "2021-01-05")
    assert result.observations.empty and result.targets.empty


def test_a_dateline_names_no_region_and_the_province_keeps_its_figures():
    result = _one("济南3月1日讯 2022年全省地区生产总值87435亿元，增长3.9%。", "news", "2023-03-01",
                  "德州市")
    assert set(result.observations["region"]) == {"山东省"}


def test_a_level_minus_points_is_no_previous_year_level():
    result = _one("全年固定资产投资8350.2亿元，比上年提高4.5个百分点。", "bulletin", "2023-03-01")
    assert not result.observations["is_derived"].any()


def test_a_number_whose_indicator_cannot_be_named_is_set_aside_with_its_sentence():
    result = _one("全市规划目标是下降15%，2019年已下降16.2%。", "report", "2020-01-10")
    assert result.targets.empty and result.observations.empty
    aside = result.set_aside.iloc[0]
    assert (aside["label"], aside["value"], aside["source_line"]) == ("目标", -15, 1)
    assert "规划目标是下降15%" in aside["source_quote"]


def test_a_table_flattened_into_one_line_is_read_like_its_lines():
    """The same 十四五 table after a PDF extraction that lost every line break."""
    lines = [line for line in PDF_TABLE.split("\n") if line]
    flat = lines[0] + "\n" + " ".join(lines[1:]) + "\n"
    result = parse_text(flat, "county_flat.txt", {"kind": "plan", "date": "2021-02-01", "region": "宁津县"})
    table = result.targets[result.targets["source_section"] == "table"].set_index("indicator_id")
    assert (table.loc["gdp", "base_value"], table.loc["gdp", "target_value"]) == (312.5, 450)
    assert table.loc["rd_gdp_share", "target_value"] == 2.5
    assert table.loc["energy_intensity_reduction", "target_kind"] == "qualitative"
    assert table.loc["gdp", "attribute"] == "预期性"
    assert table.loc["energy_intensity_reduction", "attribute"] == "约束性"
    assert table.loc["gdp", "category"] == "经济发展" and table.loc["rd_gdp_share", "category"] == "创新驱动"
    assert set(table["source_line"]) == {2}
    for quote in table["source_quote"]:
        assert quote in flat.split("\n")[1]
    assert result.observations[result.observations["source_section"] == "text"].empty


def test_a_bulletin_table_with_one_cell_per_line_between_lone_pipes():
    """潘集's 指 标 | 绝对数 | 比上年增长%: the year from the title above, each value at its line."""
    text, result = _corpus_text("004_panji_bulletin")
    table = result.observations[result.observations["source_section"] == "table"]
    got = {(r.label, r.measure): (r.year, r.value, r.source_line) for r in table.itertuples()}
    assert got[("生产总值", "level")] == (2022, 295.4, 14)
    assert got[("生产总值", "growth_yoy")] == (2022, 7.7, 16)
    assert got[("第三产业", "growth_yoy")] == (2022, -0.2, 34)


def test_a_county_report_keeps_its_figures_when_it_names_its_own_city():
    text = ("2024年1月10日在临沂市兰陵县第十届人民代表大会上\n\n"
            "一年来，全县地区生产总值完成480.6亿元，增长5.2%；深入学习临沂经验。\n")
    result = _one(text, "report", "2024-01-10", "兰陵县")
    assert set(result.observations["region"]) == {"兰陵县"}


def test_a_sentence_opening_with_qizhong_or_tongshi_continues_the_goal_before_it():
    text = ("到“十四五”末，全市地区生产总值要达到420亿元。其中，二产业年均增速保持在7.5%以上。\n\n"
            "同时，城镇化率达到52%以上。\n")
    result = _one(text, "news", "2021-01-15", "达州市")
    assert sorted(result.targets["target_value"]) == [7.5, 52, 420]
    assert set(result.targets["target_year"]) == {2025} and result.observations.empty


def test_a_structure_called_chanyebi_with_vertical_colons_and_a_plain_doubling():
    result = _one("全年三次产业比调整为9.6︰45.2︰45.2。", "report", "2020-01-10")
    assert list(result.observations["value"]) == [9.6, 45.2, 45.2]
    doubled = _one("力争到2030年实现经济总量翻番。", "news", "2025-07-28").targets.iloc[0]
    assert (doubled["target_value"], doubled["target_measure"]) == (2, "multiple")


def test_counts_of_works_facilities_and_awards_are_programme_sizes():
    text = ("2022年，实施总投资12亿元的45项城建重点工程，应开尽开发热门诊21个，"
            "7家单位11项成果获省科学技术奖，招引15个以上过亿项目。")
    result = _one(text, "report", "2023-02-01")
    assert result.observations.empty and result.targets.empty


def test_a_goal_list_after_a_colon_runs_past_a_stray_full_stop():
    text = "今年主要预期目标是：地区生产总值增长7%，人口自然增长率控制在5%。以内；城镇居民人均可支配收入增长6.5%。"
    result = _one(text, "news", "2012-01-20", "莆田市")
    assert sorted(result.targets["target_value"]) == [5, 6.5, 7] and result.observations.empty


def test_one_character_items_and_city_and_countryside_share_their_label():
    result = _one("2023年，金融机构存、贷款余额分别增长9.1%、12.4%；城、乡居民人均可支配收入分别增长5%、7%。",
                  "report", "2024-03-01", "周口市")
    got = dict(zip(result.observations["label"], result.observations["value"], strict=True))
    assert got == {"金融机构存款余额": 9.1, "金融机构贷款余额": 12.4, "城镇居民人均可支配收入": 5,
                   "农村居民人均可支配收入": 7}


def test_an_average_speed_reached_is_an_average_growth():
    obs = _one("2016年至2020年间，全县地区生产总值年均增速达5.15%。", "news", "2021-06-01", "凤县").observations
    assert (obs.iloc[0]["indicator_id"], obs.iloc[0]["measure"], obs.iloc[0]["value"]) == ("gdp", "growth_avg", 5.15)


def test_a_county_text_that_names_its_city_in_passing_keeps_its_own_region():
    text = ("旬阳县将建副中心城市。\n\n“一极”指安康经济发展重要增长极。\n\n"
            "到2020年，城乡居民人均可支配收入分别达到31000元、12500元。\n")
    result = _one(text, "news", "2016-08-11", "旬阳县")
    assert set(result.targets["region"]) == {"旬阳县"}


def test_a_growth_before_the_target_year_of_its_sentence_is_a_goal():
    result = _one("经济保持较快发展，地区生产总值年均增速9%以上，到2020年达到620亿元左右。",
                  "news", "2016-05-19", "集美区")
    assert sorted(result.targets["target_value"]) == [9, 620] and result.observations.empty


def test_a_structure_called_goucheng_is_read_as_its_parts():
    obs = _one("2022年全市三次产业构成为6.1:41.7:52.2。", "bulletin", "2023-03-01").observations
    assert list(obs["indicator_id"]) == ["primary_share", "secondary_share", "tertiary_share"]


def test_a_threshold_called_daguan_and_points_of_growth_are_read():
    text = "2023年，规上工业总产值首次突破3000亿元大关，工业增加值占比较2022年增长3个百分点。"
    obs = _one(text, "report", "2024-01-20", "光明区").observations
    got = dict(zip(obs["measure"], obs["value"], strict=True))
    assert got == {"level": 3000, "pp_change": 3}


def test_herd_and_jobs_are_statistics_in_news_without_a_year_of_their_own():
    text = "2019年至2023年间，全县经济稳步增长。\n\n肉牛产业存栏量达12.5万头，带动就业1.3万人。\n"
    obs = _one(text, "news", "2024-07-01", "泾川县").observations
    assert sorted(obs["value"]) == [1.3, 12.5]
