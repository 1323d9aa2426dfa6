"""Required against observed change, and the progress categories official monitors publish.

Four methods are computed side by side, each with its own published thresholds and minimum-data
rule; a method that cannot judge says "unable to assess" and why, rather than guessing.

- Eurostat SDG monitoring report (also Statistics Canada's SDG data hub): ratio of the observed
  compound annual growth rate (CAGR) to the CAGR required to reach the target from the start of
  the same period. ≥95 %: significant progress; 60–95 %: moderate; 0–60 %: insufficient;
  < 0: movement away. A target already met is reported as such. Needs ≥3 values in the window.
- UN Statistics Division, SDG Progress Chart: extrapolate the CAGR from the baseline to the
  target year; completion ratio = (projected − baseline) / (target − baseline). ≥0.95: on track
  (target met or almost met); 0.10–0.95: fair progress, acceleration needed; 0–0.10: limited or
  no progress; < 0: deterioration. Needs a baseline and a later value.
- German sustainability strategy indicators (Destatis "weather" symbols): extrapolate the average
  annual change of the last five years to the target year; the share of the remaining gap that
  would be missed decides: < 5 %: on track (sun); 5–20 %: slight deviation (sun and cloud);
  > 20 %: clear deviation (cloud); moving the wrong way: thunderstorm. Needs ≥3 values.
- Chinese mid-term review rule 时间过半、任务过半: share of the way from base to target against the
  share of the plan period elapsed. ≥ time share: on schedule (符合进度); below: behind schedule
  (滞后); negative: moving away (逆向). Needs the plan's base value and a later value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

UNABLE = "unable to assess"
METHODS = ("eurostat", "unsd", "destatis", "midterm")


@dataclass
class Category:
    method: str
    category: str
    value: float | None = None  # the ratio / share the category is read from
    note: str = ""

    @property
    def assessed(self) -> bool:
        return self.category != UNABLE


# ---- rates ------------------------------------------------------------------------------------

def uses_compound_rate(kind: str, values: np.ndarray) -> bool:
    """Levels and counts grow at compound rates; shares and rates move in percentage points."""
    return kind in ("level", "count") and bool(np.all(np.asarray(values) > 0))


def annual_change(v0: float, v1: float, years: float, compound: bool) -> float:
    """CAGR in % for compound series, else change per year in the series' own unit (pp/yr)."""
    if years <= 0:
        return math.nan
    if compound:
        if v0 <= 0 or v1 <= 0:
            return math.nan
        return ((v1 / v0) ** (1.0 / years) - 1.0) * 100.0
    return (v1 - v0) / years


def project(v0: float, rate: float, years: float, compound: bool) -> float:
    if compound:
        return v0 * (1.0 + rate / 100.0) ** years
    return v0 + rate * years


def window(years: np.ndarray, values: np.ndarray, latest_year: int, span: int
           ) -> tuple[np.ndarray, np.ndarray]:
    mask = (years >= latest_year - span) & (years <= latest_year)
    return years[mask], values[mask]


def target_met(value: float, target: float, kind: str, direction: str, tolerance: float,
               high: float | None = None) -> bool:
    """Is `value` at the target? `approx` counts the band ±tolerance (relative) and beyond it in the
    desired direction; a bare number in a plan is a level to reach."""
    if value is None or target is None or math.isnan(value) or math.isnan(target):
        return False
    increase = direction != "decrease"
    if kind == "at_most":
        return value <= target + 1e-12
    if kind == "approx":
        band = abs(target) * tolerance
        return value >= target - band if increase else value <= target + band
    if kind == "at_least" or increase:
        return value >= target - 1e-12
    return value <= target + 1e-12


# ---- the four methods ---------------------------------------------------------------------------

#: (lower bound, category) from the highest band down; the published thresholds
EUROSTAT_BANDS = ((0.95, "significant progress"), (0.60, "moderate progress"),
                  (0.0, "insufficient progress"), (-math.inf, "movement away"))
UNSD_BANDS = ((0.95, "on track"), (0.10, "fair progress, acceleration needed"),
              (0.0, "limited or no progress"), (-math.inf, "deterioration"))


def band(ratio: float, bands: tuple[tuple[float, str], ...]) -> str:
    return next(category for lower, category in bands if ratio >= lower)


def eurostat(years: np.ndarray, values: np.ndarray, target: float, target_year: int,
             compound: bool, met: bool, span: int = 5) -> Category:
    method = "eurostat"
    if len(values) == 0:
        return Category(method, UNABLE, note="no data")
    if met:
        return Category(method, "target met", note="latest value meets the target")
    latest = int(years[-1])
    wy, wv = window(years, values, latest, span)
    if len(wv) < 3:
        return Category(method, UNABLE, note=f"{len(wv)} value(s) in {latest - span}–{latest}; "
                                              "the method needs at least 3")
    start_year, start = int(wy[0]), float(wv[0])
    observed = annual_change(start, float(wv[-1]), latest - start_year, compound)
    required = annual_change(start, target, target_year - start_year, compound)
    if not np.isfinite(observed) or not np.isfinite(required) or required == 0:
        return Category(method, UNABLE, note="growth rate undefined (zero or negative values)")
    ratio = observed / required
    return Category(method, band(ratio, EUROSTAT_BANDS), ratio, f"observed {observed:.2f} vs required {required:.2f} "
                                             f"{'%/yr' if compound else 'per yr'} since {start_year}")


def unsd(years: np.ndarray, values: np.ndarray, target: float, target_year: int, base_year: int,
         compound: bool, met: bool) -> Category:
    method = "unsd"
    if met:
        return Category(method, "target met", 1.0, "latest value meets the target")
    mask = years >= base_year
    ys, vs = years[mask], values[mask]
    if len(vs) < 2 or ys[-1] == ys[0]:
        return Category(method, UNABLE, note=f"needs a baseline ({base_year} or later) and a later value")
    baseline_year, baseline = int(ys[0]), float(vs[0])
    rate = annual_change(baseline, float(vs[-1]), int(ys[-1]) - baseline_year, compound)
    if not np.isfinite(rate):
        return Category(method, UNABLE, note="growth rate undefined (zero or negative values)")
    projected = project(baseline, rate, target_year - baseline_year, compound)
    if target == baseline:
        return Category(method, UNABLE, note="target equals the baseline")
    ratio = (projected - baseline) / (target - baseline)
    return Category(method, band(ratio, UNSD_BANDS), ratio, f"projected {projected:.4g} in {target_year} "
                                             f"from {baseline:.4g} ({baseline_year})")


def destatis(years: np.ndarray, values: np.ndarray, target: float, target_year: int,
             direction: str, met: bool, span: int = 5) -> Category:
    method = "destatis"
    if met:
        return Category(method, "on track (target met)", 0.0, "latest value meets the target")
    if len(values) == 0:
        return Category(method, UNABLE, note="no data")
    latest_year = int(years[-1])
    wy, wv = window(years, values, latest_year, span)
    if len(wv) < 3:
        return Category(method, UNABLE, note=f"{len(wv)} value(s) in the last {span} years; "
                                              "the method needs at least 3")
    change = (float(wv[-1]) - float(wv[0])) / (int(wy[-1]) - int(wy[0]))
    latest = float(wv[-1])
    projected = latest + change * (target_year - latest_year)
    gap = target - latest
    sign = 1 if direction != "decrease" else -1
    if change * sign < 0:
        return Category(method, "wrong direction (thunderstorm)", None,
                        f"average change {change:.3g} per year moves away from the target")
    if gap * sign <= 0:
        return Category(method, "on track (target met)", 0.0, "already at the target")
    missed = max(0.0, (target - projected) / gap) if sign > 0 else max(0.0, (projected - target) / -gap)
    if missed < 0.05:
        category = "on track (sun)"
    elif missed <= 0.20:
        category = "slight deviation (sun and cloud)"
    else:
        category = "clear deviation (cloud)"
    return Category(method, category, missed, f"projected {projected:.4g} in {target_year}; "
                                              f"{missed:.0%} of the remaining gap missed")


def midterm(base_year: int | None, base_value: float | None, latest_year: int | None,
            latest_value: float | None, target: float, target_year: int, met: bool) -> Category:
    method = "midterm"
    if met:
        return Category(method, "target met (已完成)", None, "latest value meets the target")
    if base_value is None or base_year is None or (isinstance(base_value, float) and math.isnan(base_value)):
        return Category(method, UNABLE, note="the plan states no base value")
    if latest_year is None or latest_year <= base_year:
        return Category(method, UNABLE, note=f"no value after the base year {base_year}")
    if target == base_value:
        return Category(method, UNABLE, note="target equals the base value")
    progress = (latest_value - base_value) / (target - base_value)
    elapsed = (latest_year - base_year) / (target_year - base_year)
    note = f"{progress:.0%} of the way with {elapsed:.0%} of the time elapsed"
    if progress < 0:
        return Category(method, "moving away (逆向)", progress, note)
    if progress >= elapsed:
        return Category(method, "on schedule (符合进度)", progress, note)
    return Category(method, "behind schedule (滞后)", progress, note)


#: categories counted as "the method expects the target to be met" when scoring a past call
ON_TRACK = {
    "eurostat": {"target met", "significant progress"},
    "unsd": {"target met", "on track"},
    "destatis": {"on track (target met)", "on track (sun)"},
    "midterm": {"target met (已完成)", "on schedule (符合进度)"},
}
