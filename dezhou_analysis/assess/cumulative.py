"""Targets over a whole plan period on an annual rate: 单位GDP能耗降低〔15〕 means the reductions
of the five years compound to 15 %, not that one year reaches 15.

A year's reduction r (in %) leaves (1 − r/100) of the year before; the period's reduction is
1 − Π(1 − r_t/100). Plans bracket such figures 〔 〕 or write 累计; the parser marks them
`cumulative`.
"""

from __future__ import annotations

import numpy as np


def compounded(rates_percent: np.ndarray) -> float:
    """The reduction (or rise) in % that annual rates in % add up to."""
    rates = np.asarray(rates_percent, dtype=float) / 100
    return float((1 - np.prod(1 - rates)) * 100)


def annual_equivalent(total_percent: float, years: int) -> float:
    """The constant annual rate in % that compounds to `total_percent` over `years`."""
    if years <= 0:
        raise ValueError("years must be positive")
    return float((1 - (1 - total_percent / 100) ** (1 / years)) * 100)


def required_rest(total_percent: float, done_percent: float, years_left: int) -> float:
    """The annual rate still needed, after `done_percent`, to reach `total_percent`."""
    if years_left <= 0:
        raise ValueError("no years left")
    remaining = (1 - total_percent / 100) / (1 - done_percent / 100)
    return float((1 - remaining ** (1 / years_left)) * 100)


def simulate_final(done_percent: float, rates_percent: np.ndarray, years_left: int, n: int,
                   rng: np.random.Generator) -> np.ndarray:
    """The period's total on `n` paths: the remaining years drawn around the observed rates
    (their mean, and their spread or, with one year, half its size)."""
    rates = np.asarray(rates_percent, dtype=float)
    if years_left <= 0:
        return np.full(n, done_percent)
    mean = float(rates.mean())
    spread = float(rates.std(ddof=1)) if len(rates) > 1 else abs(mean) / 2
    future = rng.normal(mean, max(spread, 1e-9), size=(n, years_left)) / 100
    return (1 - (1 - done_percent / 100) * np.prod(1 - future, axis=1)) * 100
