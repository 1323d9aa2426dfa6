"""Splicing across a statistical break: where an overlap year gives a value on both bases, the
old values are linked to the new basis by the overlap ratio and the whole series is used;
without one, only the latest basis is, as before. The shipped data has no overlap year, so the
case is built: a GDP series revised downwards from 2018 by an economic census, with 2018 on
both bases, as a yearbook that restates the census year gives it."""

import numpy as np
import pandas as pd
import pytest

from dezhou_analysis.assess.assessor import Assessor
from dezhou_analysis.assess.splice import splice
from dezhou_analysis.core.contracts import conform

PRE = {2012: 2230.0, 2013: 2460.0, 2014: 2596.0, 2015: 2750.0, 2016: 2933.0, 2017: 3141.0, 2018: 3380.0}
POST = {2018: 2942.0, 2019: 3022.0, 2020: 3079.0, 2021: 3489.0}
RATIO = POST[2018] / PRE[2018]


def observation(year: int, value: float, basis: str, indicator: str = "gdp", unit: str = "亿元") -> dict:
    return {"indicator_id": indicator, "region": "德州市", "year": year, "period": str(year),
            "period_kind": "annual", "value": value, "unit": unit, "measure": "level",
            "basis": basis, "source": "yearbook", "source_detail": "", "note": "", "origin": "yearbook"}


def gdp_panel(overlap: bool = True) -> pd.DataFrame:
    rows = [observation(y, v, "pre-census") for y, v in PRE.items() if overlap or y < 2018]
    rows += [observation(y, v, "post-census") for y, v in POST.items()]
    return conform(pd.DataFrame(rows), "observations")


def gdp_target(target: float = 4600.0, base_year: int = 2017, base_value: float = PRE[2017]) -> pd.DataFrame:
    row = {"indicator_id": "gdp", "name_zh": "地区生产总值", "name_en": "GDP", "category": "综合实力",
           "unit": "亿元", "base_year": base_year, "base_value": base_value, "target_year": 2024,
           "target_value": target, "target_kind": "at_least", "target_measure": "level",
           "target_text": "4600亿元以上", "direction": "increase", "region": "德州市", "label": "地区生产总值",
           "source_section": "table", "source_doc": "test", "source_line": 1, "source_quote": "test"}
    return conform(pd.DataFrame([row]), "plan_targets")


def assessed(observations: pd.DataFrame, **target) -> pd.Series:
    return Assessor(gdp_target(**target), observations, n_paths=4000).fit().frame.iloc[0]


def test_an_overlap_year_splices_the_old_basis_onto_the_new_and_says_so():
    row = assessed(gdp_panel())
    assert f"spliced at 2018 by the overlap ratio {RATIO:.3g}" in row["break_note"]
    assert "pre-census → post-census" in row["break_note"]
    # the average growth runs over the spliced 2012–2021 series, not the 2018–2021 stretch
    expected = ((POST[2021] / (PRE[2012] * RATIO)) ** (1 / 9) - 1) * 100
    assert row["observed_rate_all"] == pytest.approx(expected, rel=1e-6)
    assert "fitted to the spliced 2012–2021 series" in row["models_skipped"]
    assert row["n_points"] == 10 and row["latest_value"] == POST[2021]
    # the mid-term rule reads the plan's base value on the new basis
    assert f"× {RATIO:.3g}" in row["midterm_note"]
    progress = (POST[2021] - PRE[2017] * RATIO) / (4600 - PRE[2017] * RATIO)
    assert row["midterm_value"] == pytest.approx(progress, rel=1e-6)


def test_the_spliced_forecast_is_the_forecast_of_the_spliced_series():
    """Ten values on one basis instead of four: the fan is the one assess_series gives for the
    linked values (same models, same error-table row), not the four-value one."""
    import dezhou_analysis
    row = assessed(gdp_panel())
    years = np.array(sorted(set(PRE) | set(POST)))
    linked = [PRE[y] * RATIO if y < 2018 else POST[y] for y in years]
    single = dezhou_analysis.assess_series(years, linked, target_year=2024, target_value=4600.0, n_paths=4000)
    assert row["forecast_median"] == pytest.approx(single.quantiles.loc[2024, 0.5], rel=0.01)
    assert row["forecast_high80"] == pytest.approx(single.quantiles.loc[2024, 0.9], rel=0.02)
    assert row["p_reached"] == pytest.approx(single.p_reached, abs=0.03)
    # four values since the break alone give a different forecast
    short = dezhou_analysis.assess_series(years[-4:], linked[-4:], target_year=2024, target_value=4600.0,
                                          n_paths=4000)
    assert abs(short.quantiles.loc[2024, 0.9] - row["forecast_high80"]) > 0.02 * row["forecast_high80"]


def test_without_an_overlap_year_only_the_latest_basis_is_used_as_before():
    row = assessed(gdp_panel(overlap=False))
    assert "spliced" not in row["break_note"]
    assert "rates use the 2018–2021 values on the latest basis" in row["break_note"]
    assert row["observed_rate_all"] == pytest.approx(((POST[2021] / POST[2018]) ** (1 / 3) - 1) * 100)
    assert row["midterm_category"] == "unable to assess"
    assert "since the statistical break in 2018" in row["models_skipped"]


def test_as_of_before_the_overlap_year_sees_no_break_and_no_splice():
    row = Assessor(gdp_target(), gdp_panel(), n_paths=1000, as_of=2017).fit().frame.iloc[0]
    assert pd.isna(row["break_note"]) and row["latest_value"] == PRE[2017]


def test_two_breaks_chain_and_a_break_without_overlap_stops_the_link():
    years = np.arange(2010, 2020)
    values = np.array([10, 11, 12, 20, 22, 24, 26, 13, 14, 15], dtype=float)
    bases = ["a"] * 3 + ["b"] * 4 + ["c"] * 3
    rows = pd.DataFrame({"year": [2013, 2013, 2017, 2017], "value": [13.0, 20.0, 28.0, 14.0],
                         "basis": ["a", "b", "b", "c"]})
    linked = splice(years, values, bases, rows)
    assert linked.links == 2 and list(linked.years) == list(years)
    b_to_c, a_to_b = 14.0 / 28.0, 20.0 / 13.0
    assert linked.values[:3] == pytest.approx(values[:3] * a_to_b * b_to_c)
    assert linked.values[3:7] == pytest.approx(values[3:7] * b_to_c)
    assert linked.factor_for(2011) == pytest.approx(a_to_b * b_to_c) and linked.factor_for(2018) == 1.0
    # without the a/b overlap only b is linked, and the note says why a is left out
    partial = splice(years, values, bases, rows[rows["basis"] != "a"])
    assert partial.links == 1 and list(partial.years) == list(range(2013, 2020))
    assert partial.factor_for(2011) is None
    assert "the values before 2013 are left out" in partial.notes[-1]


def test_a_yearbook_that_restates_the_census_year_is_spliced_through_the_panel(tmp_path):
    """The yearbook reader reads the basis from the note, the panel keeps both 2018 values (the
    basis splits GDP's cells), and the assessment splices them."""
    import datetime as dt

    from dezhou_analysis.panel import build_panel
    from dezhou_analysis.yearbook.reader import read_yearbooks
    rows = ["指标,地区,年份,数值,单位,备注"]
    rows += [f"地区生产总值,德州市,{y},{v},亿元,pre-census" for y, v in PRE.items()]
    rows += [f"地区生产总值,德州市,{y},{v},亿元,post-census" for y, v in POST.items()]
    path = tmp_path / "gdp.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    yearbook = read_yearbooks([path], default_region="德州市", today=dt.date(2026, 1, 1))
    panel = build_panel(conform(pd.DataFrame(), "plan_observations"), yearbook)
    gdp = panel.observations[panel.observations["indicator_id"] == "gdp"]
    assert sorted(gdp.loc[gdp["year"] == 2018, "basis"]) == ["post-census", "pre-census"]
    row = assessed(panel.observations)
    assert row["break_note"].startswith(f"spliced at 2018 by the overlap ratio {RATIO:.3g}")
