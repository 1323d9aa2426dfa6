"""Forecasts: P(target reached) where the answer is known, interval coverage over many synthetic
series, determinism, and honest refusals when there are too few points."""

import numpy as np
import pytest

from dezhou_analysis.assess.forecast import (
    LogLinearTrend,
    NotEnoughData,
    RandomWalkDrift,
    SeriesData,
    fit_all,
    from_scale,
    reached_on_paths,
    to_scale,
)


def trend_series(seed: int, n: int = 12, growth: float = 0.06, noise: float = 0.02) -> SeriesData:
    rng = np.random.default_rng(seed)
    years = np.arange(2019 - n + 1, 2020)
    values = 100 * np.exp(growth * np.arange(n) + rng.normal(0, noise, n))
    return SeriesData(years, values, [], "log")


def p_reached(data: SeriesData, target: float, kind: str = "at_least", year: int = 2025) -> float:
    combination = fit_all(data, seed=1)
    future = np.arange(data.years[-1] + 1, year + 1)
    paths = combination.simulate(future, 4000, np.random.default_rng(2))
    return reached_on_paths(paths, future, target, kind, "increase", 0.05, target_year=year).mean()


def test_p_reached_near_one_below_the_trend_and_near_zero_above():
    data = trend_series(3)
    trend_2025 = 100 * np.exp(0.06 * (2025 - data.years[0]))
    assert p_reached(data, 0.7 * trend_2025) > 0.95
    assert p_reached(data, 1.5 * trend_2025) < 0.05
    assert 0.2 < p_reached(data, trend_2025) < 0.8


def test_qualifiers_change_the_probability():
    data = trend_series(4)
    trend_2025 = 100 * np.exp(0.06 * (2025 - data.years[0]))
    at_least = p_reached(data, trend_2025 * 1.02, "at_least")
    approx = p_reached(data, trend_2025 * 1.02, "approx")
    at_most = p_reached(data, trend_2025 * 1.02, "at_most")
    assert approx > at_least
    assert at_most == pytest.approx(1 - at_least, abs=0.02)


def test_eighty_percent_intervals_cover_70_to_90_percent_of_held_out_points():
    hits = total = 0
    for seed in range(200):
        rng = np.random.default_rng(1000 + seed)
        n = 15
        years = np.arange(2005, 2005 + n)
        if seed % 2:
            z = np.log(100) + np.cumsum(rng.normal(0.05, 0.03, n))        # random walk with drift
        else:
            z = np.log(100) + 0.05 * np.arange(n) + rng.normal(0, 0.04, n)  # trend + noise
        values = np.exp(z)
        data = SeriesData(years[:10], values[:10], [], "log")
        paths = fit_all(data, seed=seed).simulate(years[10:], 1000, np.random.default_rng(seed))
        low, high = np.quantile(paths, [0.1, 0.9], axis=0)
        inside = (values[10:] >= low) & (values[10:] <= high)
        hits += int(inside.sum())
        total += len(inside)
    coverage = hits / total
    assert 0.70 <= coverage <= 0.90, coverage


def test_same_seed_same_paths():
    data = trend_series(5)
    a = fit_all(data, seed=9).simulate([2021, 2022], 500, np.random.default_rng(11))
    b = fit_all(data, seed=9).simulate([2021, 2022], 500, np.random.default_rng(11))
    assert np.array_equal(a, b)


def test_too_few_points_are_refused_with_reasons():
    data = SeriesData([2016, 2017], [5.0, 5.2], [], "logit")
    combination = fit_all(data)
    assert combination.results == []
    assert "needs 2 year-on-year changes" in combination.skipped["random walk with drift"]
    assert "needs 6 consecutive years" in combination.skipped["damped-trend ETS"]
    with pytest.raises(NotEnoughData):
        LogLinearTrend().fit(data)


def test_changes_across_a_statistical_break_are_not_growth():
    years = np.array([2014, 2015, 2016, 2017, 2019, 2020, 2021])
    values = np.array([100, 105, 110.25, 115.76, 90, 94.5, 99.2])  # a 20 % revision in 2019
    data = SeriesData(years, values, [0, 0, 0, 0, 1, 1, 1], "log")
    paths = RandomWalkDrift().fit(data).simulate([2022], 4000, np.random.default_rng(0))
    assert np.median(paths) == pytest.approx(99.2 * 1.05, rel=0.02)


def test_scales_round_trip():
    x = np.array([0.5, 12.0, 99.0])
    for scale in ("log", "logit", "identity"):
        assert np.allclose(from_scale(to_scale(x, scale), scale), x)


def test_two_changes_on_a_log_scale_give_finite_paths_without_warnings():
    """σ drawn per path has a heavy tail with one degree of freedom; it must not overflow."""
    import warnings

    from dezhou_analysis.assess.forecast import RandomWalkDrift
    data = SeriesData(np.array([2015, 2016, 2017]), np.array([100.0, 180.0, 200.0]), [], "log")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = RandomWalkDrift().fit(data).simulate(np.arange(2018, 2031), 100_000, np.random.default_rng(1))
    assert np.isfinite(paths).all()
