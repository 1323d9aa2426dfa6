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
    _centre: object = field(repr=False, default=None)

    def point(self, steps: np.ndarray) -> np.ndarray:
        """The model's point forecast on the model scale, `steps` years after the last value."""
        steps = np.asarray(steps, dtype=int)
        if self._centre is not None:
            return np.asarray(self._centre(steps), dtype=float)
        paths = self._sampler(int(steps.max()), 2000, np.random.default_rng(0), 1.0)
        return np.median(paths[:, steps - 1], axis=0)

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
    parameters = 2  # drift, σ
    min_points = 3  # the baseline: votes from three values

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

        return ForecastResults(self.name, data, sampler, _centre=lambda steps: z_last + mu * steps)


class LogLinearTrend:
    """z_t = a + b·t (+ a shift per basis segment) + ε_t, with (a, b) uncertain."""

    name = "log-linear trend"
    parameters = 3  # level, slope, σ
    min_points = 9

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

        return ForecastResults(self.name, data, sampler, _centre=lambda steps: beta[0] + beta[1] * steps)


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
    """Additive-error, damped additive-trend exponential smoothing, ETS(A,Ad,N), fitted by
    maximum likelihood in closed form over a grid (see closed_forms; statsmodels' ETSModel is
    the tested reference, `DampedTrendETSStatsmodels`)."""

    name = "damped-trend ETS"
    parameters = 5  # α, β, φ, initial level and trend
    min_points = 15

    def fitted(self, z: np.ndarray):
        """The fit: an object with forecast(steps) and simulate(steps, n, rng, scale)."""
        from dezhou_analysis.assess.closed_forms import damped_ets_fit
        return damped_ets_fit(z)

    def fit(self, data: SeriesData) -> ForecastResults:
        tail = _contiguous_tail(data, self.min_points)
        fitted = self.fitted(tail.z)
        return ForecastResults(self.name, tail, lambda h, n, rng, k: fitted.simulate(h, n, rng, k),
                               _centre=lambda steps: fitted.forecast(int(max(steps)))[steps - 1])


class _StatsmodelsETS:
    """statsmodels' ETSModel results behind the closed form's interface."""

    def __init__(self, z: np.ndarray):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result = ETSModel(z, error="add", trend="add", damped_trend=True).fit(disp=False)

    def forecast(self, steps: int) -> np.ndarray:
        return np.asarray(self.result.forecast(steps))

    def simulate(self, steps: int, n: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        if scale == 1.0:
            sims = self.result.simulate(steps, anchor="end", repetitions=n, rng=rng)
        else:
            errors = rng.normal(0.0, math.sqrt(self.result.mse) * scale, size=(steps, n))
            sims = self.result.simulate(steps, anchor="end", repetitions=n, random_errors=errors)
        return np.asarray(sims).reshape(steps, n).T


class DampedTrendETSStatsmodels(DampedTrendETS):
    """The same model fitted by statsmodels' ETSModel: the reference the closed form is
    compared with (tests, bench/bench_assess.py); not among the suite's models."""

    name = "damped-trend ETS (statsmodels)"

    def fitted(self, z: np.ndarray):
        return _StatsmodelsETS(z)


class Theta:
    """The Theta method as statsmodels' ThetaModel fits it, in closed form (see closed_forms:
    an OLS slope and a grid-searched smoothing constant; statsmodels is the tested reference),
    intervals from its forecast standard errors."""

    name = "Theta"
    parameters = 4  # α, drift, initial level, σ
    min_points = 12
    max_horizon = 40

    def point_forecasts(self, z: np.ndarray) -> tuple[np.ndarray, float]:
        """Point forecasts 1…max_horizon ahead and the smoothing constant α."""
        from dezhou_analysis.assess.closed_forms import theta_fit
        fitted = theta_fit(z)
        return fitted.forecast(self.max_horizon), fitted.alpha

    def fit(self, data: SeriesData) -> ForecastResults:
        tail = _contiguous_tail(data, self.min_points)
        mean_all, alpha = self.point_forecasts(tail.z)
        sigma2 = _ima_sigma2(tail.z, alpha)
        # statsmodels' variance of the h-step Theta forecast: σ²(1 + (h−1)(1 + (α−1)²))
        var = sigma2 * (1 + np.arange(self.max_horizon) * (1 + (alpha - 1) ** 2))
        step_sd_all = np.sqrt(np.clip(np.diff(np.concatenate([[0.0], var])), 1e-12, None))

        def sampler(h, n, rng, k):
            if h > self.max_horizon:
                raise NotEnoughData(f"horizon {h} beyond {self.max_horizon} years")
            shocks = rng.normal(0.0, 1.0, size=(n, h)) * step_sd_all[:h] * k
            return mean_all[:h] + np.cumsum(shocks, axis=1)

        return ForecastResults(self.name, tail, sampler, _centre=lambda steps: mean_all[steps - 1])


class ThetaStatsmodels(Theta):
    """The same Theta method fitted by statsmodels' ThetaModel: the reference the closed form
    is compared with (tests, bench/bench_assess.py); not among the suite's models."""

    name = "Theta (statsmodels)"

    def point_forecasts(self, z: np.ndarray) -> tuple[np.ndarray, float]:
        from dezhou_analysis.assess.closed_forms import theta_reference
        return theta_reference(z, self.max_horizon)


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


# ---- combination -------------------------------------------------------------------------------
#
# The model protocol: a model has a `name`, the fewest values it votes with (`min_points`) and
# `fit(data: SeriesData) -> ForecastResults`, raising `NotEnoughData` with the reason when it
# cannot. Its results give `point(steps)`, the point forecast on the model scale (and, for a
# look at the model's own view, `simulate`). Any object following it may join the combination
# (`fit_all(data, models=[...])`, `Assessor(..., models=[...])`); a class is instantiated first.


def plausible_range(data: SeriesData, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per step, the widest range a point forecast may reach on the model scale: the last value
    moved by the largest observed yearly change, h times, plus the table's 99 % error band."""
    from dezhou_analysis.assess.calibrated import error_table, year_spread
    diffs = np.diff(data.z)
    largest = float(np.max(np.abs(diffs))) if len(diffs) else 0.0
    spread = year_spread(data.z, data.segments)
    table = error_table()
    reach = np.array([largest * h + spread * float(np.max(np.abs(table.quantiles(data.n, int(h)))))
                      for h in steps])
    return data.z[-1] - reach, data.z[-1] + reach


@dataclass
class Combination:
    """The median of the voting models' point forecasts, with intervals from the error table.

    results: the models that vote; skipped: why the others do not (too few values for their
    parameters, or a forecast that left the plausible range); note: how the spread was set.
    """

    results: list[ForecastResults]
    skipped: dict[str, str]
    data: SeriesData | None = None
    calibrate: bool = True
    note: str = ""

    @property
    def models(self) -> list[str]:
        return [r.model for r in self.results]

    def weights(self) -> dict[str, float]:
        """Each voting model's weight in the median (equal)."""
        return {r.model: 1 / len(self.results) for r in self.results}

    def centre(self, steps: np.ndarray) -> np.ndarray:
        """The median of the models' point forecasts on the model scale."""
        return np.median(np.vstack([r.point(steps) for r in self.results]), axis=0)

    def table(self, years: list[int] | np.ndarray) -> pd.DataFrame:
        """Each model's point forecast (original scale) per year, with its weight."""
        years = np.asarray(years, dtype=int)
        steps = years - int(self.results[0].data.years[-1])
        weights = self.weights()
        rows = [{"model": r.model, "weight": weights[r.model], "year": int(y),
                 "forecast": float(v)}
                for r in self.results for y, v in zip(years, from_scale(r.point(steps), self.data.scale),
                                                      strict=True)]
        return pd.DataFrame(rows)

    def simulate(self, years: list[int] | np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """Paths (n × len(years)) on the original scale: the models' median centre plus errors
        drawn from the error table for this many values and each horizon, correlated across
        years like a random walk's. Uncalibrated (`calibrate=False`): the models' own paths,
        combined by taking the k-th ranked path's element-wise median (Vincentisation)."""
        years = np.asarray(years, dtype=int)
        steps = years - int(self.data.years[-1])
        if np.any(steps <= 0):
            raise ValueError("simulate() takes years after the last observation")
        if not self.calibrate:
            return self._vincentised(years, n, rng)
        from dezhou_analysis.assess.calibrated import error_table, walk_normals, year_spread
        spread = year_spread(self.data.z, self.data.segments)
        errors = error_table().draw(self.data.n, steps, walk_normals(n, steps, rng))
        return from_scale(self.centre(steps) + spread * errors, self.data.scale)

    def _vincentised(self, years: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        sims = [r.simulate(years, n, rng) for r in self.results]
        if len(sims) == 1:
            return sims[0]
        ranked = [s[np.argsort(s[:, -1], kind="stable")] for s in sims]
        combined = np.median(np.stack(ranked), axis=0)
        return combined[rng.permutation(n)]

    def forecast(self, years: list[int] | np.ndarray, n: int = 2000, seed: int = 0) -> np.ndarray:
        """The median forecast per year (original scale)."""
        paths = self.simulate(years, n, np.random.default_rng(seed))
        return np.median(paths, axis=0)

    def summary_frame(self, years, alpha: float = 0.2, n: int = 4000, seed: int = 0) -> pd.DataFrame:
        paths = self.simulate(years, n, np.random.default_rng(seed))
        return pd.DataFrame({
            "year": np.asarray(years, dtype=int), "median": np.median(paths, axis=0),
            "lower": np.quantile(paths, alpha / 2, axis=0),
            "upper": np.quantile(paths, 1 - alpha / 2, axis=0)})


def fit_all(data: SeriesData, calibrate: bool = True, seed: int = 0,
            models: tuple | list = MODELS, horizon: int = 5) -> Combination:
    """Fit every model the data support; a model with fewer values than `min_points` (three
    per parameter, the random walk with drift from three values as the baseline) does not vote,
    nor one whose forecast leaves the plausible range over `horizon` years."""
    results, skipped = [], {}
    for model in models:
        model = model() if isinstance(model, type) else model
        if data.n < getattr(model, "min_points", 3):
            skipped[model.name] = (f"votes from {model.min_points} values "
                                   f"({getattr(model, 'parameters', '?')} parameters), has {data.n}")
            continue
        try:
            result = model.fit(data)
        except NotEnoughData as exc:
            skipped[model.name] = str(exc)
            continue
        except (np.linalg.LinAlgError, ValueError) as exc:
            skipped[model.name] = f"estimation failed ({type(exc).__name__})"
            continue
        results.append(result)
    combination = Combination(results, skipped, data, calibrate)
    if results and calibrate:
        _drop_implausible(combination, data, horizon)
    return combination


def _drop_implausible(combination: Combination, data: SeriesData, horizon: int) -> None:
    """Leave out a model whose point forecast leaves the plausible range, and say so; the
    random walk with drift stays as the fallback."""
    steps = np.arange(1, horizon + 1)
    low, high = plausible_range(data, steps)
    keep = []
    for result in combination.results:
        point = result.point(steps)
        if np.all(np.isfinite(point)) and np.all((point >= low) & (point <= high)):
            keep.append(result)
        else:
            combination.skipped[result.model] = "forecast leaves the plausible range: left out"
    if not keep:
        fallback = RandomWalkDrift().fit(data)
        keep = [fallback]
        combination.skipped[fallback.model] = "fallback: every other model left the plausible range"
    combination.results = keep


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
