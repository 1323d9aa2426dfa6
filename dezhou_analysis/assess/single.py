"""Assess one series the way the suite assesses a target: `assess_series`.

For researchers and benches: give the years and levels (on one statistical basis), the target
year and value, and get P(reached), the forecast quantiles per year and each model's forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezhou_analysis.assess.forecast import (
    Combination,
    SeriesData,
    choose_scale,
    fit_all,
    reached_on_paths,
)
from dezhou_analysis.assess.settings import DEFAULT_SEED

#: the probabilities of `SeriesAssessment.quantiles`' columns
QUANTILE_PROBS = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
QUALIFIERS = {"at_least": ("at_least", "increase"), "approx": ("approx", "increase"),
              "at_most": ("at_most", "decrease")}


@dataclass
class SeriesAssessment:
    """p_reached:  share of simulated paths at the target in the target year
    quantiles:  DataFrame indexed by year, one column per probability in QUANTILE_PROBS
    models:     each voting model's point forecast per year, with its weight in the median
    skipped:    models that did not vote, and why
    paths:      the simulated paths (n_paths × years), `years` their years
    combination: the fitted models, to draw more paths (`combination.simulate`)"""

    p_reached: float
    quantiles: pd.DataFrame
    models: pd.DataFrame
    skipped: dict[str, str]
    years: np.ndarray
    paths: np.ndarray
    combination: Combination


def assess_series(years, values, *, target_year: int, target_value: float,
                  qualifier: str = "at_least", n_paths: int = 4000, seed: int = DEFAULT_SEED,
                  kind: str = "level", tolerance: float = 0.05, models=None) -> SeriesAssessment:
    """P(target reached) and the forecast of one annual series, as the assessment makes them.

    years, values: the observations (levels, one statistical basis), at least three
    target_year:   a year after the last observation
    target_value:  the level to reach
    qualifier:     at_least (以上), approx (左右: within `tolerance` below counts) or at_most (以下)
    n_paths:       simulated paths; P has a standard error of about 0.5 / √n_paths
    seed:          the random seed (default: the suite's)
    kind:          level or count (log scale), share in % (logit scale), rate (as is)
    models:        forecasting models to combine instead of the suite's (see `forecast`)
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"qualifier must be one of {', '.join(QUALIFIERS)}, not {qualifier!r}")
    data = SeriesData(years, values, [], choose_scale(kind, np.asarray(values, dtype=float)))
    if data.n < 3:
        raise ValueError(f"{data.n} value(s): a forecast needs at least 3 on one statistical basis")
    if target_year <= data.years[-1]:
        raise ValueError(f"target year {target_year} is not after the last observation {data.years[-1]}")
    combination = fit_all(data, **({"models": models} if models is not None else {}))
    if not combination.results:
        raise ValueError("no model could be fitted: " + "; ".join(f"{k}: {v}" for k, v in combination.skipped.items()))
    future = np.arange(int(data.years[-1]) + 1, int(target_year) + 1)
    paths = combination.simulate(future, n_paths, np.random.default_rng(seed))
    target_kind, direction = QUALIFIERS[qualifier]
    reached = reached_on_paths(paths, future, float(target_value), target_kind, direction, tolerance,
                               target_year=int(target_year))
    quantiles = pd.DataFrame(np.quantile(paths, QUANTILE_PROBS, axis=0).T, index=pd.Index(future, name="year"),
                             columns=list(QUANTILE_PROBS))
    return SeriesAssessment(float(reached.mean()), quantiles, combination.table(future),
                            dict(combination.skipped), future, paths, combination)
