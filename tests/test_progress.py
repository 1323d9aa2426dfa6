"""Each monitor's category reproduces hand-computed examples from its published definition.

- Eurostat, "Sustainable development in the European Union — monitoring report", methodological
  annex: ratio of actual to required compound annual growth over the assessment period;
  ≥95 % significant, 60–95 % moderate, 0–60 % insufficient, < 0 movement away; ≥3 data points.
- UN Statistics Division, "SDG Progress Chart — Technical Note": CAGR from the baseline projected
  to the target year, completion ratio (projected − baseline) / (target − baseline); ≥0.95,
  0.10–0.95, < 0.10, < 0 deterioration.
- Destatis, German Sustainable Development Strategy indicator report ("weather symbols"): the
  average annual change of the last five years extrapolated; the share of the remaining gap
  missed < 5 %, 5–20 %, > 20 %, wrong direction.
- Chinese mid-term evaluation rule 时间过半、任务过半: progress share against elapsed share.
"""

import numpy as np
import pytest

from dezhou_analysis.assess import monitors as progress

YEARS = np.array([2015, 2016, 2017, 2018, 2019])
GROWING = 100 * 1.04 ** np.arange(5)  # 4 % a year: 100 … 116.985856


@pytest.mark.parametrize("target,category,ratio", [
    (150, "significant progress", 4.0 / (1.5 ** 0.1 * 100 - 100)),   # required 4.138 %/yr
    (160, "moderate progress", 4.0 / (1.6 ** 0.1 * 100 - 100)),      # required 4.812 %/yr
    (200, "insufficient progress", 4.0 / (2.0 ** 0.1 * 100 - 100)),  # required 7.177 %/yr
])
def test_eurostat_ratio_of_observed_to_required_growth(target, category, ratio):
    cat = progress.eurostat(YEARS, GROWING, target, 2025, compound=True, met=False)
    assert cat.category == category
    assert cat.value == pytest.approx(ratio, rel=1e-6)


def test_eurostat_movement_away_target_met_and_minimum_data():
    falling = GROWING[::-1]
    assert progress.eurostat(YEARS, falling, 150, 2025, True, False).category == "movement away"
    assert progress.eurostat(YEARS, GROWING, 110, 2025, True, True).category == "target met"
    unable = progress.eurostat(YEARS[-2:], GROWING[-2:], 150, 2025, True, False)
    assert unable.category == progress.UNABLE and "needs at least 3" in unable.note


@pytest.mark.parametrize("target,category,ratio", [
    (150, "on track", (100 * 1.04 ** 10 - 100) / 50),               # 0.9605
    (200, "fair progress, acceleration needed", (100 * 1.04 ** 10 - 100) / 100),  # 0.480
    (1000, "limited or no progress", (100 * 1.04 ** 10 - 100) / 900),  # 0.053
])
def test_unsd_completion_ratio(target, category, ratio):
    cat = progress.unsd(YEARS, GROWING, target, 2025, 2015, compound=True, met=False)
    assert cat.category == category
    assert cat.value == pytest.approx(ratio, rel=1e-9)


def test_unsd_deterioration():
    cat = progress.unsd(YEARS, GROWING[::-1], 150, 2025, 2015, True, False)
    assert cat.category == "deterioration" and cat.value < 0


@pytest.mark.parametrize("target,category", [
    (150, "clear deviation (cloud)"),            # missed (150 − 142.46) / 33.01 = 22.8 %
    (145, "slight deviation (sun and cloud)"),   # missed (145 − 142.46) / 28.01 = 9.1 %
    (142.5, "on track (sun)"),                   # missed 0.13 %
])
def test_destatis_share_of_remaining_gap_missed(target, category):
    cat = progress.destatis(YEARS, GROWING, target, 2025, "increase", met=False)
    assert cat.category == category
    change = (GROWING[-1] - GROWING[0]) / 4
    projected = GROWING[-1] + 6 * change
    assert cat.value == pytest.approx(max(0, (target - projected) / (target - GROWING[-1])))


def test_destatis_wrong_direction():
    cat = progress.destatis(YEARS, GROWING[::-1], 150, 2025, "increase", met=False)
    assert cat.category == "wrong direction (thunderstorm)"


@pytest.mark.parametrize("latest,category", [
    (75, "on schedule (符合进度)"),     # half the way with 40 % of the time
    (60, "behind schedule (滞后)"),     # 20 % of the way with 40 % of the time
    (45, "moving away (逆向)"),
])
def test_midterm_half_time_half_task(latest, category):
    cat = progress.midterm(2017, 50.0, 2019, latest, 100.0, 2022, met=False)
    assert cat.category == category
    assert cat.value == pytest.approx((latest - 50) / 50)


def test_midterm_needs_a_base_value():
    assert progress.midterm(None, None, 2019, 3.0, 5.0, 2022, False).category == progress.UNABLE


def test_target_met_reads_the_qualifier():
    assert progress.target_met(7.7, 8, "approx", "increase", 0.05)
    assert not progress.target_met(7.5, 8, "approx", "increase", 0.05)
    assert progress.target_met(81.7, 60, "at_least", "increase", 0.05)
    assert progress.target_met(4.0, 5, "at_most", "increase", 0.05)
    assert not progress.target_met(5.5, 5, "at_most", "increase", 0.05)
    assert progress.target_met(3.0, 4.0, "point", "decrease", 0.05)


def test_official_review_wording_follows_time_elapsed_against_way_done():
    from dezhou_analysis.reports.target_reachability import review_wording
    half = {"elapsed_share": 0.5, "latest_year": 2020, "target_year": 2022}
    assert review_wording({**half, "midterm_category": "on schedule (符合进度)", "midterm_value": 0.7})[0] == "快于预期"
    assert review_wording({**half, "midterm_category": "on schedule (符合进度)", "midterm_value": 0.5})[0] == "基本符合预期"
    assert review_wording({**half, "midterm_category": "behind schedule (滞后)", "midterm_value": 0.3})[0] == "滞后"
    assert review_wording({**half, "midterm_category": "target met (已完成)", "midterm_value": None})[0] == "提前实现"
    assert review_wording({**half, "midterm_category": "unable to assess", "midterm_value": None}) == ("", "")
