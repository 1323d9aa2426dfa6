"""The small typed results each step of a target's assessment returns; `Evaluation.row`
assembles them into the assessment row at the end.

Each part owns its columns of assessment.csv (the field names are the column names), so no
step writes into another's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from dezhou_analysis.assess.monitors import METHODS, UNABLE, Category


@dataclass
class SeriesFacts:
    """How much data the target was judged on."""

    n_points: int | None = None
    first_year: int | None = None
    latest_year: int | None = None
    latest_value: float | None = None
    years_left: int | None = None


@dataclass
class Rates:
    """Required against observed change, and which values of a broken series they use."""

    rate_unit: str | None = None
    required_rate: float | None = None
    observed_rate_5y: float | None = None
    observed_rate_all: float | None = None
    observed_rate_plan: float | None = None
    break_note: str | None = None


@dataclass
class Realised:
    """The value in the target year, once it is known, and the verdict on it."""

    realised_year: int | None = None
    realised_value: float | None = None
    verdict: str | None = None


@dataclass
class ForecastSummary:
    """The forecast at the target year and P(reached), with the models behind them."""

    forecast_median: float | None = None
    forecast_low80: float | None = None
    forecast_high80: float | None = None
    forecast_low95: float | None = None
    forecast_high95: float | None = None
    p_reached: float | None = None
    models: str | None = None
    models_skipped: str | None = None


@dataclass
class Status:
    """The headline status, why, and how an earlier call scored against the realised value."""

    status: str | None = None
    status_reason: str | None = None
    brier: float | None = None
    called: dict[str, bool] = field(default_factory=dict)

    def columns(self) -> dict:
        return {"status": self.status, "status_reason": self.status_reason, "brier": self.brier,
                **{f"called_{method}": value for method, value in self.called.items()}}


@dataclass
class Evaluation:
    """Everything one evaluator found about one target."""

    facts: SeriesFacts = field(default_factory=SeriesFacts)
    rates: Rates = field(default_factory=Rates)
    categories: dict[str, Category] = field(default_factory=dict)
    elapsed_share: float | None = None
    forecast: ForecastSummary = field(default_factory=ForecastSummary)
    realised: Realised = field(default_factory=Realised)
    unable: str | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    data: object = None
    combination: object = None
    years: np.ndarray | None = None
    paths: np.ndarray | None = None

    def cannot(self, reason: str) -> Evaluation:
        """Unable to assess: every monitor not yet decided says why."""
        self.unable = reason
        for method in METHODS:
            if method not in self.categories:
                self.categories[method] = Category(method, UNABLE, None, reason)
        return self

    def category_columns(self) -> dict:
        out = {}
        for method, cat in self.categories.items():
            out.update({f"{method}_category": cat.category, f"{method}_value": cat.value,
                        f"{method}_note": cat.note})
        return out

    def row(self, identity: dict, as_of: int | None, status: Status, columns: list[str]) -> dict:
        row = dict.fromkeys(columns)
        row.update(identity, as_of=as_of)
        for part in (self.facts, self.rates, self.forecast, self.realised):
            row.update(asdict(part))
        row.update(self.category_columns(), elapsed_share=self.elapsed_share)
        row.update(status.columns())
        return row
