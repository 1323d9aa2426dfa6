"""Which value a panel cell keeps, and what conflicts.csv says about the other one (the rule the
README states): yearbook over plan; an official statistics source over a secondary one; a later
file over an earlier one; a later row over an earlier one; values equal within rounding are one."""

import datetime as dt

import pandas as pd
import pytest

from dezhou_analysis.assess.assessor import Assessor
from dezhou_analysis.core.contracts import TABLES
from dezhou_analysis.panel import build_panel, is_official
from dezhou_analysis.stages import describe_conflict
from dezhou_analysis.yearbook.reader import read_yearbooks

HEAD = "指标,地区,年份,数值,单位,来源\n"
BULLETIN = "德州市统计局《2020年德州市国民经济和社会发展统计公报》"
SUMMARY = "https://one.qiip.cc/3699.html"


def panel_of(tmp_path, files: dict[str, str], plan: pd.DataFrame | None = None):
    paths = []
    for name, body in files.items():
        path = tmp_path / name
        path.write_text(HEAD + body, encoding="utf-8")
        paths.append(path)
    result = read_yearbooks(paths, default_region="德州市", today=dt.date(2026, 11, 21))
    return result, build_panel(plan, result)


def kept(panel, indicator="gdp", period="2020", measure="level") -> float:
    obs = panel.observations
    row = obs[(obs["indicator_id"] == indicator) & (obs["period"] == period) & (obs["measure"] == measure)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


def test_official_statistics_source_over_a_secondary_one_whatever_the_order(tmp_path):
    result, panel = panel_of(tmp_path, {"a.csv": f"地区生产总值,德州市,2020,3078.99,亿元,{BULLETIN}\n"
                                                 f"地区生产总值,德州市,2020,3080.5,亿元,{SUMMARY}\n"})
    assert kept(panel) == 3078.99
    conflict = panel.conflicts.iloc[0]
    assert conflict["rule"] == "an official statistics source over a secondary one"
    assert BULLETIN in conflict["kept_source"] and SUMMARY in conflict["other_source"]
    assert result.warnings == []  # two sources: a conflict, not a warning


def test_the_same_source_giving_two_values_is_a_warning_naming_both_rows(tmp_path):
    result, panel = panel_of(tmp_path, {"a.csv": f"地区生产总值,德州市,2020,3078.99,亿元,{SUMMARY}\n"
                                                 f"地区生产总值,德州市,2020,3080.5,亿元,{SUMMARY}\n"})
    assert kept(panel) == 3080.5
    assert panel.conflicts.iloc[0]["rule"] == "a later row over an earlier one"
    warning = str(result.warnings[0])
    assert "row 2" in warning and "row 3" in warning and "same source" in warning


def test_a_later_file_over_an_earlier_one(tmp_path):
    _, panel = panel_of(tmp_path, {"old.csv": "地区生产总值,德州市,2020,3080.5,亿元,\n",
                                   "new.csv": "地区生产总值,德州市,2020,3078.99,亿元,\n"
                                              "地区生产总值,德州市,2021,3488.7,亿元,\n"})
    assert kept(panel) == 3078.99  # new.csv reaches 2021: the later edition
    assert panel.conflicts.iloc[0]["rule"] == "a later file over an earlier one"


def test_identical_and_rounded_duplicates_are_one_value_without_a_conflict(tmp_path):
    result, panel = panel_of(tmp_path, {"a.csv": f"地区生产总值,德州市,2020,3078.99,亿元,{SUMMARY}\n"
                                                 f"地区生产总值,德州市,2020,3078.99,亿元,{BULLETIN}\n"
                                                 f"地区生产总值,德州市,2020,3079,亿元,{BULLETIN}\n"})
    assert kept(panel) == 3078.99 and panel.conflicts.empty
    assert result.issues == [] and result.warnings == []
    assert sorted(panel.exclusions["kind"]) == ["duplicate", "duplicate"]


def test_a_yearbook_value_over_the_plans_and_conflicts_say_what_the_values_are(tmp_path, observations):
    _, panel = panel_of(tmp_path, {"a.csv": f"城镇居民人均可支配收入增速,德州市,2017,7.9,%,{SUMMARY}\n"},
                        observations)
    assert kept(panel, "urban_disposable_income", "2017", "growth_yoy") == 7.9  # the plan says 8.3
    conflict = panel.conflicts[panel.conflicts["measure"] == "growth_yoy"].iloc[0].to_dict()
    assert conflict["rule"] == "a yearbook value over the plan's"
    assert "plan (" in conflict["other_source"]
    assert "(growth rates on the year before)" in describe_conflict(conflict)


def test_conflicts_csv_has_the_contracts_columns(tmp_path):
    _, panel = panel_of(tmp_path, {"a.csv": f"地区生产总值,德州市,2020,3078.99,亿元,{BULLETIN}\n"
                                            f"地区生产总值,德州市,2020,3080.5,亿元,{SUMMARY}\n"})
    assert list(panel.conflicts.columns) == [name for name, _, _ in TABLES["conflicts"]]
    assert list(panel.observations.columns)[-1] == "origin"
    assert panel.conflicts.iloc[0]["difference"] == pytest.approx(3078.99 - 3080.5)


@pytest.mark.parametrize("origin,official", [
    (BULLETIN, True), ("山东省统计局", True), ("Dezhou Statistical Yearbook 2021", True),
    ("http://tjj.dezhou.gov.cn/n1/art.html", True), (SUMMARY, False), ("大众网", False), ("", False)])
def test_what_counts_as_an_official_statistics_source(origin, official):
    assert is_official(origin) is official


# -- a target is judged at its target year ----------------------------------------------------

SERIES = ("高新技术企业数量,德州市,2018,420,家,\n高新技术企业数量,德州市,2019,480,家,\n"
          "高新技术企业数量,德州市,2020,540,家,\n高新技术企业数量,德州市,2021,611,家,\n")


def _assess(tmp_path, targets, observations, body: str) -> dict:
    _, panel = panel_of(tmp_path, {"h.csv": body}, observations)
    target = targets[targets["indicator_id"] == "hightech_enterprises"]
    assessment = Assessor(target, panel.observations, n_paths=400).fit()
    return assessment.frame.iloc[0].to_dict()


def test_a_value_after_the_target_year_never_decides_it(tmp_path, targets, observations):
    without = _assess(tmp_path, targets, observations, SERIES)
    later = _assess(tmp_path, targets, observations, SERIES + "高新技术企业数量,德州市,2025,1200,家,\n")
    assert later["latest_year"] == 2021 and later["verdict"] is None
    assert later["status"] not in ("met", "missed")
    same = ["latest_year", "latest_value", "p_reached", "verdict", "status", "eurostat_category",
            "unsd_category", "destatis_category", "midterm_category", "forecast_median"]
    assert {k: later[k] for k in same} == {k: without[k] for k in same}


def test_with_data_reaching_the_target_year_the_verdict_is_the_target_years(tmp_path, targets,
                                                                            observations):
    reached = _assess(tmp_path, targets, observations,
                      SERIES + "高新技术企业数量,德州市,2022,700,家,\n高新技术企业数量,德州市,2024,500,家,\n")
    assert (reached["realised_year"], reached["realised_value"], reached["latest_year"]) == (2022, 700, 2022)
    assert reached["status"] == "met"
    missed = _assess(tmp_path, targets, observations,
                     SERIES + "高新技术企业数量,德州市,2022,650,家,\n高新技术企业数量,德州市,2023,900,家,\n")
    assert (missed["realised_value"], missed["status"]) == (650, "missed")
