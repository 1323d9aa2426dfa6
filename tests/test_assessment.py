"""The assessment on the shipped data (every target has a row and a reason) and ex post, with a
yearbook file that reaches 2022: verdicts, Brier scores and whether each method called it."""

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dezhou_analysis.assess.assessor import ASSESSMENT_COLUMNS, Assessor
from dezhou_analysis.panel import build_panel
from dezhou_analysis.yearbook.reader import read_yearbooks
from tests.conftest import YEARBOOK

LATER = """指标,地区,年份,数值,单位,备注
一般公共预算收入占GDP比重,德州市,2013,5.5,%,post-census series
一般公共预算收入占GDP比重,德州市,2014,5.7,%,post-census series
一般公共预算收入占GDP比重,德州市,2015,5.8,%,post-census series
一般公共预算收入占GDP比重,德州市,2016,6.0,%,post-census series
一般公共预算收入占GDP比重,德州市,2017,6.1,%,post-census series
一般公共预算收入占GDP比重,德州市,2018,6.3,%,post-census series
一般公共预算收入占GDP比重,德州市,2019,6.5,%,post-census series
一般公共预算收入占GDP比重,德州市,2020,6.7,%,post-census series
一般公共预算收入占GDP比重,德州市,2021,6.9,%,post-census series
一般公共预算收入占GDP比重,德州市,2022,7.1,%,post-census series
高新技术企业数量,德州市,2015,250,家,
高新技术企业数量,德州市,2016,290,家,
高新技术企业数量,德州市,2017,338,家,
高新技术企业数量,德州市,2018,410,家,
高新技术企业数量,德州市,2019,480,家,
高新技术企业数量,德州市,2020,560,家,
高新技术企业数量,德州市,2021,640,家,
高新技术企业数量,德州市,2022,720,家,
"""


@pytest.fixture(scope="module")
def assessment(parsed):
    yearbook = read_yearbooks(sorted(YEARBOOK.glob("*.csv")), default_region="德州市")
    panel = build_panel(parsed.observations, yearbook)
    return Assessor(parsed.targets, panel.observations, n_paths=1000).fit()


def test_every_target_has_a_row_and_every_unassessed_one_says_why(parsed, assessment):
    frame = assessment.frame
    assert list(frame.columns) == ASSESSMENT_COLUMNS
    keys = {(r.indicator_id or r.label, r.region, r.target_year, r.target_value, r.target_kind,
             r.target_measure, r.every_year) for r in parsed.targets.itertuples()}
    assert len(frame) == len(keys)
    unable = frame[frame["status"] == "unable to assess"]
    assert unable["status_reason"].str.len().min() > 5
    assert frame["target_id"].is_unique


def test_shipped_data_calls(assessment):
    frame = assessment.frame.set_index("indicator_id")
    energy = frame.loc["energy_intensity_reduction"]
    assert energy["eurostat_category"] == "movement away" and energy["status"] == "off track"
    assert frame.loc["three_products_area_share", "eurostat_category"] == "target met"
    budget = frame.loc["budget_revenue_gdp_share"]
    assert budget["break_note"] and "statistical break" in budget["eurostat_note"]


def test_deterministic_for_a_seed(parsed):
    yearbook = read_yearbooks(sorted(YEARBOOK.glob("*.csv")), default_region="德州市")
    panel = build_panel(parsed.observations, yearbook)
    a = Assessor(parsed.targets, panel.observations, seed=7, n_paths=800).fit().frame
    b = Assessor(parsed.targets, panel.observations, seed=7, n_paths=800).fit().frame
    pd.testing.assert_frame_equal(a, b)


def test_assessing_some_targets_gives_their_rows_of_the_full_assessment(parsed, assessment):
    """The "when did it become clear" strip refits only the forecast targets, once per year:
    each keeps its id and its random stream, so its row is the full assessment's."""
    yearbook = read_yearbooks(sorted(YEARBOOK.glob("*.csv")), default_region="德州市")
    panel = build_panel(parsed.observations, yearbook)
    full = assessment.frame
    chosen = set(full.loc[full["p_reached"].notna(), "target_id"])
    assert len(chosen) >= 2
    part = Assessor(parsed.targets, panel.observations, n_paths=1000).fit(only=chosen).frame

    def rows(frame):  # the values, whatever dtype the other rows gave a column
        return [{k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in r.items()}
                for r in frame.to_dict("records")]
    assert rows(part) == rows(full[full["target_id"].isin(chosen)])


@pytest.fixture(scope="module")
def with_2022(parsed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("later")
    (folder / "later.csv").write_text(LATER, encoding="utf-8")
    yearbook = read_yearbooks(sorted(YEARBOOK.glob("*.csv")) + [folder / "later.csv"],
                              default_region="德州市", today=dt.date(2026, 1, 1))
    assert yearbook.issues == []
    return build_panel(parsed.observations, yearbook)


def test_ex_post_verdicts_and_scores_of_the_2019_call(parsed, with_2022):
    latest = Assessor(parsed.targets, with_2022.observations, n_paths=1000).fit().frame
    latest = latest.set_index("indicator_id")
    assert latest.loc["hightech_enterprises", "verdict"] == "met"
    assert latest.loc["hightech_enterprises", "status"] == "met"
    assert latest.loc["budget_revenue_gdp_share", "verdict"] == "missed"  # 7.1 < 8 − 5 %
    earlier = Assessor(parsed.targets, with_2022.observations, as_of=2019, n_paths=2000)
    frame = earlier.fit().frame.set_index("indicator_id")
    high = frame.loc["hightech_enterprises"]
    assert high["latest_year"] == 2019 and high["realised_value"] == 720
    assert high["p_reached"] > 0.5 and high["brier"] == pytest.approx((high["p_reached"] - 1) ** 2)
    assert bool(high["called_eurostat"]) is True
    budget = frame.loc["budget_revenue_gdp_share"]
    assert budget["p_reached"] < 0.5 and budget["brier"] == pytest.approx(budget["p_reached"] ** 2)
    assert budget["status"] in ("off track", "uncertain")


def test_ratio_targets_from_parts_and_growth_targets_ex_post(parsed, tmp_path):
    """A later yearbook gives budget revenue and GDP (not their ratio) and investment growth."""
    rows = ["指标,地区,年份,数值,单位,备注"]
    for year, revenue, gdp in ((2020, 208.5, 3078.99), (2021, 230.2, 3488.77), (2022, 241.1, 3633.00)):
        rows += [f"一般公共预算收入,德州市,{year},{revenue},亿元,", f"地区生产总值,德州市,{year},{gdp},亿元,post-census"]
    for year, growth in ((2018, 6.1), (2019, 5.2), (2020, 4.8), (2021, 7.0), (2022, 6.4)):
        rows.append(f"固定资产投资增速,德州市,{year},{growth},%,")
    path = tmp_path / "later.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    yearbook = read_yearbooks(sorted(YEARBOOK.glob("*.csv")) + [path], default_region="德州市",
                              today=dt.date(2026, 1, 1))
    panel = build_panel(parsed.observations, yearbook)
    share = panel.series("budget_revenue_gdp_share", "德州市").set_index("year")
    assert share.loc[2022, "source"] == "derived"
    assert share.loc[2022, "value"] == pytest.approx(241.1 / 3633.0 * 100, rel=1e-4)
    frame = Assessor(parsed.targets, panel.observations, n_paths=500).fit().frame.set_index("indicator_id")
    assert frame.loc["budget_revenue_gdp_share", "verdict"] == "missed"
    investment = frame.loc["fixed_asset_investment"]
    expected = (np.prod([1.061, 1.052, 1.048, 1.070, 1.064]) ** 0.2 - 1) * 100
    assert investment["realised_value"] == pytest.approx(expected) and investment["verdict"] == "met"


def test_a_period_total_of_annual_rates_is_compounded_not_compared_with_one_year():
    """单位地区生产总值能源消耗降低〔15〕 over 2021–2025: the annual reductions compound."""
    from dezhou_analysis.assess.cumulative import annual_equivalent, compounded
    from dezhou_analysis.documents.reader import parse_text
    plan = parse_text("表1 主要指标\n指标\t单位\t2020年\t2025年\n1.单位地区生产总值能源消耗降低\t%\t—\t〔15〕\n",
                      "plan.txt", {"kind": "plan", "date": "2021-03-01", "region": "德州市"})
    target = plan.targets.iloc[0]
    assert (target["indicator_id"], target["target_value"], bool(target["cumulative"])) == (
        "energy_intensity_reduction", 15, True)

    def assessed(rates: dict[int, float], as_of: int | None = None) -> pd.Series:
        rows = ["指标,地区,年份,数值,单位"] + [f"万元地区生产总值能耗降低,德州市,{y},{r},%" for y, r in rates.items()]
        path = Path(tempfile.mkdtemp()) / "energy.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        panel = build_panel(plan.observations, read_yearbooks([path], default_region="德州市",
                                                               today=dt.date(2026, 1, 1)))
        return Assessor(plan.targets, panel.observations, n_paths=2000, as_of=as_of).fit().frame.iloc[0]

    # three years of 4 %: 11.5 % done; 4 % a year more reaches 18.5 %
    so_far = assessed({2021: 4.0, 2022: 4.0, 2023: 4.0})
    assert so_far["observed_rate_all"] == pytest.approx(4.0)
    assert so_far["required_rate"] == pytest.approx(annual_equivalent(15, 5))
    assert so_far["p_reached"] > 0.9 and so_far["status"] == "on track"
    assert so_far["midterm_category"].startswith("on schedule")
    # five years of 2 %: 9.6 %, not 15: missed (though each year's 2 % is far below 15 either way)
    done = assessed({2021: 2.0, 2022: 2.0, 2023: 2.0, 2024: 2.0, 2025: 2.0})
    assert done["realised_value"] == pytest.approx(compounded(np.full(5, 2.0)))
    assert done["verdict"] == "missed"
    # a year missing in between: said, not guessed
    gap = assessed({2021: 4.0, 2023: 4.0})
    assert gap["status"] == "unable to assess" and "missing 2022" in gap["status_reason"]


def test_no_confident_call_from_three_values_five_years_ahead_and_none_across_a_break(parsed, with_2022):
    """As of 2019 the urbanization rate had three values for a 2024 target: the call cannot be
    confident. R&D had one value on the new basis after the 2019 revision: nothing is fitted or
    compared across the break."""
    frame = Assessor(parsed.targets, with_2022.observations, as_of=2019, n_paths=2000).fit().frame
    short = frame[(frame["n_points"] == 3) & (frame["years_left"] == 5) & frame["p_reached"].notna()]
    assert len(short) >= 1
    assert short["p_reached"].between(0.1, 0.9).all(), short[["indicator_id", "p_reached"]]
    rd = frame.set_index("indicator_id").loc["rd_gdp_share"]
    assert "statistical break" in rd["break_note"] and pd.isna(rd["observed_rate_all"])
    assert pd.isna(rd["p_reached"]) or "since the statistical break" in rd["models_skipped"]
