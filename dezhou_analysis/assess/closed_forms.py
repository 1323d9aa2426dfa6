"""Cheap fits of the small models short annual series allow, with statsmodels as the reference.

A series of twelve to twenty annual values supports a handful of parameters; estimating them
through statsmodels' general optimisers costs a fifth of a second a series, most of the time of
an assessment of fifty targets. Here:

- the Theta method (Hyndman & Billah 2003, as statsmodels' `ThetaModel` fits it with its default
  two-step estimation) needs an OLS slope, which has a closed form, and the smoothing constant of
  simple exponential smoothing, one number in [0, 1] found by a grid refined around its best
  point, vectorised over the candidates;
- damped-trend ETS (statsmodels' `ETSModel`, additive error) has its initial level and trend in
  closed form for given smoothing parameters, and the three parameters are searched on a grid,
  every candidate at once.

`theta_reference` and `damped_ets_reference` fit the same models with statsmodels;
tests/test_forecast.py checks on real annual series that they agree (Theta: point forecasts
within 1 % of the series' yearly spread; ETS: within 2 %), except where statsmodels' optimiser
stops at a worse optimum, where the grid's fit has the smaller sum of squared errors (the
higher likelihood).
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


# ---- damped-trend exponential smoothing ---------------------------------------------------------
#
# ETS(A,Ad,N) in innovation form: ŷ = ℓ + φb, e = y − ŷ, then ℓ ← ℓ + φb + αe, b ← φb + βe.
# With (α, β, φ) given, every one-step error is linear in the initial level and trend, so they
# are found by least squares in closed form; what is left is a search over three numbers in
# statsmodels' box (α and β/α in [1e-4, 1 − 1e-4], φ in [0.8, 0.98]): a coarse grid over all of
# them at once, then a small grid around each of its deepest dips, narrowed round by round. With additive normal errors the least sum of squares is
# statsmodels ETSModel's maximum likelihood.

ETS_BOX = ((1e-4, 1 - 1e-4), (1e-4, 1 - 1e-4), (0.8, 0.98))  # α, β/α, φ
ETS_GRID, ETS_STARTS, ETS_FINE, ETS_ROUNDS = (11, 8, 6), 3, 5, 10


def ets_profile(z: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate (α, β, φ): the sum of squared one-step errors left by the best
    initial level and trend, and the level and trend after the last value (K × 2)."""
    k = len(alpha)
    level, trend = np.zeros(k), np.zeros(k)  # the filter started from zero states ...
    l_l, l_b, b_l, b_b = np.ones(k), np.zeros(k), np.zeros(k), np.ones(k)  # ... its response
    g_ll, g_lb, g_bb, c_l, c_b, total = (np.zeros(k) for _ in range(6))  # RᵀR, Rᵀe, eᵀe
    for y in z:
        predicted = level + phi * trend
        e = y - predicted
        r_l, r_b = l_l + phi * b_l, l_b + phi * b_b  # the error falls by r·x0 for initial states x0
        g_ll += r_l * r_l
        g_lb += r_l * r_b
        g_bb += r_b * r_b
        c_l += r_l * e
        c_b += r_b * e
        total += e * e
        level, trend = predicted + alpha * e, phi * trend + beta * e
        l_l, l_b = r_l - alpha * r_l, r_b - alpha * r_b
        b_l, b_b = phi * b_l - beta * r_l, phi * b_b - beta * r_b
    det = g_ll * g_bb - g_lb ** 2
    det = np.where(np.abs(det) < 1e-300, 1e-300, det)
    x_l = (g_bb * c_l - g_lb * c_b) / det
    x_b = (g_ll * c_b - g_lb * c_l) / det
    sse = total - (x_l * c_l + x_b * c_b)  # least squares: Σe² − x0ᵀ Rᵀe
    final = np.stack([level + l_l * x_l + l_b * x_b, trend + b_l * x_l + b_b * x_b], axis=1)
    return np.maximum(sse, 0.0), final


@dataclass(frozen=True)
class DampedETSFit:
    """Damped-trend ETS: parameters, the state after the last value and the mean squared
    one-step error (statsmodels' `mse`)."""

    alpha: float
    beta: float
    phi: float
    level: float
    trend: float
    mse: float

    def forecast(self, steps: int) -> np.ndarray:
        """ℓ + (φ + φ² + … + φʰ)·b for h = 1…steps."""
        return self.level + np.cumsum(self.phi ** np.arange(1, steps + 1)) * self.trend

    def simulate(self, steps: int, n: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Paths (n × steps) with normal errors of the fitted size times `scale`."""
        errors = rng.normal(0.0, np.sqrt(self.mse) * scale, size=(n, steps))
        level, trend = np.full(n, self.level), np.full(n, self.trend)
        out = np.empty((n, steps))
        for h in range(steps):
            e = errors[:, h]
            out[:, h] = level + self.phi * trend + e
            level, trend = level + self.phi * trend + self.alpha * e, self.phi * trend + self.beta * e
        return out


def _ets_starts(z: np.ndarray) -> np.ndarray:
    """The coarse grid's local minima (up to ETS_STARTS, lowest first) as (α, β/α, φ) rows: the
    sum of squares of a short series can have more than one dip, and the lowest grid point
    need not lie in the deepest."""
    from scipy.ndimage import minimum_filter
    axes = [np.linspace(lo, hi, m) for (lo, hi), m in zip(ETS_BOX, ETS_GRID, strict=True)]
    grid = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    sse, _ = ets_profile(z, grid[:, 0], grid[:, 0] * grid[:, 1], grid[:, 2])
    cube = sse.reshape(ETS_GRID)
    minima = np.flatnonzero((cube <= minimum_filter(cube, size=3, mode="nearest")).ravel())
    return grid[minima[np.argsort(sse[minima])][:ETS_STARTS]]


def damped_ets_fit(z: np.ndarray) -> DampedETSFit:
    """Fit ETS(A,Ad,N) by least squares (= maximum likelihood): from each of the coarse grid's
    deepest dips, a small grid around the point, narrowed by half each round, all dips at once."""
    z = np.asarray(z, dtype=float)
    lower, upper = (np.array(bound, dtype=float) for bound in zip(*ETS_BOX, strict=True))
    points = _ets_starts(z)
    width = (upper - lower) / (np.array(ETS_GRID) - 1)  # one coarse step each way
    offsets = np.stack([g.ravel() for g in np.meshgrid(*[np.linspace(-1, 1, ETS_FINE)] * 3,
                                                       indexing="ij")], axis=1)
    for _ in range(ETS_ROUNDS):
        candidates = np.clip(points[:, None, :] + offsets[None, :, :] * width, lower, upper)
        flat = candidates.reshape(-1, 3)
        sse, _ = ets_profile(z, flat[:, 0], flat[:, 0] * flat[:, 1], flat[:, 2])
        points = candidates[np.arange(len(points)), np.argmin(sse.reshape(len(points), -1), axis=1)]
        width = width / 2
    sse, final = ets_profile(z, points[:, 0], points[:, 0] * points[:, 1], points[:, 2])
    best = int(np.argmin(sse))
    alpha, beta, damping = (float(points[best, 0]), float(points[best, 0] * points[best, 1]),
                            float(points[best, 2]))
    return DampedETSFit(alpha, beta, damping, float(final[best, 0]), float(final[best, 1]),
                        float(sse[best]) / len(z))


def damped_ets_reference(z: np.ndarray, steps: int) -> tuple[np.ndarray, float]:
    """statsmodels' ETSModel (additive error, damped additive trend) on the same series: its
    point forecasts and its sum of squared one-step errors."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ETSModel(np.asarray(z, dtype=float), error="add", trend="add",
                          damped_trend=True).fit(disp=False)
        return np.asarray(result.forecast(steps)), float(np.sum(np.asarray(result.resid) ** 2))
