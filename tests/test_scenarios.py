"""Ratio targets from their parts: the grid is tidy and its arithmetic is the ratio's."""

import pytest

from dezhou_analysis.assess.scenarios import RatioBase, ratio_grid, required_numerator_growth


def base() -> RatioBase:
    return RatioBase("budget_revenue_gdp_share", "budget_revenue", "gdp", 2019, 206.2, 3022.27, "post-census")


def test_grid_is_tidy_and_computes_the_ratio():
    grid = ratio_grid(base(), 8.0, 2022, "approx", "increase", 0.05, [0.0, 10.0], [0.0, 5.0])
    assert list(grid.columns) == ["indicator_id", "base_year", "base_ratio", "numerator_growth",
                                  "denominator_growth", "target_year", "ratio", "target", "clears"]
    assert len(grid) == 4
    row = grid[(grid["numerator_growth"] == 10.0) & (grid["denominator_growth"] == 5.0)].iloc[0]
    assert row["ratio"] == pytest.approx(206.2 / 3022.27 * 100 * (1.10 / 1.05) ** 3)
    flat = grid[(grid["numerator_growth"] == 0.0) & (grid["denominator_growth"] == 0.0)].iloc[0]
    assert flat["ratio"] == pytest.approx(6.8227, abs=1e-4) and not flat["clears"]


def test_required_growth_just_reaches_the_target():
    needed = required_numerator_growth(base(), 8.0, 2022, [0.0, 4.0])
    for row in needed.itertuples():
        grid = ratio_grid(base(), 8.0, 2022, "at_least", "increase", 0.0,
                          [row.required_numerator_growth], [row.denominator_growth])
        assert grid["ratio"].iloc[0] == pytest.approx(8.0)
