"""Forecast intervals as wide as forecasts of short annual series have turned out to be wrong.

A model's own interval assumes the model is right and its parameters nearly known; from three to
ten annual values neither holds, and on real panels such intervals covered about half of what
they promised. Here the models vote only on the centre of the forecast; the spread comes from
the errors the same forecasts actually made on real annual panels (plm SumHes, 125 countries,
and plm Produc, 48 US states; see bench/make_error_table.py), tabulated by the number of values
n (3–10) and the horizon h (1–5) as quantiles of the error divided by the series' own
year-to-year spread, made symmetric (see `symmetric`). Quantiles, not a root-mean-square, so no single window can blow the table
up; beyond h = 5 the h = 5 quantiles grow with √h, beyond n = 10 the n = 10 row serves.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from math import sqrt

import numpy as np

TABLE_FILE = "forecast_errors.csv"
TABLE_NS = range(3, 11)
TABLE_HS = range(1, 6)
#: the probabilities the table holds, tails included
PROBS = np.array([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                  0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 0.995])
#: the smallest spread a series is given, as a share of its mean absolute change (a series
#: that grew by the same step twice has not shown that it cannot deviate)
SPREAD_FLOOR = 0.5


def year_spread(z: np.ndarray, segments: np.ndarray | None = None) -> float:
    """The spread of year-to-year changes on the model scale (their standard deviation around
    the drift), never below half their mean absolute size; changes across a
    statistical break are left out."""
    z = np.asarray(z, dtype=float)
    diffs = np.diff(z)
    if segments is not None and len(segments) == len(z):
        diffs = diffs[np.asarray(segments)[1:] == np.asarray(segments)[:-1]]
    if len(diffs) == 0:
        return 1e-4
    sd = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0
    return max(sd, SPREAD_FLOOR * float(np.mean(np.abs(diffs))), 1e-4)


def symmetric(quantiles: np.ndarray) -> np.ndarray:
    """The spread of the learned errors without their lean: q(p) and −q(1−p) averaged.

    On the reference panels (1960–1986) growth slowed, so extrapolated drift overshot and the
    errors lean low; which way they lean belongs to the era, not to the method, and keeping
    the lean made every forecast on other panels too pessimistic. The width is what carries over.
    """
    return (quantiles - quantiles[::-1]) / 2


@dataclass(frozen=True)
class ErrorTable:
    """Quantiles of standardised forecast errors by n and h: values[n][h] matches PROBS."""

    values: dict

    @classmethod
    def from_rows(cls, rows) -> ErrorTable:
        values: dict = {}
        for row in rows:
            n, h, p, q = int(row["n"]), int(row["h"]), float(row["prob"]), float(row["quantile"])
            values.setdefault(n, {}).setdefault(h, {})[p] = q
        table = {n: {h: symmetric(np.array([by_p[p] for p in sorted(by_p)])) for h, by_p in hs.items()}
                 for n, hs in values.items()}
        return cls(table)

    def quantiles(self, n: int, h: int) -> np.ndarray:
        """The error quantiles (at PROBS) for n values and h years ahead."""
        n = min(max(n, min(TABLE_NS)), max(TABLE_NS))
        if h <= max(TABLE_HS):
            return self.values[n][h]
        last = max(TABLE_HS)
        return self.values[n][last] * sqrt(h / last)

    def draw(self, n: int, steps: np.ndarray, normals: np.ndarray) -> np.ndarray:
        """Errors for `steps` (years ahead) from standard normals whose columns are correlated
        like a random walk's: each column keeps its table quantiles exactly."""
        from scipy.special import ndtr  # the normal CDF, vectorised (scipy comes with statsmodels)
        u = ndtr(normals)
        out = np.empty_like(normals)
        for j, h in enumerate(steps):
            out[:, j] = np.interp(u[:, j], PROBS, self.quantiles(n, int(h)))
        return out



@lru_cache(maxsize=1)
def error_table() -> ErrorTable:
    text = resources.files("dezhou_analysis.package_data").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return ErrorTable.from_rows(csv.DictReader(text.splitlines()))


def walk_normals(n_paths: int, steps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Standard normals per path and step, correlated across steps like a random walk (the
    value at step h is the sum of h shocks, rescaled to unit variance)."""
    steps = np.asarray(steps, dtype=int)
    horizon = int(steps.max())
    walk = np.cumsum(rng.standard_normal((n_paths, horizon)), axis=1)
    return walk[:, steps - 1] / np.sqrt(steps)
