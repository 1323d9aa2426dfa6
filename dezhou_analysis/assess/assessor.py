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

    def _observations_of(self, indicator_id: str) -> pd.DataFrame:
        """The panel's rows for one indicator (grouped once: the panel is filtered per call)."""
        if getattr(self, "_by_indicator", None) is None:
            self._by_indicator = dict(iter(self.observations.groupby("indicator_id", sort=False)))
        return self._by_indicator.get(indicator_id, self.observations.iloc[:0])

    def series(self, indicator_id: str, region: str, measure: str, limit: int | None) -> pd.DataFrame:
        obs = self._observations_of(indicator_id)
        mask = (obs["indicator_id"] == indicator_id) & (obs["region"] == region) & \
            (obs["measure"] == measure) & (obs["period_kind"] == "annual")
        frame = obs[mask]
        if limit is not None:
            frame = frame[frame["year"] <= limit]
        frame = frame.sort_values(["year", "source"])
        # one value per year: the basis of the latest year wins where two bases overlap
        if len(frame):
            latest_basis = frame["basis"].iloc[-1]
            frame = frame.assign(_pref=(frame["basis"] != latest_basis).astype(int))
            frame = frame.sort_values(["year", "_pref"]).drop_duplicates("year").drop(columns="_pref")
        return frame.reset_index(drop=True)

    def series_until(self, target_year) -> Callable[..., pd.DataFrame]:
        """The series one target sees. A target is judged at its target year: values after it
        are later context (shown in the trend charts), never evidence — they decide no verdict,
        latest value, P(reached) or category."""
        try:
            last = int(target_year)
        except (TypeError, ValueError):
            return self.series

        def series(indicator_id: str, region: str, measure: str, limit: int | None) -> pd.DataFrame:
            return self.series(indicator_id, region, measure, last if limit is None else min(limit, last))
        return series

    def fit(self) -> Assessment:
        results: dict[str, TargetResult] = {}
        rng = np.random.default_rng(self.seed)
        for target in self.unique_targets():
            sub_rng = np.random.default_rng(rng.integers(0, 2**63 - 1))
            results[target["target_id"]] = self.assess_one(target, sub_rng)
        frame = pd.DataFrame([r.row for r in results.values()], columns=ASSESSMENT_COLUMNS)
        return Assessment(frame, results, self.as_of, self.seed, self.n_paths, self.tolerance)

    def assess_one(self, target: dict, rng: np.random.Generator) -> TargetResult:
        """Spec → the evaluator of the target's kind → status → the row."""
        spec = TargetSpec.read(target, self.registry)
        if spec.problem is not None:
            evaluation = Evaluation().cannot(spec.problem)
        else:
            context = Context(self.series_until(target.get("target_year")), self.settings, rng,
                              self.models)
            evaluation = EVALUATORS[evaluator_for(spec)](spec, context)
        decided = status_step.decide(evaluation, target["target_text"], self.as_of)
        row = evaluation.row(spec.identity, self.as_of, decided, ASSESSMENT_COLUMNS)
        return TargetResult(row, evaluation.history, evaluation.bands, evaluation.data,
                            evaluation.combination, evaluation.years, evaluation.paths)
