"""Ratio targets from their parts: what growth of the numerator and of GDP clears the target?

Budget revenue ÷ GDP and R&D spending ÷ GDP are targets on a ratio; the ratio moves with two
growth rates. A grid over both gives the target-year ratio and whether it clears the target,
as a tidy frame ready for a heatmap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezhou_analysis.assess.monitors import target_met
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.panel import annual_series

DEFAULT_NUMERATOR_GROWTH = np.arange(-2.0, 16.5, 0.5)
DEFAULT_DENOMINATOR_GROWTH = np.arange(0.0, 10.5, 0.5)


@dataclass
class RatioBase:
    indicator_id: str
    numerator_id: str
    denominator_id: str
    year: int
    numerator: float
    denominator: float
    basis: str

    @property
    def ratio(self) -> float:
        return self.numerator / self.denominator * 100.0


def ratio_indicators(registry: Registry | None = None) -> list[str]:
    registry = registry or default_registry()
    return [ind.id for ind in registry if ind.numerator and ind.denominator]


def latest_base(observations: pd.DataFrame, indicator_id: str, region: str,
                registry: Registry | None = None, as_of: int | None = None) -> RatioBase | None:
    """The latest year in which both parts are known on the same statistical basis."""
    registry = registry or default_registry()
    ind = registry.get(indicator_id)
    obs = annual_series(observations, None, region, "level", as_of)
    num = obs[obs["indicator_id"] == ind.numerator].set_index(["year", "basis"])["value"]
    den = obs[obs["indicator_id"] == ind.denominator].set_index(["year", "basis"])["value"]
    common = sorted(set(num.index) & set(den.index))
    if not common:
        # a part without a break family has basis ""; pair it with the other part's year
        num_y = obs[obs["indicator_id"] == ind.numerator].set_index("year")["value"]
        den_y = obs[obs["indicator_id"] == ind.denominator].drop_duplicates("year", keep="last").set_index("year")
        years = sorted(set(num_y.index) & set(den_y.index))
        if not years:
            return None
        year = years[-1]
        return RatioBase(indicator_id, ind.numerator, ind.denominator, int(year),
                         float(num_y.loc[year] if np.ndim(num_y.loc[year]) == 0 else num_y.loc[year].iloc[-1]),
                         float(den_y.loc[year, "value"]), str(den_y.loc[year, "basis"]))
    year, basis = common[-1]
    return RatioBase(indicator_id, ind.numerator, ind.denominator, int(year),
                     float(num.loc[(year, basis)]), float(den.loc[(year, basis)]), basis)


def ratio_grid(base: RatioBase, target: float, target_year: int, kind: str = "at_least",
               direction: str = "increase", tolerance: float = 0.05,
               numerator_growth=DEFAULT_NUMERATOR_GROWTH,
               denominator_growth=DEFAULT_DENOMINATOR_GROWTH) -> pd.DataFrame:
    """Tidy grid: one row per (numerator growth, denominator growth) pair, in % a year."""
    years = _years_left(base, target_year)
    gn, gd = np.meshgrid(np.asarray(numerator_growth, float), np.asarray(denominator_growth, float),
                         indexing="ij")
    ratio = base.ratio * ((1 + gn / 100) / (1 + gd / 100)) ** years
    frame = pd.DataFrame({
        "indicator_id": base.indicator_id, "base_year": base.year, "base_ratio": base.ratio,
        "numerator_growth": gn.ravel(), "denominator_growth": gd.ravel(),
        "target_year": target_year, "ratio": ratio.ravel(), "target": target})
    frame["clears"] = [target_met(r, target, kind, direction, tolerance) for r in frame["ratio"]]
    return frame


def required_numerator_growth(base: RatioBase, target: float, target_year: int,
                              denominator_growth) -> pd.DataFrame:
    """The numerator growth that just reaches the target, for each denominator growth."""
    years = _years_left(base, target_year)
    gd = np.asarray(denominator_growth, float)
    needed = ((target / base.ratio) ** (1 / years) * (1 + gd / 100) - 1) * 100
    return pd.DataFrame({"denominator_growth": gd, "required_numerator_growth": needed})


def _years_left(base: RatioBase, target_year: int) -> int:
    if target_year <= base.year:
        raise ValueError(f"no years left: the base year {base.year} is not before the target "
                         f"year {target_year}; take the base with as_of={target_year - 1}")
    return target_year - base.year
