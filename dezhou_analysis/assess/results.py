"""What an assessment returns: the columns of assessment.csv, one `TargetResult` per target and
the `Assessment` that holds them (statsmodels style: results hold estimates, not closures).

A target's result keeps what a researcher needs to look behind its row: the series used, the
fitted combination (each model's forecast and weight), the simulated paths and a way to draw
more of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dezhou_analysis.assess.settings import AssessmentSettings

QUANTILES = (0.025, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.975)
STATUS_ORDER = ("met", "missed", "on track", "uncertain", "off track", "met at base", "unable to assess")

ASSESSMENT_COLUMNS = [
    "target_id", "indicator_id", "name_zh", "name_en", "region", "unit", "base_year", "base_value",
    "target_year", "target_value", "target_high", "target_kind", "target_measure", "direction",
    "every_year", "target_text", "source_section", "source_doc", "source_line", "also_stated",
    "as_of", "n_points", "first_year", "latest_year", "latest_value", "years_left", "rate_unit",
    "required_rate", "observed_rate_5y", "observed_rate_all", "observed_rate_plan", "break_note",
    "eurostat_category", "eurostat_value", "eurostat_note", "unsd_category", "unsd_value",
    "unsd_note", "destatis_category", "destatis_value", "destatis_note", "midterm_category",
    "midterm_value", "midterm_note", "elapsed_share", "forecast_median", "forecast_low80",
    "forecast_high80", "forecast_low95", "forecast_high95", "p_reached", "models",
    "models_skipped", "realised_year", "realised_value", "verdict", "brier", "called_eurostat",
    "called_unsd", "called_destatis", "called_midterm", "status", "status_reason",
]

#: columns holding years and counts (written without decimals)
INTEGER_COLUMNS = ["base_year", "target_year", "source_line", "as_of", "n_points", "first_year",
                   "latest_year", "years_left", "realised_year"]


@dataclass
class TargetResult:
    """One target's row and what lies behind it.

    history:     the observations the target was judged on (year, value, basis, source, …)
    bands:       quantiles of the simulated paths per future year (the fan chart)
    data:        the `SeriesData` the models were fitted to (None when no model ran)
    combination: the fitted models (`combination.table()` lists each one's forecast and weight)
    years:       the simulated years; `paths` the simulated values (paths × years)
    """

    row: dict
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    data: object = None
    combination: object = None
    years: np.ndarray | None = None
    paths: np.ndarray | None = field(default=None, repr=False)

    def draw(self, n: int, seed: int = 0) -> np.ndarray:
        """`n` fresh paths over `years` from the same fitted models."""
        if self.combination is None or self.years is None:
            raise ValueError(f"{self.row.get('target_id')}: no forecast was made for this target")
        return self.combination.simulate(self.years, n, np.random.default_rng(seed))


@dataclass
class Assessment:
    frame: pd.DataFrame
    results: dict[str, TargetResult]
    as_of: int | None
    seed: int
    n_paths: int
    tolerance: float

    @property
    def settings(self) -> AssessmentSettings:
        return AssessmentSettings(self.as_of, self.seed, self.n_paths, self.tolerance)

    def fan(self, target_id: str) -> TargetResult:
        return self.results[target_id]

    def summary_frame(self) -> pd.DataFrame:
        columns = ["target_id", "name_zh", "name_en", "region", "target_year", "target_text",
                   "latest_year", "latest_value", "p_reached", "verdict", "status", "status_reason"]
        return self.frame[columns]

    def brier_score(self) -> float | None:
        scores = self.frame["brier"].dropna()
        return float(scores.mean()) if len(scores) else None

    def describe(self) -> str:
        counts = self.frame["status"].value_counts()
        parts = [f"{status}: {counts[status]}" for status in STATUS_ORDER if status in counts]
        text = f"{len(self.frame)} targets assessed" + (f" as of {self.as_of}" if self.as_of else "")
        text += " — " + ", ".join(parts)
        brier = self.brier_score()
        if brier is not None:
            text += f"; Brier score of P(reached) against realised values: {brier:.3f} " \
                    f"({self.frame['brier'].notna().sum()} targets)"
        return text
