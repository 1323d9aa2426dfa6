"""What the first held-out set taught the reader once it had been measured and joined the dev
set (tests/corpus/genre/texts/0xx_*): a plan's review running on past its paragraph, goals for a
year still to come, from–to starting "where things stand", bullets and boxed headings, doublings
said loosely, multiples of a five-year plan's last year, lengths of time as values, and the counts
of a programme that are not statistics. Each rule on a sentence of those texts."""

from __future__ import annotations

from pathlib import Path

from dezhou_analysis.documents.reader import parse_text

TEXTS = Path(__file__).parent / "corpus" / "genre" / "texts"


def _parse(text: str, kind: str, region: str, date: str, title: str = ""):
    return parse_text(text, "text.txt", {"kind": kind, "region": region, "date": date, "title": title})


def _corpus(stem: str):
    import yaml
    meta = yaml.safe_load((TEXTS / f"{stem}.meta.yml").read_text(encoding="utf-8"))
    return parse_text((TEXTS / f"{stem}.txt").read_text(encoding="utf-8"), f"{stem}.txt",
                      {k: str(meta[k]) for k in ("kind", "region", "date", "title")})


def test_a_plans_review_runs_on_into_the_next_paragraph():
    """莱州's 发展基础: "2020 年,生产总值达到…" and then a paragraph with no year of its own, all
    of it achievements of 2020, none of it goals."""
    result = _corpus("009_laizhou_plan")
    line4 = result.observations[result.observations["source_line"] == 4]
    assert len(line4) >= 10 and set(line4["year"]) == {2020}
    assert not (result.targets["source_line"] == 4).any()


def test_a_new_heading_or_a_goal_ends_the_review():
    text = ("十四五规划纲要\n一、发展基础\n2020年，全市生产总值达到674.1亿元。\n"
            "规模以上工业企业达到206家，商业银行总数达到17家。\n"
            "二、主要目标\n规模以上工业企业达到300家，森林覆盖率达到40%。\n")
    result = _parse(text, "plan", "莱州市", "2021-03-01", "莱州市国民经济和社会发展第十四个五年规划纲要")
    obs = result.observations.set_index("value")
    assert obs.loc[206.0, "year"] == 2020 and obs.loc[17.0, "year"] == 2020
    goals = result.targets.set_index("target_value")
    assert goals.loc[300.0, "target_year"] == 2025 and goals.loc[40.0, "target_year"] == 2025
    assert 300.0 not in obs.index


def test_a_year_after_the_documents_date_sets_a_goal():
    """2027年全市经济总量要达到2300亿元左右, said in December 2022."""
    targets = _corpus("025_sanmenxia_news").targets
    total = targets[targets["target_value"] == 2300.0].iloc[0]
    assert (total["target_year"], total["target_kind"]) == (2027, "approx")


def test_a_from_to_that_starts_from_now_starts_in_the_documents_year():
    result = _corpus("025_sanmenxia_news")
    obs, targets = result.observations, result.targets
    now = obs[obs["value"].isin([14.4, 3.5, 1.8, 107.0])]
    assert set(now["year"]) == {2022} and len(now) == 4
    assert set(targets[targets["target_value"].isin([20.0, 5.3, 2.8, 500.0])]["target_value"]) \
        == {20.0, 5.3, 2.8, 500.0}
    firms = targets[targets["target_value"] == 500.0].iloc[0]
    assert (firms["indicator_id"], firms["target_kind"]) == ("hightech_enterprises", "at_least")


def test_a_boxed_heading_and_bullets_keep_review_and_goals_apart():
    """■ 2024年成绩单 ●粮食总产达到557亿斤 … ■ 2025年…主要预期目标 ●经济增长6%左右."""
    result = _corpus("020_hubei_report")
    grain = result.observations[result.observations["value"] == 557.0].iloc[0]
    assert (grain["year"], grain["indicator_id"]) == (2024, "grain_output")
    assert not (result.targets["target_value"] == 557.0).any()
    growth = result.targets[(result.targets["target_value"] == 6.0) & (result.targets["source_line"] == 23)]
    assert growth.iloc[0]["label"] == "经济" and growth.iloc[0]["indicator_id"] == "gdp"


def test_a_goal_list_introduced_by_its_period_takes_the_periods_last_year():
    """“十四五”时期(2021年至2025年)“八个新”的确切目标: — the goals below are for 2025."""
    targets = _corpus("023_guangzhou_news").targets
    line12 = targets[targets["source_line"] == 12]
    assert set(line12["target_year"]) == {2025}
    assert {"rd_gdp_share", "forest_coverage", "life_expectancy"} <= set(line12["indicator_id"])


def test_doublings_said_loosely_and_multiples_of_a_plans_last_year():
    obs = _corpus("026_xuancheng_news").observations
    firms = obs[obs["label"] == "市场主体"].iloc[0]
    assert (firms["value"], firms["measure"], firms["value_qualifier"]) == (2.0, "multiple", "approx")
    assert (firms["year"], firms["reference_year"]) == (2020, 2015)
    more = _parse("“十三五”期间完成交通投资超2000亿元,比“十二五”翻了一番多。\n", "news", "温州市",
                  "2020-12-24").observations
    assert more[more["unit"] == "倍"].iloc[0]["value_qualifier"] == "at_least"
    yibin = _corpus("307_yibin_news").observations
    times = yibin[(yibin["unit"] == "倍") & (yibin["source_line"] == 16)].set_index("value")
    assert times.loc[1.76, "indicator_id"] == "tax_revenue" and times.loc[2.2, "indicator_id"] == "tertiary_va"
    assert set(times["reference_year"]) == {2015}


def test_lengths_of_time_are_values_ages_that_bound_a_group_are_not():
    targets = _corpus("029_changsanjiao_news").targets.set_index("indicator_id")
    assert targets.loc["schooling_years", "target_value"] == 11.5
    assert targets.loc["life_expectancy", "target_value"] == 79.0
    obs = _parse("2022年末，全省60岁及以上人口占23.62%，人均预期寿命79.2岁。\n", "bulletin", "山东省",
                 "2023-03-01", "2022年山东省国民经济和社会发展统计公报").observations
    assert 60.0 not in set(obs["value"]) and obs.set_index("indicator_id").loc["life_expectancy", "value"] == 79.2


def test_counts_of_goals_met_places_listed_and_teams_sent_are_not_statistics():
    for sentence in ("“十三五”规划《纲要》共确定34项主要指标,预计31项顺利完成规划目标。",
                     "成功跻身长三角一体化27个中心区城市,常住人口城市化率达71%左右。",
                     "前期,全县已先后组织14个调研组,分赴农业、工业等领域。"):
        result = _parse(sentence + "\n", "news", "温州市", "2020-12-24")
        values = set(result.observations["value"]) | set(result.targets["target_value"])
        assert not values & {31.0, 27.0, 14.0}, sentence


def test_a_goal_within_the_year_said_early_in_it_with_one_item_per_quoted_name():
    """大众日报's interview of 2019-02-24 with 滨州 (data/raw/documents): "…推进“五大千亿级产业集群”
    “五大新兴产业”年内主营业务收入分别突破万亿、千亿" — two goals for 2019, one per cluster."""
    from tests.conftest import ROOT
    path = ROOT / "data" / "raw" / "documents" / "dazhong_daily_four_city_interviews_2019-02-24.txt"
    line = next(li for li in path.read_text(encoding="utf-8").split("\n") if "分别突破万亿、千亿" in li)
    result = _parse(line + "\n", "news", "滨州市", "2019-02-24")
    goals = result.targets.set_index("label")
    assert goals.loc["“五大千亿级产业集群”主营业务收入", "target_value"] == 1.0
    assert goals.loc["“五大千亿级产业集群”主营业务收入", "unit"] == "万亿"
    assert goals.loc["“五大新兴产业”主营业务收入", "target_value"] == 1000.0
    assert set(goals["target_year"]) == {2019} and set(goals["target_kind"]) == {"at_least"}
    assert not (result.observations["unit"].str.contains("亿")).any()


def test_a_ratio_to_one_and_the_urban_rural_income_ratio():
    """城乡居民收入比缩小到1.79:1 (宁波, 2019), 收入倍差缩小到1.75以内 (杭州): a ratio the registry
    knows, its first term the value; 1:1's second term is no statistic."""
    obs = _corpus("522_ningbo_report").observations
    ratio = obs[obs["indicator_id"] == "urban_rural_income_ratio"]
    assert list(ratio["value"]) == [1.79] and not (obs["value"] == 1.0).any()
    goal = _corpus("527_hangzhou_news").targets.set_index("indicator_id").loc["urban_rural_income_ratio"]
    assert (goal["target_value"], goal["target_kind"]) == (1.75, "at_most")


def test_a_goal_list_run_together_from_lines_keeps_each_item():
    """惠州's 2026 goals, two lines of items that extraction ran into one: "…增长6%规模以上工业…"
    — 规模 there opens the next item, not an attribute of 6%."""
    targets = _corpus("507_huizhou_news").targets
    line22 = targets[targets["source_line"] == 22].set_index("indicator_id")
    assert line22.loc["imports_exports", "target_value"] == 6.0
    assert line22.loc["industrial_va", "target_value"] == 7.0


def test_the_items_of_a_list_each_keep_their_own_name():
    """Items before one 分别: those that share the statistic the last one goes on into
    (一般贸易、民营企业进出口占比), whole items (市场采购、跨境电商), a first item that is a statistic
    of its own (实际利用外资、外贸进出口总值), and one-character items (存、贷款余额)."""
    suzhou = _corpus("327_suzhou_news").observations
    line9, line11 = suzhou[suzhou["source_line"] == 9], suzhou[suzhou["source_line"] == 11]
    assert set(line9["label"]) >= {"高新技术产业产值占规上工业总产值比重", "工业战略性新兴产业产值占规上工业总产值比重"}
    values = {(row["label"], row["unit"]): row["value"] for row in line11.to_dict("records")}
    assert values[("一般贸易进出口占比", "个百分点")] == 4.0 and values[("民营企业进出口占比", "个百分点")] == 13.3
    assert values[("市场采购", "倍")] == 1.9 and values[("跨境电商", "倍")] == 127.0
    investment = line9[line9["label"] == "工业投资"]  # 工业投资年均增长8.1%，2025年突破2250亿元
    assert sorted(investment["value"]) == [8.1, 2250.0]
    shijiazhuang = _corpus("323_shijiazhuang_report").observations.set_index("indicator_id")
    assert shijiazhuang.loc["fdi_actual", "value"] == 9.9 and shijiazhuang.loc["fdi_actual", "measure"] == "growth_avg"
    deposits = _parse("年末金融机构存、贷款余额分别增长8%和9%。\n", "bulletin", "苏州市", "2021-03-01",
                      "2020年苏州市国民经济和社会发展统计公报").observations
    assert list(deposits["label"]) == ["金融机构存款余额", "金融机构贷款余额"]


def test_milestones_and_predictions_are_not_labels_and_gaps_in_a_list_are_left_out():
    henan = _corpus("108_henan_plan").observations
    assert set(henan[henan["value"].isin([4.0, 5.0]) & (henan["unit"] == "万亿元")]["indicator_id"]) == {"gdp"}
    anqing = _corpus("159_anqing_report").observations
    assert anqing[anqing["value"] == 3000.0].iloc[0]["indicator_id"] == "gdp"  # 跨过3000亿元历史性节点
    line9 = anqing[anqing["source_line"] == 9]
    assert not line9["label"].str.startswith("高于").any()  # 高于全国、全省1个、0.2个百分点
    chongqing = _corpus("105_chongqing_news").targets
    assert chongqing[chongqing["target_value"] == 2.5].iloc[0]["indicator_id"] == "gdp"  # 预计达到2.5万亿元
