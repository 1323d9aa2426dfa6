"""The plan and its companion documents parsed into tidy, traceable frames (issue bar)."""

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ANONYMISED, DOCUMENTS, INTERVIEWS, PLAN, SPEECHES

TABLE_1 = [  # (name as printed, unit, 2017, 2022, kind)
    ("新经济增加值占GDP比重", "%", 18.3, 26, "point"),
    ("全员劳动生产率", "万元/人", 8.9, 12, "point"),
    ("一般公共预算收入占GDP比重", "%", 5.97, 8, "approx"),
    ("战略性新兴产业增加值占GDP比重", "%", 23, 28, "point"),
    ("现代服务业增加值占GDP比重", "%", 18.3, 23, "point"),
    ("现代农业增加值占农业增加值比重", "%", 9.79, 10.5, "point"),
    ("税收收入占一般公共预算收入比重", "%", 71.1, 75, "point"),
    ("研究与试验发展经费支出占GDP比重", "%", 1.54, 2, "approx"),
    ("高新技术企业数量", "家", 338, 680, "point"),
    ("每万人拥有研发人员", "人", 24, 35, "point"),
    ("引进高层次人才累计总量", "人", 538, 850, "point"),
    ("转化大院大所科技成果累计数量", "项", 613, 1000, "at_least"),
    ("国家级", "个", 28, 31, "point"),
    ("省级", "个", 263, 370, "point"),
    ("市级", "个", 612, 900, "point"),
    ("人才公寓建筑面积", "万平方米", 68.1, 300, "point"),
    ("进出口总额", "亿元", 244.5, None, "qualitative"),
    ("经济外向度", "%", 7.8, 10, "point"),
    ("实际利用外资", "亿美元", 1.3, None, "qualitative"),
    ("万元地区生产总值能耗降低", "%", 8, 12.5, "point"),
    ("可吸入颗粒物PM2.5浓度降低", "%", 18.5, None, "qualitative"),
    ("新培育山东名牌", "个", 16, 50, "point"),
    ("“三品一标”产品产地认证面积占食用农产品产地面积", "%", 81.7, 60, "at_least"),
]


def test_table_1_has_23_rows_with_exact_values(targets):
    table = targets[targets["source_section"] == "table"].reset_index(drop=True)
    assert len(table) == 23
    assert set(table["base_year"]) == {2017} and set(table["target_year"]) == {2022}
    for row, (name, unit, base, target, kind) in zip(table.to_dict("records"), TABLE_1, strict=True):
        assert name in row["label"], (name, row["label"])
        assert row["unit"] == unit, name
        assert row["base_value"] == pytest.approx(base), name
        if target is None:
            assert pd.isna(row["target_value"]), name
        else:
            assert row["target_value"] == pytest.approx(target), name
        assert row["target_kind"] == kind, name
        assert row["indicator_id"], f"{name} is not matched to the registry"


def test_table_kinds_refined_by_the_text_say_so(targets):
    row = targets[(targets["indicator_id"] == "three_products_area_share")
                  & (targets["source_section"] == "table")].iloc[0]
    assert row["target_kind"] == "at_least"
    assert row["kind_source"].startswith("text:") and "60%以上" in row["kind_source"]
    qualitative = targets[targets["indicator_id"] == "imports_exports"].iloc[0]
    assert qualitative["target_text"] == "稳定增长"


INDUSTRY_TARGETS = {
    "revenue_high_end_equipment": 600, "revenue_biotech": 1360, "revenue_new_energy": 2200,
    "revenue_new_materials": 500, "revenue_next_gen_it": 500, "revenue_health_care": 500,
    "revenue_green_chemicals": 1650, "revenue_textiles": 1800, "modern_agri_va": 400,
    "finance_va": 180, "finance_va_gdp_share": 5, "culture_va_gdp_share": 5,
    "tourism_revenue": 370, "tourist_visits": 4500, "logistics_total": 1.7,
    "urbanization_rate": 63,
}


def test_narrative_targets(targets):
    text = targets[(targets["source_section"] == "text") & (targets["source_doc"] == PLAN)]
    assert len(text) >= 35
    for indicator_id, value in INDUSTRY_TARGETS.items():
        rows = text[text["indicator_id"] == indicator_id]
        assert len(rows) >= 1, indicator_id
        assert rows.iloc[0]["target_value"] == pytest.approx(value), indicator_id
        assert rows.iloc[0]["target_year"] == 2022
    logistics = text[text["indicator_id"] == "logistics_total"].iloc[0]
    assert logistics["unit"] == "万亿元"
    assert text[text["indicator_id"] == "revenue_high_end_equipment"].iloc[0]["target_kind"] == "at_least"
    assert text[text["indicator_id"] == "finance_va_gdp_share"].iloc[0]["target_kind"] == "approx"


def test_lists_ranges_and_rates_in_targets(targets):
    text = targets[targets["source_section"] == "text"].set_index("indicator_id")
    assert text.loc["gi_trademarks", "target_value"] == 15
    assert text.loc["well_known_trademarks", "target_value"] == 35
    zones = text.loc["brand_demo_zones"]
    assert (zones["target_value"], zones["target_high"], zones["target_kind"]) == (1, 2, "at_least")
    investment = text.loc["fixed_asset_investment"]
    assert (investment["target_value"], investment["target_kind"], investment["target_measure"]) == \
        (6, "approx", "growth_avg")
    upgrade = targets[(targets["indicator_id"] == "tech_upgrade_investment_share")
                      & (targets["source_section"] == "text")].iloc[0]
    assert upgrade["every_year"] and upgrade["target_kind"] == "at_least" and upgrade["target_value"] == 50


def _obs(observations, indicator_id, year, region="德州市", measure=None, derived=None):
    rows = observations[(observations["indicator_id"] == indicator_id)
                        & (observations["year"] == year) & (observations["region"] == region)]
    if measure:
        rows = rows[rows["measure"] == measure]
    if derived is not None:
        rows = rows[rows["is_derived"] == derived]
    return rows


def test_observations_required_by_the_bar(observations):
    assert len(observations) >= 80
    assert _obs(observations, "gdp", 2017, measure="level").iloc[0]["value"] == 3140.2
    for year, value in zip(range(2014, 2018), (55.9, 50.2, 37.9, 38.8), strict=True):
        assert _obs(observations, "industry_contribution_rate", year).iloc[0]["value"] == value
    derived = _obs(observations, "tech_upgrade_investment_share", 2016, derived=True).iloc[0]
    assert derived["value"] == 55.0 and "63.4 − 8.4" in derived["derivation"]
    province = _obs(observations, "budget_revenue_gdp_share", 2017, region="山东省", derived=True).iloc[0]
    assert province["value"] == 8.4 and province["source_doc"] == SPEECHES
    for year, parts in ((2013, (10.4, 52.0, 37.6)), (2017, (9.9, 47.7, 42.4))):
        for indicator_id, value in zip(("primary_share", "secondary_share", "tertiary_share"), parts,
                                       strict=True):
            row = _obs(observations, indicator_id, year, measure="ratio_part").iloc[0]
            assert row["value"] == value


def test_relations_give_derived_rows(observations):
    assert _obs(observations, "rd_gdp_share", 2016, region="山东省", derived=True).iloc[0]["value"] == 2.33
    assert _obs(observations, "finance_va", 2013, derived=True).iloc[0]["value"] == pytest.approx(74.4)
    growth = _obs(observations, "gdp", 2017, measure="growth_avg").iloc[0]
    assert growth["value"] == 8 and growth["reference_year"] == 2013
    national = _obs(observations, "innovation_platforms_national", 2017).iloc[0]
    assert national["value"] == 28


def test_every_quote_is_verbatim_at_its_line(parsed):
    for frame in (parsed.targets, parsed.observations):
        for row in frame.to_dict("records"):
            raw = (DOCUMENTS / row["source_doc"]).read_text(encoding="utf-8").split("\n")
            assert row["source_quote"] in raw[row["source_line"] - 1], row


def test_anonymised_speech_yields_nothing(parsed):
    assert not (parsed.observations["source_doc"] == ANONYMISED).any()
    assert not (parsed.targets["source_doc"] == ANONYMISED).any()


def test_other_cities_numbers_are_not_dezhou(parsed):
    rows = pd.concat([parsed.observations, parsed.targets])
    rows = rows[rows["source_doc"] == INTERVIEWS]
    dezhou = rows[rows["region"] == "德州市"]
    assert set(dezhou["source_line"]) == {24}  # the Dezhou interview's paragraph only
    others = rows[rows["region"] != "德州市"]
    assert set(others["region"]) <= {"聊城市", "滨州市", "菏泽市"} and len(others) >= 3


def test_parsing_twice_gives_identical_files(tmp_path):
    from dezhou_analysis.stages import run_parse
    run_parse(DOCUMENTS, tmp_path / "a")
    run_parse(DOCUMENTS, tmp_path / "b")
    for name in ("plan_targets.csv", "plan_observations.csv", "data_dictionary.csv",
                 "parse_summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_unmatched_labels_are_kept_and_listed(parsed):
    unmatched = parsed.unmatched
    assert len(unmatched) > 0
    assert (parsed.targets["indicator_id"] == "").sum() + \
        (parsed.observations["indicator_id"] == "").sum() == len(unmatched)
    assert Path(DOCUMENTS / PLAN).exists()
