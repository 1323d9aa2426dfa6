"""Forecasts to the target year, with simulated paths for P(target reached).

Models follow the statsmodels shape: `Model(...).fit(series)` → results with `forecast(years)`,
`summary_frame(years, alpha)` and `simulate(years, n, rng)`. Levels are modelled on a log scale,
shares (0–100) on a logit scale, rates as they are. A statistical break (census revision) splits
the series into segments: changes across a break are not read as growth.

Each model states the fewest points it needs; with fewer, it is left out and the reason is kept.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# ---- series and scales ------------------------------------------------------------------------


@dataclass
class SeriesData:
    """An annual series ready for modelling."""

    years: np.ndarray
    values: np.ndarray
    segments: np.ndarray  # 0, 1, … : basis segments split at statistical breaks
    scale: str  # log | logit | identity

    def __post_init__(self):
        self.years = np.asarray(self.years, dtype=int)
        self.values = np.asarray(self.values, dtype=float)
        self.segments = np.asarray(self.segments, dtype=int) if len(self.segments) else \
            np.zeros(len(self.years), dtype=int)
        order = np.argsort(self.years)
        self.years, self.values, self.segments = self.years[order], self.values[order], self.segments[order]

    @property
    def n(self) -> int:
        return len(self.years)

    @property
    def z(self) -> np.ndarray:
        return to_scale(self.values, self.scale)

    def last_segment(self) -> SeriesData:
        mask = self.segments == self.segments[-1]
        return SeriesData(self.years[mask], self.values[mask], np.zeros(int(mask.sum()), dtype=int),
                          self.scale)

    def until(self, year: int) -> SeriesData:
        mask = self.years <= year
        return SeriesData(self.years[mask], self.values[mask], self.segments[mask], self.scale)


def choose_scale(kind: str, values: np.ndarray) -> str:
    values = np.asarray(values, dtype=float)
    if kind in ("level", "count") and np.all(values > 0):
        return "log"
    if kind == "share" and np.all((values > 0) & (values < 100)):
        return "logit"
    return "identity"


def to_scale(x: np.ndarray, scale: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if scale == "log":
        return np.log(x)
    if scale == "logit":
        p = np.clip(x / 100.0, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))
    return x


def from_scale(z: np.ndarray, scale: str) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    if scale == "log":
        return np.exp(np.clip(z, -700, 700))
    if scale == "logit":
        return 100.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
    return z


class NotEnoughData(ValueError):
    """The model cannot be estimated from this series; the message says why."""


# ---- results ----------------------------------------------------------------------------------


@dataclass
class ForecastResults:
    """Paths on the model scale; everything a user sees is on the original scale."""

    model: str
    data: SeriesData
    _sampler: object = field(repr=False, default=None)
    inflation: float = 1.0
    note: str = ""

    @property
    def last_year(self) -> int:
        return int(self.data.years[-1])

    def simulate(self, years: list[int] | np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """Paths (n × len(years)) on the original scale for years after the last observation."""
        steps = np.asarray(years, dtype=int) - self.last_year
        if np.any(steps <= 0):
            raise ValueError("simulate() takes years after the last observation")
        horizon = int(steps.max())
        z = self._sampler(horizon, n, rng, self.inflation)  # n × horizon, step 1..horizon
        return from_scale(z[:, steps - 1], self.data.scale)

    def forecast(self, years: list[int] | np.ndarray, n: int = 2000, seed: int = 0) -> np.ndarray:
        paths = self.simulate(years, n, np.random.default_rng(seed))
        return np.median(paths, axis=0)

    def summary_frame(self, years: list[int] | np.ndarray, alpha: float = 0.2, n: int = 4000,
                      seed: int = 0) -> pd.DataFrame:
        paths = self.simulate(years, n, np.random.default_rng(seed))
        return pd.DataFrame({
            "year": np.asarray(years, dtype=int), "median": np.median(paths, axis=0),
            "lower": np.quantile(paths, alpha / 2, axis=0),
            "upper": np.quantile(paths, 1 - alpha / 2, axis=0)})


# ---- models -----------------------------------------------------------------------------------


def _sigma_draws(sigma: float, df: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """One σ per path from its sampling distribution (σ²·df/χ²_df): with two or three values the
    estimate of σ is itself a guess, and the forecast is then Student-t, not normal."""
    # capped at 10σ: the far tail of a one-degree-of-freedom draw would overflow exp() on the log
    # scale while changing no quantile anyone reads
    return sigma * np.minimum(np.sqrt(df / rng.chisquare(df, size=(n, 1))), 10.0)


def _within_segment_steps(data: SeriesData) -> tuple[np.ndarray, np.ndarray]:
    """Changes and gaps between consecutive values of the same basis."""
    z, years, seg = data.z, data.years, data.segments
    same = seg[1:] == seg[:-1]
    return np.diff(z)[same], np.diff(years)[same].astype(float)


class RandomWalkDrift:
    """z_t = z_{t-1} + μ + ε_t, with μ uncertain; steps across a break are left out."""

    name = "random walk with drift"
    min_points = 3

    def fit(self, data: SeriesData) -> ForecastResults:
        diffs, gaps = _within_segment_steps(data)
        if len(diffs) < 2:
            raise NotEnoughData(f"needs 2 year-on-year changes within one statistical basis, has {len(diffs)}")
        mu = diffs.sum() / gaps.sum()
        resid = (diffs - mu * gaps) / np.sqrt(gaps)
        sigma = math.sqrt(max(np.sum(resid ** 2) / (len(diffs) - 1), 1e-12))
        df = len(diffs) - 1
        z_last = data.z[-1]

        def sampler(h, n, rng, k):
            s = _sigma_draws(sigma, df, n, rng) * k  # σ itself is uncertain with few changes
            drift = mu + rng.standard_normal((n, 1)) * s / math.sqrt(gaps.sum())
            shocks = rng.standard_normal((n, h)) * s
            return z_last + np.cumsum(drift + shocks, axis=1)

        return ForecastResults(self.name, data, sampler)


class LogLinearTrend:
    """z_t = a + b·t (+ a shift per basis segment) + ε_t, with (a, b) uncertain."""

    name = "log-linear trend"
    min_points = 3

    def fit(self, data: SeriesData) -> ForecastResults:
        segments = np.unique(data.segments)
        t = data.years - data.years[-1]
        columns = [np.ones(data.n), t.astype(float)]
        for s in segments[:-1]:
            columns.append((data.segments == s).astype(float))
        x = np.column_stack(columns)
        if data.n - x.shape[1] < 1:
            raise NotEnoughData(f"{data.n} points cannot fit a trend with {x.shape[1]} parameters "
                                "and leave any for the error")
        coef, _, rank, _ = np.linalg.lstsq(x, data.z, rcond=None)
        if rank < x.shape[1]:
            raise NotEnoughData("the trend is not identified (too few distinct years per segment)")
        resid = data.z - x @ coef
        scale = max(float(resid @ resid) / (data.n - x.shape[1]), 1e-12)
        cov_all = scale * np.linalg.inv(x.T @ x)  # the OLS covariance, as statsmodels.OLS gives it
        beta, cov = coef[:2], cov_all[:2, :2]
        sigma = math.sqrt(scale)
        df = data.n - x.shape[1]

        def sampler(h, n, rng, k):
            s = _sigma_draws(sigma, df, n, rng) * k
            b = beta + (rng.standard_normal((n, 2)) @ np.linalg.cholesky(cov).T) * (s / sigma)
            steps = np.arange(1, h + 1, dtype=float)
            return b[:, [0]] + b[:, [1]] * steps + rng.standard_normal((n, h)) * s

        return ForecastResults(self.name, data, sampler)


def _contiguous_tail(data: SeriesData, min_points: int) -> SeriesData:
    """The last basis segment on a complete annual grid (short gaps filled on the model scale),
    for models that need consecutive years; too short a segment is refused with the reason."""
    tail = data.last_segment()
    grid = np.arange(tail.years[0], tail.years[-1] + 1)
    if len(grid) < min_points:
        raise NotEnoughData(f"needs {min_points} consecutive years on one basis, has {len(grid)}")
    if len(grid) == tail.n:
        return tail
    if (len(grid) - tail.n) * 3 > len(grid):
        raise NotEnoughData(f"too many missing years ({len(grid) - tail.n} of {len(grid)}) to "
                            "fill for a model that needs consecutive years")
    z = np.interp(grid, tail.years, tail.z)
    return SeriesData(grid, from_scale(z, tail.scale), np.zeros(len(grid), dtype=int), tail.scale)


class DampedTrendETS:
    """Additive-error, damped additive-trend exponential smoothing (statsmodels ETSModel)."""

    name = "damped-trend ETS"
    min_points = 6

    def fit(self, data: SeriesData) -> ForecastResults:
        tail = _contiguous_tail(data, self.min_points)
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = ETSModel(tail.z, error="add", trend="add", damped_trend=True).fit(disp=False)

        def sampler(h, n, rng, k):
            if k == 1.0:
                sims = result.simulate(h, anchor="end", repetitions=n, rng=rng)
            else:
                errors = rng.normal(0.0, math.sqrt(result.mse) * k, size=(h, n))
                sims = result.simulate(h, anchor="end", repetitions=n, random_errors=errors)
            return np.asarray(sims).reshape(h, n).T

        return ForecastResults(self.name, tail, sampler)


class Theta:
    """The Theta method (statsmodels ThetaModel), intervals from its forecast standard errors."""

    name = "Theta"
    min_points = 5
    max_horizon = 40

    def fit(self, data: SeriesData) -> ForecastResults:
        tail = _contiguous_tail(data, self.min_points)
        from statsmodels.tsa.forecasting.theta import ThetaModel
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = ThetaModel(tail.z, period=1, deseasonalize=False).fit()
            mean_all = np.asarray(result.forecast(self.max_horizon))
        alpha = float(np.asarray(result.params)[1])
        sigma2 = _ima_sigma2(tail.z, alpha)
        # statsmodels' variance of the h-step Theta forecast: σ²(1 + (h−1)(1 + (α−1)²))
        var = sigma2 * (1 + np.arange(self.max_horizon) * (1 + (alpha - 1) ** 2))
        step_sd_all = np.sqrt(np.clip(np.diff(np.concatenate([[0.0], var])), 1e-12, None))

        def sampler(h, n, rng, k):
            if h > self.max_horizon:
                raise NotEnoughData(f"horizon {h} beyond {self.max_horizon} years")
            shocks = rng.normal(0.0, 1.0, size=(n, h)) * step_sd_all[:h] * k
            return mean_all[:h] + np.cumsum(shocks, axis=1)

        return ForecastResults(self.name, tail, sampler)


def _ima_sigma2(z: np.ndarray, alpha: float) -> float:
    """Innovation variance of the IMA(1,1) with drift equivalent to the Theta model.

    statsmodels estimates it by fitting SARIMAX(0,1,1); the in-sample one-step errors with the
    Theta smoothing constant (θ = α − 1) give the same quantity without a second optimisation.
    """
    dz = np.diff(z)
    c = dz.mean()
    theta = alpha - 1.0
    errors = np.zeros(len(dz))
    previous = 0.0
    for i, d in enumerate(dz):
        previous = d - c - theta * previous
        errors[i] = previous
    return max(float(np.mean(errors ** 2)) * len(dz) / max(len(dz) - 1, 1), 1e-12)


MODELS = (RandomWalkDrift, DampedTrendETS, Theta, LogLinearTrend)


# ---- calibration and combination ----------------------------------------------------------------


def rolling_origin_inflation(model, data: SeriesData, min_origin: int | None = None,
                             n: int = 400, seed: int = 0, max_origins: int = 6) -> tuple[float, str]:
    """Widen intervals when held-out errors are larger than the model says.

    For each origin, fit on the values before it and standardise the errors of the forecasts of
    later values by the spread of the central 80% of the paths; the factor is √(mean z²), never
    below 1.
    """
    start = max(model.min_points, min_origin or 0)
    if data.n < start + 3:
        return 1.0, f"not calibrated: {data.n} points, rolling origins need {start + 3}"
    rng = np.random.default_rng(seed)
    scores = []
    for origin in range(max(start, data.n - max_origins), data.n):
        train = SeriesData(data.years[:origin], data.values[:origin], data.segments[:origin], data.scale)
        try:
            fitted = model.fit(train)
        except NotEnoughData:
            continue
        future = data.years[origin:]
        paths = to_scale(fitted.simulate(future, n, rng), data.scale)
        # spread from the central 80%, not the standard deviation: Student-t paths (σ uncertain)
        # have heavy tails that would inflate sd and hide a too-narrow interval
        low, mid, high = np.quantile(paths, [0.1, 0.5, 0.9], axis=0)
        sd = (high - low) / (2 * 1.2816)
        actual = data.z[origin:]
        ok = sd > 1e-12
        scores.extend(((actual[ok] - mid[ok]) / sd[ok]).tolist())
    if len(scores) < 3:
        return 1.0, "not calibrated: too few held-out forecasts"
    factor = max(1.0, math.sqrt(float(np.mean(np.square(scores)))))
    return factor, f"intervals × {factor:.2f} from {len(scores)} held-out forecasts"


@dataclass
class Combination:
    """Median combination of the models that could be fitted, and their pooled paths."""

    results: list[ForecastResults]
    skipped: dict[str, str]

    @property
    def models(self) -> list[str]:
        return [r.model for r in self.results]

    def simulate(self, years: list[int] | np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """Paths from the median combination of the models' distributions.

        Each model simulates n paths; paths are ranked by their last value and the k-th
        combined path is the element-wise median of the models' k-th paths. At the target year
        the combined quantiles are the median of the models' quantiles (Vincentisation), so one
        model's outlying spread does not widen the result the way pooling would.
        """
        sims = [r.simulate(years, n, rng) for r in self.results]
        if len(sims) == 1:
            return sims[0]
        ranked = [s[np.argsort(s[:, -1], kind="stable")] for s in sims]
        combined = np.median(np.stack(ranked), axis=0)
        return combined[rng.permutation(n)]

    def forecast(self, years: list[int] | np.ndarray, n: int = 2000, seed: int = 0) -> np.ndarray:
        medians = [r.forecast(years, n, seed) for r in self.results]
        return np.median(np.vstack(medians), axis=0)

    def summary_frame(self, years, alpha: float = 0.2, n: int = 4000, seed: int = 0) -> pd.DataFrame:
        paths = self.simulate(years, n, np.random.default_rng(seed))
        return pd.DataFrame({
            "year": np.asarray(years, dtype=int), "median": self.forecast(years, n, seed),
            "lower": np.quantile(paths, alpha / 2, axis=0),
            "upper": np.quantile(paths, 1 - alpha / 2, axis=0)})


def fit_all(data: SeriesData, calibrate: bool = True, seed: int = 0,
            models: tuple = MODELS) -> Combination:
    results, skipped = [], {}
    for model_class in models:
        model = model_class()
        try:
            result = model.fit(data)
        except NotEnoughData as exc:
            skipped[model.name] = str(exc)
            continue
        except (np.linalg.LinAlgError, ValueError) as exc:
            skipped[model.name] = f"estimation failed ({type(exc).__name__})"
            continue
        if calibrate:
            result.inflation, result.note = rolling_origin_inflation(model, data, seed=seed)
        results.append(result)
    return Combination(results, skipped)


# ---- P(target reached) --------------------------------------------------------------------------


def reached_on_paths(paths: np.ndarray, years: np.ndarray, target: float, kind: str,
                     direction: str, tolerance: float, every_year: bool = False,
                     qualitative_rate: bool = False, last_value: float | None = None,
                     target_year: int | None = None) -> np.ndarray:
    """Boolean per path: does it reach the target, read the way its qualifier says."""
    years = np.asarray(years)
    increase = direction != "decrease"
    if kind == "qualitative":
        if qualitative_rate:  # 稳定改善 of a reduction rate: every year still an improvement
            return np.all(paths > 0, axis=1)
        previous = np.concatenate([np.full((len(paths), 1), last_value), paths[:, :-1]], axis=1)
        change = paths - previous
        return np.all(change > 0, axis=1) if increase else np.all(change < 0, axis=1)
    at = paths if every_year else paths[:, [int(np.where(years == (target_year or years[-1]))[0][0])]]
    if kind == "at_most":
        ok = at <= target
    elif kind == "approx":
        band = abs(target) * tolerance
        ok = at >= target - band if increase else at <= target + band
    elif kind == "at_least" or increase:
        ok = at >= target
    else:
        ok = at <= target
    return np.all(ok, axis=1)
