"""Is each target reachable, and was it reached? One row per target, every step explained.

`Assessor(...).fit()` returns an `Assessment` (statsmodels style): `.frame` is assessment.csv,
`.fan(target_id)` the history and forecast bands behind a fan chart, `.summary_frame()` the
headline table. `as_of` limits the data used to years up to it; values for the target year that
exist beyond `as_of` are used only to judge the earlier call (verdict, Brier score).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dezhou_analysis.assess import cumulative
from dezhou_analysis.assess import monitors as progress
from dezhou_analysis.assess.forecast import (
    Combination,
    SeriesData,
    choose_scale,
    fit_all,
    reached_on_paths,
)
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.indicators import Indicator, Registry, default_registry
from dezhou_analysis.core.units import UnitError, convert

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
    row: dict
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def _direction(target: dict, indicator: Indicator) -> str:
    """The target's own direction, else the indicator's; a plan's bare number is one to reach."""
    return target["direction"] or indicator.direction or "increase"


def _num(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


class Assessor:
    """Assesses every target of a plan against a panel of observations.

    settings: an `AssessmentSettings`; keyword overrides (as_of=2019, n_paths=2000) replace its
    fields, so `Assessor(targets, obs, as_of=2019)` reads as it did before settings existed.
    """

    def __init__(self, targets: pd.DataFrame, observations: pd.DataFrame,
                 registry: Registry | None = None, settings: AssessmentSettings | None = None,
                 **overrides):
        self.targets = targets
        self.observations = observations
        self.registry = registry or default_registry()
        self.settings = (settings or AssessmentSettings()).replace(**overrides)
        self.as_of = self.settings.as_of
        self.seed = self.settings.seed
        self.n_paths = self.settings.n_paths
        self.tolerance = self.settings.tolerance

    # -- targets ----------------------------------------------------------------------------
    def unique_targets(self) -> list[dict]:
        """One target per (indicator, region, year, value, kind, measure); later statements are
        listed in `also_stated`, the table's row preferred."""
        rows = self.targets.to_dict("records")
        rows.sort(key=lambda r: (r["source_section"] != "table", r["source_doc"], r["source_line"]))
        unique: dict[tuple, dict] = {}
        for row in rows:
            key = (row["indicator_id"] or row["label"], row["region"], row["target_year"],
                   _num(row["target_value"]), row["target_kind"], row["target_measure"],
                   bool(row["every_year"]))
            if key in unique:
                unique[key]["also_stated"].append(f"{row['source_doc']}:{row['source_line']}")
            else:
                unique[key] = {**row, "also_stated": []}
        ordered = sorted(unique.values(), key=lambda r: (r["region"] != self._home(),
                                                           r["source_section"] != "table",
                                                           r["source_doc"], r["source_line"]))
        for i, row in enumerate(ordered, 1):
            row["target_id"] = f"T{i:03d}"
        return ordered

    def _home(self) -> str:
        regions = self.targets.loc[self.targets["source_section"] == "table", "region"]
        return regions.mode().iloc[0] if len(regions) else ""

    # -- series ------------------------------------------------------------------------------
    def series(self, indicator_id: str, region: str, measure: str, limit: int | None) -> pd.DataFrame:
        obs = self.observations
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

    # -- main ---------------------------------------------------------------------------------
    def fit(self) -> Assessment:
        results: dict[str, TargetResult] = {}
        rng = np.random.default_rng(self.seed)
        for target in self.unique_targets():
            sub_rng = np.random.default_rng(rng.integers(0, 2**63 - 1))
            result = self.assess_one(target, sub_rng)
            results[target["target_id"]] = result
        frame = pd.DataFrame([r.row for r in results.values()], columns=ASSESSMENT_COLUMNS)
        return Assessment(frame, results, self.as_of, self.seed, self.n_paths, self.tolerance)

    # -- a target is judged at its target year ---------------------------------------------------
    def assess_one(self, target: dict, rng: np.random.Generator) -> TargetResult:
        """Values after the target year are later context, never evidence: they decide no
        verdict, latest value, P(reached) or category. Every series of one target is read from
        self.observations, so filtering it here, for the time of the target, covers them all."""
        everything = self.observations
        year = _num(target.get("target_year"))
        if year is not None:
            self.observations = everything[everything["year"].fillna(0) <= year]
        try:
            return self._assess_one(target, rng)
        finally:
            self.observations = everything

    def _assess_one(self, target: dict, rng: np.random.Generator) -> TargetResult:
        row = {column: None for column in ASSESSMENT_COLUMNS}
        for column in ("target_id", "indicator_id", "name_zh", "name_en", "region", "unit",
                       "base_year", "base_value", "target_year", "target_value", "target_high",
                       "target_kind", "target_measure", "direction", "every_year", "target_text",
                       "source_section", "source_doc", "source_line"):
            row[column] = target.get(column)
        row["also_stated"] = "; ".join(target["also_stated"])
        row["as_of"] = self.as_of
        result = TargetResult(row)
        indicator = self.registry.indicators.get(target["indicator_id"] or "")

        def unable(reason: str) -> TargetResult:
            row["status"], row["status_reason"] = "unable to assess", reason
            for method in progress.METHODS:
                if row[f"{method}_category"] is None:
                    row[f"{method}_category"] = progress.UNABLE
                    row[f"{method}_note"] = reason
            return result

        if indicator is None:
            return unable(f"label {target['label']!r} is not in the indicator registry")
        if target["target_kind"] not in ("point", "approx", "at_least", "at_most", "qualitative"):
            return unable(f"target could not be read ({target['target_text']!r})")
        growth_target = target["target_measure"] == "growth_avg"
        panel_unit = "%" if growth_target else indicator.unit
        target_value = _num(target["target_value"])
        target_high = _num(target["target_high"])
        if target_value is not None:
            try:
                factor = convert(1.0, target["unit"] or panel_unit, panel_unit)
            except UnitError as exc:
                return unable(f"target unit: {exc}")
            target_value *= factor
            target_high = target_high * factor if target_high is not None else None
            row["target_value"], row["target_high"], row["unit"] = target_value, target_high, panel_unit
        base_value = _num(target["base_value"])
        if base_value is not None and target["unit"]:
            try:
                base_value = convert(base_value, target["unit"], panel_unit)
            except UnitError:
                base_value = None
        row["base_value"] = base_value
        target_year = int(target["target_year"])
        limit = self.as_of
        if growth_target:
            return self._growth_target(row, result, indicator, target, target_value, limit, rng, unable)
        if target.get("cumulative") and indicator.kind == "rate" and target_value is not None:
            return self._cumulative_rate(row, result, indicator, target, target_value, limit, rng, unable)
        full = self.series(indicator.id, target["region"], "level", None)
        history = self.series(indicator.id, target["region"], "level", limit)
        result.history = history[["year", "value", "basis", "source", "source_detail"]].copy()
        self._realised(row, full, target, indicator, target_value, base_value)
        if history.empty:
            return self._finish(row, unable(f"no {target['region']} data for {indicator.name_zh}"
                                            + (f" up to {limit}" if limit else "")))
        years = history["year"].to_numpy(dtype=int)
        values = history["value"].to_numpy(dtype=float)
        segments = pd.factorize(history["basis"].fillna(""))[0]  # in time order: history is sorted
        row["n_points"], row["first_year"] = len(values), int(years[0])
        row["latest_year"], row["latest_value"] = int(years[-1]), float(values[-1])
        row["years_left"] = target_year - int(years[-1])
        kind = target["target_kind"]
        direction = _direction(target, indicator)
        if kind == "qualitative":
            return self._qualitative(row, result, indicator, years, values, segments, target_year,
                                     direction, rng)
        if target_value is None:
            return unable("the target has no number")
        met_now = progress.target_met(values[-1], target_value, kind, direction, self.tolerance)
        if target["every_year"]:
            since = target["base_year"] if _num(target["base_year"]) else years[0] - 1
            met_now = met_now and all(progress.target_met(v, target_value, "at_least" if direction != "decrease" else "at_most",
                                                          direction, 0) for y, v in zip(years, values, strict=True) if y > since)
        compound = progress.uses_compound_rate(indicator.kind, values)
        row["rate_unit"] = "%/yr" if compound else f"{panel_unit}/yr" if panel_unit != "%" else "pp/yr"
        self._rates(row, years, values, segments, target_value, target_year, compound, indicator,
                    target["region"], limit)
        base_year = _num(target["base_year"])
        base_year = int(base_year) if base_year is not None else None
        self._categories(row, years, values, segments, target_value, target_year, base_year,
                         base_value, direction, compound, met_now)
        self._forecast(row, result, indicator, years, values, segments, target_value, target_year,
                       kind, direction, bool(target["every_year"]), met_now, rng)
        return self._finish(row, result)

    # -- pieces ------------------------------------------------------------------------------
    def _realised(self, row: dict, full: pd.DataFrame, target: dict, indicator: Indicator,
                  target_value: float | None, base_value: float | None) -> None:
        target_year = int(target["target_year"])
        at = full[full["year"] == target_year]
        if at.empty or target["target_kind"] == "qualitative" or target_value is None:
            return
        value = float(at["value"].iloc[-1])
        direction = _direction(target, indicator)
        met = progress.target_met(value, target_value, target["target_kind"], direction, self.tolerance)
        if target["every_year"]:
            base_year = _num(target["base_year"]) or (target_year - 5)
            span = full[(full["year"] > base_year) & (full["year"] <= target_year)]
            expected = target_year - int(base_year)
            if len(span) < expected:
                return  # a year is missing: the every-year condition cannot be judged
            met = all(progress.target_met(v, target_value, target["target_kind"], direction, self.tolerance)
                      for v in span["value"])
        row["realised_year"], row["realised_value"] = target_year, value
        at_base = base_value is not None and progress.target_met(
            base_value, target_value, target["target_kind"], direction, self.tolerance)
        row["verdict"] = ("met at base" if at_base and met else "met" if met else "missed")

    def _rates(self, row, years, values, segments, target_value, target_year, compound, indicator,
               region, limit) -> None:
        last = segments == segments[-1]
        ys, vs = (years[last], values[last]) if last.sum() >= 2 else (years, values)
        if last.sum() < 2 and len(set(segments)) > 1:
            row["break_note"] = f"rates cross the statistical break before {int(years[last][0])}"
        elif len(set(segments)) > 1:
            row["break_note"] = f"rates use the {int(ys[0])}–{int(ys[-1])} values on the latest basis"
        latest_year, latest = int(years[-1]), float(values[-1])
        if target_year > latest_year:
            row["required_rate"] = progress.annual_change(latest, target_value, target_year - latest_year, compound)
        wy, wv = progress.window(ys, vs, latest_year, 5)
        if len(wv) >= 2 and wy[-1] > wy[0]:
            row["observed_rate_5y"] = progress.annual_change(float(wv[0]), float(wv[-1]), int(wy[-1] - wy[0]), compound)
        if len(vs) >= 2 and ys[-1] > ys[0]:
            row["observed_rate_all"] = progress.annual_change(float(vs[0]), float(vs[-1]), int(ys[-1] - ys[0]), compound)
        stated = self.series(indicator.id, region, "growth_avg", limit)
        if len(stated):
            row["observed_rate_plan"] = float(stated["value"].iloc[-1])

    def _categories(self, row, years, values, segments, target_value, target_year, base_year,
                    base_value, direction, compound, met_now) -> None:
        last = segments == segments[-1]
        ys, vs = (years[last], values[last]) if last.sum() >= 3 else (years, values)
        crosses = not last.all() and last.sum() < 3
        cats = [
            progress.eurostat(ys, vs, target_value, target_year, compound, met_now),
            progress.unsd(ys, vs, target_value, target_year, base_year or int(ys[0]), compound, met_now),
            progress.destatis(ys, vs, target_value, target_year, direction, met_now),
        ]
        mid_latest = (int(years[-1]), float(values[-1]))
        cats.append(progress.midterm(base_year, base_value, *mid_latest, target_value, target_year, met_now))
        if base_year is not None:
            row["elapsed_share"] = (int(years[-1]) - base_year) / (target_year - base_year)
        for cat in cats:
            row[f"{cat.method}_category"] = cat.category
            row[f"{cat.method}_value"] = cat.value
            note = cat.note
            if crosses and cat.method != "midterm" and cat.assessed:
                note += " (series crosses a statistical break)"
            row[f"{cat.method}_note"] = note

    def _forecast(self, row, result, indicator, years, values, segments, target_value, target_year,
                  kind, direction, every_year, met_now, rng) -> None:
        latest_year = int(years[-1])
        if target_year <= latest_year:
            at = values[years == target_year]
            row["forecast_median"] = float(at[-1]) if len(at) else None
            row["p_reached"] = 1.0 if met_now else 0.0
            row["models"] = "observed"
            return
        simulated = self._simulate(row, result, indicator, years, values, segments, target_year, rng)
        if simulated is None:
            return
        combination, future, paths = simulated
        reached = reached_on_paths(paths, future, target_value, kind, direction, self.tolerance,
                                   every_year=every_year, target_year=target_year)
        if every_year and not met_now:
            reached = np.zeros_like(reached)
        row["p_reached"] = float(reached.mean())
        final = paths[:, -1]
        q = np.quantile(final, [0.025, 0.1, 0.9, 0.975])
        row["forecast_median"] = float(combination.forecast([target_year], n=self.n_paths, seed=self.seed)[0])
        row["forecast_low95"], row["forecast_low80"], row["forecast_high80"], row["forecast_high95"] = map(float, q)

    def _simulate(self, row, result, indicator, years, values, segments, target_year, rng
                  ) -> tuple[Combination, np.ndarray, np.ndarray] | None:
        """Fit the models (recording which were used and why others were left out), simulate
        paths to the target year and keep their quantile bands for the fan chart."""
        data = SeriesData(years, values, segments, choose_scale(indicator.kind, values))
        combination = fit_all(data, calibrate=True, seed=self.seed)
        row["models_skipped"] = "; ".join(f"{k}: {v}" for k, v in combination.skipped.items())
        row["models"] = ", ".join(combination.models)
        if not combination.results:
            return None
        future = np.arange(int(years[-1]) + 1, target_year + 1)
        paths = combination.simulate(future, self.n_paths, rng)
        result.bands = pd.DataFrame({"year": future, **{
            f"q{quantile:g}": np.quantile(paths, quantile, axis=0) for quantile in QUANTILES}})
        return combination, future, paths

    def _qualitative(self, row, result, indicator, years, values, segments, target_year,
                     direction, rng) -> TargetResult:
        """稳定增长 / 稳定改善: growth (or improvement) every year up to the target year."""
        rate_like = indicator.kind == "rate"
        row["rate_unit"] = "per yr"
        if rate_like:
            observed_ok = bool(np.all(values > 0))
        else:
            same = segments[1:] == segments[:-1]
            consecutive = np.diff(years) == 1
            steps = np.diff(values)[same & consecutive]
            observed_ok = bool(np.all(steps > 0)) if len(steps) else True
        for method in progress.METHODS:
            row[f"{method}_category"] = progress.UNABLE
            row[f"{method}_note"] = "qualitative target: the method needs a number"
        latest_year = int(years[-1])
        realised = self.series(indicator.id, row["region"], "level", None)
        span = realised[(realised["year"] > (row["base_year"] or latest_year)) & (realised["year"] <= target_year)]
        if row["base_year"] and len(span) == target_year - int(row["base_year"]):
            if rate_like:
                met = bool((span["value"] > 0).all())
            else:
                full = realised[realised["year"] >= int(row["base_year"])]
                met = bool((np.diff(full["value"].to_numpy()) > 0).all())
            row["realised_year"], row["realised_value"] = target_year, float(span["value"].iloc[-1])
            row["verdict"] = "met" if met else "missed"
        if target_year <= latest_year:
            row["p_reached"] = 1.0 if observed_ok else 0.0
            row["models"] = "observed"
            return self._finish(row, result)
        simulated = self._simulate(row, result, indicator, years, values, segments, target_year, rng)
        if simulated is not None:
            _, future, paths = simulated
            ok = reached_on_paths(paths, future, 0.0, "qualitative", direction, self.tolerance,
                                  qualitative_rate=rate_like, last_value=float(values[-1]))
            row["p_reached"] = float(ok.mean()) if observed_ok else 0.0
            row["forecast_median"] = float(np.median(paths[:, -1]))
        return self._finish(row, result)

    def _growth_target(self, row, result, indicator, target, target_value, limit, rng, unable):
        """A rate to keep (年均增长6%左右): judged on average growth from the base year."""
        growth = self.series(indicator.id, target["region"], "growth_yoy", limit)
        levels = self.series(indicator.id, target["region"], "level", limit)
        result.history = growth[["year", "value", "basis", "source", "source_detail"]].copy()
        row["rate_unit"] = "%/yr"
        row["required_rate"] = target_value
        for method in progress.METHODS:
            if method == "eurostat":  # its ratio of growth rates is read below
                continue
            row[f"{method}_category"] = progress.UNABLE
            row[f"{method}_note"] = "growth-rate target: the method applies to levels"
        start = _num(target["base_year"]) or (int(target["target_year"]) - 5)
        observed = growth[growth["year"] > start]["value"]
        if len(observed):
            row["observed_rate_all"] = float(observed.mean())
            row["n_points"], row["latest_year"] = len(observed), int(growth["year"].iloc[-1])
            row["latest_value"] = float(growth["value"].iloc[-1])
        elif len(levels) >= 2:
            ys, vs = levels["year"].to_numpy(), levels["value"].to_numpy()
            row["observed_rate_all"] = progress.annual_change(vs[0], vs[-1], ys[-1] - ys[0], True)
        else:
            return self._finish(row, unable(f"no growth data for {indicator.name_zh} after {int(start)}"))
        ratio = row["observed_rate_all"] / target_value if target_value else None
        if ratio is None:
            row["eurostat_category"] = progress.UNABLE
        else:
            row["eurostat_value"] = ratio
            row["eurostat_category"] = progress.band(ratio, progress.EUROSTAT_BANDS)
            row["eurostat_note"] = "average observed growth ÷ the growth rate the plan sets"
        row["models"] = ""
        row["models_skipped"] = "growth-rate targets are judged on observed average growth"
        self._realised_growth(row, indicator, target, target_value, int(start))
        return self._finish(row, result)

    def _cumulative_rate(self, row, result, indicator, target, target_value, limit, rng, unable):
        """〔15〕 on 能耗降低: the annual rates since the base year, compounded (see cumulative)."""
        base = _num(target["base_year"])
        if base is None:
            return self._finish(row, unable("a target over the plan period needs its base year"))
        base, target_year = int(base), int(target["target_year"])
        total = target_year - base
        history = self.series(indicator.id, target["region"], "level", limit)
        result.history = history[["year", "value", "basis", "source", "source_detail"]].copy()
        row["rate_unit"] = "% over the period"
        span = history[(history["year"] > base) & (history["year"] <= target_year)]
        missing = sorted(set(range(base + 1, int(span["year"].max()) + 1)) - set(span["year"])) \
            if len(span) else []
        if span.empty or missing:
            reason = f"missing {', '.join(map(str, missing))}" if missing else f"none after {base}"
            return self._finish(row, unable(f"a target over {base + 1}–{target_year} needs every "
                                            f"year's {indicator.name_zh}: {reason}"))
        rates = span["value"].to_numpy(dtype=float)
        done, years_done = cumulative.compounded(rates), len(rates)
        row["n_points"], row["first_year"] = years_done, int(span["year"].iloc[0])
        row["latest_year"], row["latest_value"] = int(span["year"].iloc[-1]), float(rates[-1])
        row["years_left"] = total - years_done
        row["observed_rate_all"] = cumulative.annual_equivalent(done, years_done)
        row["required_rate"] = cumulative.annual_equivalent(target_value, total)
        kind, direction = target["target_kind"], _direction(target, indicator)
        if years_done == total:
            met = progress.target_met(done, target_value, kind, direction, self.tolerance)
            row["realised_year"], row["realised_value"] = target_year, done
            row["verdict"] = "met" if met else "missed"
        ratio = row["observed_rate_all"] / row["required_rate"] if row["required_rate"] else None
        row["eurostat_value"] = ratio
        row["eurostat_category"] = progress.band(ratio, progress.EUROSTAT_BANDS) if ratio is not None \
            else progress.UNABLE
        row["eurostat_note"] = "average annual rate so far ÷ the annual rate the period total needs"
        # the period total starts at 0 in the base year: the way done against the time elapsed
        mid = progress.midterm(base, 0.0, base + years_done, done, target_value, target_year,
                               progress.target_met(done, target_value, kind, direction, self.tolerance))
        row["midterm_category"], row["midterm_value"], row["midterm_note"] = mid.category, mid.value, mid.note
        row["elapsed_share"] = years_done / total
        for method in ("unsd", "destatis"):
            row[f"{method}_category"] = progress.UNABLE
            row[f"{method}_note"] = "a period total of annual rates: the method extrapolates levels"
        final = cumulative.simulate_final(done, rates, total - years_done, self.n_paths, rng)
        row["forecast_median"] = float(np.median(final))
        row["forecast_low80"], row["forecast_high80"] = (float(q) for q in np.quantile(final, [0.1, 0.9]))
        row["forecast_low95"], row["forecast_high95"] = (float(q) for q in np.quantile(final, [0.025, 0.975]))
        row["p_reached"] = float(np.mean([progress.target_met(v, target_value, kind, direction, self.tolerance)
                                          for v in final]))
        row["models"] = "remaining years drawn around the observed annual rates"
        return self._finish(row, result)

    def _realised_growth(self, row: dict, indicator: Indicator, target: dict,
                         target_value: float | None, start: int) -> None:
        """Average annual growth from the base year to the target year, once every year is in."""
        target_year = int(target["target_year"])
        direction = _direction(target, indicator)
        growth = self.series(indicator.id, target["region"], "growth_yoy", None)
        span = growth[(growth["year"] > start) & (growth["year"] <= target_year)]
        realised = None
        if len(span) == target_year - start:
            realised = (float(np.prod(1 + span["value"].to_numpy() / 100)) ** (1 / len(span)) - 1) * 100
        else:
            levels = self.series(indicator.id, target["region"], "level", None).set_index("year")["value"]
            if start in levels.index and target_year in levels.index:
                realised = progress.annual_change(float(levels[start]), float(levels[target_year]),
                                                  target_year - start, True)
        if realised is None or target_value is None:
            return
        row["realised_year"], row["realised_value"] = target_year, realised
        met = progress.target_met(realised, target_value, target["target_kind"], direction, self.tolerance)
        row["verdict"] = "met" if met else "missed"

    def _finish(self, row: dict, result: TargetResult) -> TargetResult:
        p = row.get("p_reached")
        if row.get("verdict") and row.get("realised_year") and (self.as_of is None or self.as_of >= row["realised_year"]):
            row["status"] = row["verdict"]
            row["status_reason"] = f"{row['realised_year']} value {row['realised_value']:.4g} " \
                                   f"against the target {row['target_text']}"
        elif row.get("status") == "unable to assess":
            pass
        elif p is not None:
            row["status"] = "on track" if p >= 2 / 3 else "uncertain" if p >= 1 / 3 else "off track"
            row["status_reason"] = f"P(reached) = {p:.2f} from {row['models']}"
        elif row.get("eurostat_category") and row["eurostat_category"] != progress.UNABLE:
            cat = row["eurostat_category"]
            row["status"] = "on track" if cat in progress.ON_TRACK["eurostat"] else (
                "uncertain" if cat == "moderate progress" else "off track")
            row["status_reason"] = f"Eurostat category: {cat}; {_too_few(row)}"
        else:
            row["status"] = "unable to assess"
            row["status_reason"] = _too_few(row)
        # score the earlier call when the realised value lies beyond as_of
        if row.get("verdict") in ("met", "missed", "met at base") and self.as_of is not None \
                and row.get("realised_year") and row["realised_year"] > self.as_of:
            outcome = 1.0 if row["verdict"] != "missed" else 0.0
            if p is not None:
                row["brier"] = (p - outcome) ** 2
            for method in progress.METHODS:
                category = row.get(f"{method}_category")
                if category and category != progress.UNABLE:
                    row[f"called_{method}"] = (category in progress.ON_TRACK[method]) == bool(outcome)
        return result


def _too_few(row: dict) -> str:
    n = row.get("n_points") or 0
    if not n:
        return "no data"
    years = f"{row['first_year']}" if n == 1 or row["first_year"] == row["latest_year"] else \
        f"{row['first_year']}–{row['latest_year']}"
    return (f"{int(n)} value(s) ({years}): no forecast, the models need at least 3 values "
            "on one statistical basis")
