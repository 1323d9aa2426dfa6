"""50 targets × 10,000 simulated paths: the assessment's simulation, the whole assessment, and
beside them the statsmodels reference: Theta fitted by statsmodels' ThetaModel and damped-trend
ETS by its ETSModel instead of their closed forms (Theta votes from 12 values, ETS from 15).

    .venv/bin/python bench/bench_assess.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from dezhou_analysis.assess.assessor import Assessor
from dezhou_analysis.assess.forecast import (
    MODELS,
    DampedTrendETS,
    DampedTrendETSStatsmodels,
    SeriesData,
    Theta,
    ThetaStatsmodels,
    fit_all,
    reached_on_paths,
)
from dezhou_analysis.core.contracts import conform
from dezhou_analysis.core.indicators import default_registry

N_TARGETS, N_PATHS = 50, 10_000


def synthetic(seed: int = 1, n_values: int = 12):
    """50 targets on registry indicators with `n_values` annual values each (… 2019)."""
    rng = np.random.default_rng(seed)
    registry = default_registry()
    indicators = [i for i in registry if i.kind in ("level", "count", "share") and not i.parent][:N_TARGETS]
    targets, observations = [], []
    for k, ind in enumerate(indicators):
        years = np.arange(2020 - n_values, 2020)
        if ind.kind == "share":
            values = np.clip(20 + 0.8 * np.arange(n_values) + rng.normal(0, 0.5, n_values), 1, 99)
        else:
            values = 100 * np.exp(0.06 * np.arange(n_values) + rng.normal(0, 0.03, n_values))
        for year, value in zip(years, values, strict=True):
            observations.append({"indicator_id": ind.id, "region": "德州市", "year": int(year),
                                 "period": str(year), "period_kind": "annual", "value": float(value),
                                 "unit": ind.unit, "measure": "level", "basis": "", "source": "bench"})
        targets.append({"indicator_id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en,
                        "category": ind.category, "unit": ind.unit, "base_year": 2017,
                        "base_value": float(values[-3]), "target_year": 2022,
                        "target_value": float(values[-1] * (1.2 if k % 2 else 1.4)),
                        "target_kind": ("at_least", "approx", "point")[k % 3],
                        "target_measure": "share" if ind.kind == "share" else "level",
                        "target_text": "bench", "direction": "increase", "region": "德州市",
                        "label": ind.name_zh, "source_section": "table", "source_doc": "bench",
                        "source_line": k + 1, "source_quote": "bench"})
    return conform(pd.DataFrame(targets), "plan_targets"), conform(pd.DataFrame(observations), "observations")


def whole(label: str, targets: pd.DataFrame, observations: pd.DataFrame, models, aim: str) -> None:
    """Time one whole assessment: wall clock, and the process's CPU time beside it (on a shared
    machine the wall clock also counts other people's work)."""
    wall, cpu = time.perf_counter(), time.process_time()
    Assessor(targets, observations, n_paths=N_PATHS, models=models).fit()
    print(f"assess: whole assessment of {N_TARGETS} targets × {N_PATHS:,} paths, {label}: "
          f"{time.perf_counter() - wall:.3f} s (CPU {time.process_time() - cpu:.3f} s){aim}")


def main() -> None:
    targets, observations = synthetic()
    series = [observations[observations["indicator_id"] == i] for i in targets["indicator_id"]]
    fits = []
    start = time.perf_counter()
    for frame in series:
        fits.append(fit_all(SeriesData(frame["year"], frame["value"], [], "log"), calibrate=True))
    fitting = time.perf_counter() - start
    future = np.arange(2020, 2023)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for combination, target in zip(fits, targets["target_value"], strict=True):
        paths = combination.simulate(future, N_PATHS, rng)
        reached_on_paths(paths, future, target, "at_least", "increase", 0.05, target_year=2022).mean()
    simulation = time.perf_counter() - start
    print(f"assess: simulate {N_TARGETS} targets × {N_PATHS:,} paths and P(reached): {simulation:.3f} s "
          "(aim < 1 s)")
    print(f"assess: fit the voting models for {N_TARGETS} series (closed forms: 12 values, so "
          f"Theta votes): {fitting:.3f} s")
    start = time.perf_counter()
    for frame in series:
        data = SeriesData(frame["year"], frame["value"], [], "log")
        ets = DampedTrendETSStatsmodels()
        ets.min_points = 6  # as before the three-values-per-parameter rule
        ets.fit(data)
        ThetaStatsmodels().fit(data)
    print(f"assess: statsmodels reference, ETS + Theta fitted to the {N_TARGETS} series: "
          f"{time.perf_counter() - start:.3f} s")
    swap = {Theta: ThetaStatsmodels, DampedTrendETS: DampedTrendETSStatsmodels}
    reference = tuple(swap.get(model, model) for model in MODELS)
    for label, models in (("statsmodels reference", reference), ("closed forms", MODELS)):
        whole(f"12 values a series, models by {label}", targets, observations, models,
              " (aim < 2 s)" if models is MODELS else "")
    whole("10 values a series (random walk with drift and log-linear trend vote)", targets,
          observations[observations["year"] >= 2010], MODELS, " (aim < 2 s)")
    targets15, observations15 = synthetic(n_values=15)
    for label, models in (("statsmodels reference", reference), ("closed forms", MODELS)):
        whole(f"15 values a series (ETS votes too), models by {label}", targets15, observations15, models, "")
    print(f"load average while measuring: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(1 / 5 / 15 min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
