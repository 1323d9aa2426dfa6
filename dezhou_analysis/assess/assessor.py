"""Is each target reachable, and was it reached? One row per target, every step explained.

`Assessor(...).fit()` returns an `Assessment` (statsmodels style): `.frame` is assessment.csv,
`.fan(target_id)` the history, forecast bands, fitted models and simulated paths behind a fan
chart, `.summary_frame()` the headline table. `as_of` limits the data used to years up to it;
values for the target year that exist beyond `as_of` are used only to judge the earlier call
(verdict, Brier score).

A target goes through four steps, each with its own module: its spec (`spec`: the target in
the panel's units), the evaluator for its kind (`evaluators.EVALUATORS`: level, qualitative,
average growth, period total), the status and the score of the call (`status`), and the row
assembled from their typed parts (`parts`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from dezhou_analysis.assess import status as status_step
from dezhou_analysis.assess.evaluators import EVALUATORS, Context, evaluator_for
from dezhou_analysis.assess.parts import Evaluation
from dezhou_analysis.assess.results import (  # noqa: F401  (re-exported: the assessment's public names)
    ASSESSMENT_COLUMNS,
    INTEGER_COLUMNS,
    QUANTILES,
    STATUS_ORDER,
    Assessment,
    TargetResult,
)
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.assess.spec import TargetSpec, home_region, unique_targets
from dezhou_analysis.core.indicators import Registry, default_registry


class Assessor:
    """Assesses every target of a plan against a panel of observations.

    targets:      plan targets (the `plan_targets` contract)
    observations: the panel (the `observations` contract)
    registry:     the indicator registry (default: the package's)
    settings:     an `AssessmentSettings`; keyword overrides (as_of=2019, n_paths=2000) replace
                  its fields, so `Assessor(targets, obs, as_of=2019)` reads as it did before
                  settings existed.
    models:       the forecasting models that may join the combination (default: the
                  package's; any object following the protocol in `forecast` may join)
    """

    def __init__(self, targets: pd.DataFrame, observations: pd.DataFrame,
                 registry: Registry | None = None, settings: AssessmentSettings | None = None,
                 models: tuple | list | None = None, **overrides):
        self.targets = targets
        self.observations = observations
        self.registry = registry or default_registry()
        self.settings = (settings or AssessmentSettings()).replace(**overrides)
        self.models = tuple(models) if models is not None else None
        self.as_of = self.settings.as_of
        self.seed = self.settings.seed
        self.n_paths = self.settings.n_paths
        self.tolerance = self.settings.tolerance

    def unique_targets(self) -> list[dict]:
        """One target per (indicator, region, year, value, kind, measure); see `spec`."""
        return unique_targets(self.targets)

    def _home(self) -> str:
        return home_region(self.targets)

    def _annual_series(self, indicator_id: str, region: str, measure: str) -> pd.DataFrame:
        """The panel's annual rows of one series, sorted by year and source. The panel is split
        into series once: filtering the whole panel per call cost most of an assessment."""
        if getattr(self, "_by_series", None) is None:
            obs = self.observations
            keys = ["indicator_id", "region", "measure"]
            # one sort puts each series' rows together, by year and source: a series is a slice
            annual = obs[obs["period_kind"] == "annual"].sort_values(keys + ["year", "source"], kind="stable")
            self._annual = annual.reset_index(drop=True)
            self._rows = {key: (int(rows[0]), int(rows[-1]) + 1) for key, rows in
                          self._annual.groupby(keys, sort=False).indices.items()}
            self._by_series = {}
        key = (indicator_id, region, measure)
        if key not in self._by_series:
            start, stop = self._rows.get(key, (0, 0))
            self._by_series[key] = self._annual.iloc[start:stop].reset_index(drop=True)
        return self._by_series[key]

    def series(self, indicator_id: str, region: str, measure: str, limit: int | None) -> pd.DataFrame:
        """One value per year up to `limit`: where two bases give the same year, the basis of
        the latest year wins (then the first source). The frame may be the cached one: read it,
        do not change it."""
        frame = self._annual_series(indicator_id, region, measure)
        years = frame["year"].to_numpy(dtype=float, na_value=np.nan)
        keep = np.flatnonzero(years <= limit) if limit is not None else np.arange(len(frame))
        if len(keep) == 0:
            return frame.iloc[:0].reset_index(drop=True)
        basis = frame["basis"].to_numpy(dtype=object)[keep]
        latest = basis[-1]  # a missing basis matches none, as pandas' != has it
        other_basis = np.array([not (isinstance(b, str) and b == latest) for b in basis])
        order = keep[np.lexsort((other_basis, years[keep]))]  # stable: source order kept in ties
        first = np.unique(years[order], return_index=True)[1]
        chosen = order[first]
        if np.array_equal(chosen, np.arange(len(chosen))):  # the usual case: a leading slice
            return frame if len(chosen) == len(frame) else frame.iloc[:len(chosen)]
        return frame.iloc[chosen].reset_index(drop=True)

    def all_bases(self, indicator_id: str, region: str, measure: str, limit: int | None) -> pd.DataFrame:
        """Every annual row of one series up to `limit`, each basis of a year kept: the overlap
        years a splice links bases by."""
        frame = self._annual_series(indicator_id, region, measure)
        if limit is None:
            return frame
        return frame[frame["year"].to_numpy(dtype=float, na_value=np.nan) <= limit]

    def series_until(self, target_year, reader: Callable[..., pd.DataFrame] | None = None
                     ) -> Callable[..., pd.DataFrame]:
        """The series one target sees (through `reader`, default `series`). A target is judged
        at its target year: values after it are later context (shown in the trend charts),
        never evidence — they decide no verdict, latest value, P(reached) or category."""
        reader = reader or self.series
        try:
            last = int(target_year)
        except (TypeError, ValueError):
            return reader

        def series(indicator_id: str, region: str, measure: str, limit: int | None) -> pd.DataFrame:
            return reader(indicator_id, region, measure, last if limit is None else min(limit, last))
        return series

    def fit(self, only: set[str] | None = None) -> Assessment:
        """Assess every target, or only the target ids in `only`: each target keeps its id and
        its own random stream either way, so its row is the same as in the full assessment."""
        results: dict[str, TargetResult] = {}
        rng = np.random.default_rng(self.seed)
        for target in self.unique_targets():
            sub_rng = np.random.default_rng(rng.integers(0, 2**63 - 1))
            if only is None or target["target_id"] in only:
                results[target["target_id"]] = self.assess_one(target, sub_rng)
        frame = pd.DataFrame([r.row for r in results.values()], columns=ASSESSMENT_COLUMNS)
        return Assessment(frame, results, self.as_of, self.seed, self.n_paths, self.tolerance)

    def assess_one(self, target: dict, rng: np.random.Generator) -> TargetResult:
        """Spec → the evaluator of the target's kind → status → the row."""
        spec = TargetSpec.read(target, self.registry)
        if spec.problem is not None:
            evaluation = Evaluation().cannot(spec.problem)
        else:
            year = target.get("target_year")
            context = Context(self.series_until(year), self.settings, rng, self.models,
                              self.series_until(year, self.all_bases))
            evaluation = EVALUATORS[evaluator_for(spec)](spec, context)
        decided = status_step.decide(evaluation, target["target_text"], self.as_of)
        row = evaluation.row(spec.identity, self.as_of, decided, ASSESSMENT_COLUMNS)
        return TargetResult(row, evaluation.history, evaluation.bands, evaluation.data,
                            evaluation.combination, evaluation.years, evaluation.paths)
