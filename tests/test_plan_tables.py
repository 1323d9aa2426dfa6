"""A 十四五 plan's indicator table as web pages and PDF extraction give it, and the sections
around it: the same table read alike whether its cells are pipe-separated, one per line or run
into one line; a plan's review of the last period gives results, and a report on a plan's
goals keeps them goals past sentences that name no year.

The table is the national 纲要's 专栏1 (主要指标), cell for cell: 类别 | 指标 | 2020年 | 2025年 |
年均/累计 | 属性, with its footnote marks (60.6*) and bracketed five-year totals (〔13.5〕)."""

from pathlib import Path

import pytest
import yaml

from dezhou_analysis.documents.reader import parse_text

CORPUS = Path(__file__).parent / "corpus" / "genre" / "texts"

TITLE = "专栏1 “十四五”时期经济社会发展主要指标"
HEADER = ["类别", "指标", "2020年", "2025年", "年均/累计", "属性"]
ROWS = [
    ["经济发展", "1.国内生产总值(GDP)增长(%)", "2.3", "—", "保持在合理区间、各年度视情提出", "预期性"],
    ["", "2.全员劳动生产率增长(%)", "2.5", "—", "高于GDP增长", "预期性"],
    ["", "3.常住人口城镇化率(%)", "60.6*", "65", "—", "预期性"],
    ["创新驱动", "4.全社会研发经费投入增长(%)", "—", "—", ">7、力争投入强度高于“十三五”时期实际", "预期性"],
    ["", "5.每万人口高价值发明专利拥有量(件)", "6.3", "12", "—", "预期性"],
    ["", "6.数字经济核心产业增加值占GDP比重(%)", "7.8", "10", "—", "预期性"],
    ["民生福祉", "7.居民人均可支配收入增长(%)", "2.1", "—", "与GDP增长基本同步", "预期性"],
    ["", "8.城镇调查失业率(%)", "5.2", "—", "<5.5", "预期性"],
    ["", "9.劳动年龄人口平均受教育年限(年)", "10.8", "11.3", "—", "约束性"],
    ["", "10.每千人口拥有执业(助理)医师数(人)", "2.9", "3.2", "—", "预期性"],
    ["", "11.基本养老保险参保率(%)", "91", "95", "—", "预期性"],
    ["", "12.每千人口拥有3岁以下婴幼儿托位数(个)", "1.8", "4.5", "—", "预期性"],
    ["", "13.人均预期寿命(岁)", "77.3*", "—", "〔1〕", "预期性"],
    ["绿色生态", "14.单位GDP能源消耗降低(%)", "—", "—", "〔13.5〕", "约束性"],
    ["", "15.单位GDP二氧化碳排放降低(%)", "—", "—", "〔18〕", "约束性"],
    ["", "16.地级及以上城市空气质量优良天数比率(%)", "87", "87.5", "—", "约束性"],
    ["", "17.地表水达到或好于Ⅲ类水体比例(%)", "83.4", "85", "—", "约束性"],
    ["", "18.森林覆盖率(%)", "23.2*", "24.1", "—", "约束性"],
    ["安全保障", "19.粮食综合生产能力(亿吨)", "—", ">6.5", "—", "约束性"],
    ["", "20.能源综合生产能力(亿吨标准煤)", "—", ">46", "—", "约束性"],
]
META = {"title": "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要",
        "date": "2021-03-13", "kind": "plan", "region": "全国"}


def _pipes() -> str:
    return "\n".join([TITLE] + ["| " + " | ".join(row) + " |" for row in [HEADER] + ROWS]) + "\n"


def _one_cell_per_line() -> str:
    return "\n".join([TITLE] + [cell for row in [HEADER] + ROWS for cell in row if cell]) + "\n"


def _one_line() -> str:
    return TITLE + "\n" + " ".join(cell for row in [HEADER] + ROWS for cell in row if cell) + "\n"


LAYOUTS = {"pipes": _pipes, "one cell per line": _one_cell_per_line, "one line": _one_line}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_table_is_read_alike_in_every_layout(layout):
    text = LAYOUTS[layout]()
    parsed = parse_text(text, "gangyao.txt", META)
    targets = {(r.indicator_id, r.target_value): r for r in parsed.targets.itertuples() if r.indicator_id}
    assert targets[("urbanization_rate", 65)].target_year == 2025
    assert targets[("surveyed_unemployment_rate", 5.5)].target_kind == "at_most"
    assert targets[("grain_capacity", 6.5)].target_kind == "at_least"
    assert targets[("schooling_years", 11.3)].attribute == "约束性"
    assert targets[("energy_intensity_reduction", 13.5)].cumulative, "〔13.5〕: over the five years"
    assert targets[("life_expectancy", 1)].target_measure == "abs_change"
    growth = parsed.targets[parsed.targets["label"] == "全社会研发经费投入增长"]
    assert growth[["target_value", "target_kind", "target_measure"]].values.tolist() == [
        [7, "at_least", "growth_avg"]], ">7、力争…: the bound that opens the cell"
    observed = {r.indicator_id: r for r in parsed.observations.itertuples() if r.indicator_id}
    assert (observed["urbanization_rate"].year, observed["urbanization_rate"].value) == (2020, 60.6)
    assert observed["forest_coverage"].value == 23.2, "the footnote mark is not part of the number"
    assert (observed["gdp"].value, observed["gdp"].measure) == (2.3, "growth_yoy")
    # every number of the table once, nothing from its row numbers or the title's 十四五
    assert len(parsed.targets[parsed.targets["target_value"].notna()]) == 17
    assert len(parsed.observations) == 15
    assert not set(parsed.observations["value"]) & {1, 14, 20}


def test_each_cell_keeps_its_own_line_when_the_cells_stand_one_per_line():
    text = _one_cell_per_line()
    lines = text.split("\n")
    parsed = parse_text(text, "gangyao.txt", META)
    for row in parsed.targets.itertuples():
        if row.target_value == row.target_value:  # a number
            assert lines[row.source_line - 1].strip() == row.source_quote, row.label
    for row in parsed.observations.itertuples():
        assert lines[row.source_line - 1].strip() == row.source_quote, row.label


def _corpus(stem: str) -> tuple[str, dict]:
    meta = yaml.safe_load((CORPUS / f"{stem}.meta.yml").read_text(encoding="utf-8"))
    return (CORPUS / f"{stem}.txt").read_text(encoding="utf-8"), {
        k: str(meta[k]) for k in ("title", "date", "kind", "region")}


def test_goals_run_on_past_sentences_that_name_no_year():
    """到2025年，… 占全省比重力争达20%左右。 Then, paragraphs on: 高新技术产业产值占比达到42.5%;
    林木覆盖率达到25.2%, 自然岸线保有率保持在35%以上 — the plan's goals for 2025 still."""
    text, meta = _corpus("103_jiangsuyanhai_news")
    parsed = parse_text(text, "103.txt", meta)
    goals = {r.target_value: r.target_year for r in parsed.targets.itertuples()}
    assert goals == {20: 2025, 42.5: 2025, 25.2: 2025, 35: 2025}
    assert parsed.observations.empty


def test_a_sentence_with_a_past_year_ends_the_run_of_goals():
    text = ("到2025年，全市地区生产总值达到1000亿元。\n\n"
            "2020年，全市一般公共预算收入完成80亿元。常住人口城镇化率达到60%。\n")
    parsed = parse_text(text, "plan_news.txt", {"kind": "news", "date": "2021-03-01", "region": "某市"})
    assert parsed.targets["target_value"].tolist() == [1000]
    observed = {r.value: r.year for r in parsed.observations.itertuples()}
    assert observed == {80: 2020, 60: 2020}


def test_a_plan_reviewing_the_period_just_ended_states_results():
    """A 十四五 建议: “十三五”时期…经济总量先后迈上4万亿元、5万亿元两个大台阶，粮食产量连续4年
    稳定在1300亿斤以上 — results at the end of 2020, not goals."""
    text, meta = _corpus("108_henan_plan")
    parsed = parse_text(text, "108.txt", meta)
    assert parsed.targets.empty or parsed.targets["target_value"].isna().all()
    observed = {r.value: r.year for r in parsed.observations.itertuples() if not r.is_derived}
    assert observed.get(1300) == 2020


def test_a_from_to_without_years_runs_over_the_period_its_paragraph_reviews():
    """“十三五”时期，… 研发经费投入强度由1.8%提高到2.4%: 1.8 at the period's start, 2.4 at its end."""
    text = "第一章 发展基础\n\n“十三五”时期，全市经济稳步增长。研发经费投入强度由1.8%提高到2.4%。\n"
    parsed = parse_text(text, "plan.txt", {"kind": "plan", "date": "2021-02-01", "region": "某市",
                                           "title": "某市国民经济和社会发展第十四个五年规划纲要"})
    got = {(r.indicator_id, r.year): r.value for r in parsed.observations.itertuples()}
    assert got == {("rd_gdp_share", 2015): 1.8, ("rd_gdp_share", 2020): 2.4}
    assert parsed.targets.empty


def test_a_piped_table_with_category_and_row_number_columns():
    """类别 | 序号 | 指标 | 单位 | 2020年 | 2025年 | 年均增长〔累计〕 | 属性: the category and the row
    number stand before the label; a bracketed total of a rate is in percentage points."""
    text = ("表1 “十四五”时期经济社会发展主要指标\n"
            "| 类别 | 序号 | 指标 | 单位 | 2020年 | 2025年 | 年均增长〔累计〕 | 属性 |\n"
            "| 经济发展 | 1 | 地区生产总值 | 亿元 | 312.5 | 450左右 | 7.5左右 | 预期性 |\n"
            "| | 2 | 常住人口城镇化率 | % | 52.3 | 58 | 〔5.7〕 | 预期性 |\n"
            "| 绿色生态 | 3 | 森林覆盖率 | % | 38.1* | 40 | — | 约束性 |\n")
    parsed = parse_text(text, "county_plan.txt", {"kind": "plan", "date": "2021-03-01", "region": "某县"})
    got = sorted((r.indicator_id, r.target_value, r.target_measure, r.source_line)
                 for r in parsed.targets.itertuples())
    assert got == [("forest_coverage", 40, "share", 5), ("gdp", 7.5, "growth_avg", 3), ("gdp", 450, "level", 3),
                   ("urbanization_rate", 5.7, "pp_change", 4), ("urbanization_rate", 58, "share", 4)]
    observed = sorted((r.indicator_id, r.year, r.value) for r in parsed.observations.itertuples())
    assert observed == [("forest_coverage", 2020, 38.1), ("gdp", 2020, 312.5), ("urbanization_rate", 2020, 52.3)]


def test_counts_of_what_was_done_are_no_statistics():
    """建成3个产业园区, 设立5个工作组, 完成28项民生实事, 走访企业2300家: programme sizes and
    activities; 高新技术企业达到856家 stays."""
    text = ("一、2022年工作回顾\n\n过去一年，全市建成3个产业园区，设立5个工作组，完成28项民生实事，"
            "走访企业2300家，高新技术企业达到856家。\n")
    parsed = parse_text(text, "report.txt", {"kind": "report", "date": "2023-01-10", "region": "某市"})
    assert parsed.observations["value"].tolist() == [856]
    assert parsed.skipped.get("count of works or activities (实施重点项目120个, 走访企业2300家)") == 4
