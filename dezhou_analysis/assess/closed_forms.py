"""Cheap fits of the small models short annual series allow, with statsmodels as the reference.

A series of twelve annual values supports a handful of parameters; estimating them through
statsmodels' general optimisers costs a quarter of a second a series, most of the time of an
assessment of fifty targets. The Theta method (Hyndman & Billah 2003, as statsmodels'
`ThetaModel` fits it with its default two-step estimation) needs only an OLS slope, which has a
closed form, and the smoothing constant of simple exponential smoothing, a single number in
[0, 1] whose sum of squared one-step errors is found here by a grid refined around its best
point, vectorised over the candidates with numpy.

`theta_reference` fits the same model with statsmodels; tests/test_forecast.py checks on real
annual series that the two agree (point forecasts within 1 % of the series' yearly spread).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

#: candidates per round of the smoothing-constant search, and the rounds: each round narrows
#: the interval to two grid steps around the best point, so 5 rounds of 41 reach ~1e-7
SES_GRID, SES_ROUNDS = 41, 5


def ses_errors(z: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum of squared one-step errors and final level of simple exponential smoothing started
    at the first value (statsmodels' `initial_level=y[0]`, "known"), for every α at once."""
    level = np.full(len(alphas), float(z[0]))
    sse = np.zeros(len(alphas))
    for value in z:
        error = value - level
        sse += error * error
        level = level + alphas * error
    return sse, level


def ses_fit(z: np.ndarray) -> tuple[float, float]:
    """The smoothing constant α ∈ [0, 1] with the least squared one-step errors, and the level
    it leaves (the one-step forecast). A grid, not a local optimiser: no start value to choose,
    and the sum of squares of a short series can have more than one dip."""
    z = np.asarray(z, dtype=float)
    low, high = 0.0, 1.0
    for _ in range(SES_ROUNDS):
        grid = np.linspace(low, high, SES_GRID)
        sse, _ = ses_errors(z, grid)
        best = int(np.argmin(sse))
        step = grid[1] - grid[0]
        low, high = max(grid[best] - step, 0.0), min(grid[best] + step, 1.0)
    alpha = float(grid[best])
    _, level = ses_errors(z, np.array([alpha]))
    return alpha, float(level[0])


def ols_slope(z: np.ndarray) -> float:
    """The slope of z on time (0, 1, …): the trend line's yearly change."""
    z = np.asarray(z, dtype=float)
    t = np.arange(len(z), dtype=float)
    t -= t.mean()
    return float(t @ (z - z.mean()) / (t @ t))


@dataclass(frozen=True)
class ThetaFit:
    """The Theta method's parameters: the trend slope b0, the smoothing constant α, the
    smoothed level after the last value and the number of values."""

    b0: float
    alpha: float
    level: float
    n: int

    def forecast(self, steps: int) -> np.ndarray:
        """Point forecasts 1…steps ahead: the smoothed level plus half the trend line's slope,
        with statsmodels' adjustment for the smoothing's lag, (1 − (1 − α)ⁿ)/α (its limit n at
        α = 0, where statsmodels' own formula jumps)."""
        h = np.arange(steps, dtype=float)
        a = self.alpha
        h += (1 - (1 - a) ** self.n) / a if a > 0 else float(self.n)
        return self.level + 0.5 * self.b0 * h


def theta_fit(z: np.ndarray) -> ThetaFit:
    """Fit the Theta method (θ = 2, no seasonality) to an annual series on the model scale."""
    z = np.asarray(z, dtype=float)
    alpha, level = ses_fit(z)
    return ThetaFit(ols_slope(z), alpha, level, len(z))


def theta_reference(z: np.ndarray, steps: int) -> tuple[np.ndarray, float]:
    """statsmodels' ThetaModel on the same series: its point forecasts and α (the reference
    the closed form is tested against, and the bench times)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ThetaModel(np.asarray(z, dtype=float), period=1, deseasonalize=False).fit()
        return np.asarray(result.forecast(steps)), float(np.asarray(result.params)[1])
