"""One evaluator per kind of target, chosen from a table (`EVALUATORS`):

- level:          a value to reach by the target year (表1's 2022 column, 以上/左右/以下);
- qualitative:    稳定增长 / 稳定改善, growth or improvement every year;
- average growth: 年均增长6%左右, judged on the average growth since the base year;
- period total:   能耗降低〔15〕, annual rates compounded since the base year.

Each takes a `TargetSpec` and a `Context` (where series come from, the settings, the random
generator) and returns an `Evaluation` of small typed parts; the status step comes after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dezhou_analysis.assess import cumulative
from dezhou_analysis.assess import monitors as progress
from dezhou_analysis.assess.forecast import SeriesData, choose_scale, fit_all, reached_on_paths
from dezhou_analysis.assess.monitors import Category
from dezhou_analysis.assess.parts import Evaluation, ForecastSummary, Rates, Realised, SeriesFacts
from dezhou_analysis.assess.results import QUANTILES
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.assess.spec import TargetSpec, number
from dezhou_analysis.assess.splice import Spliced, splice

HISTORY_COLUMNS = ["year", "value", "basis", "source", "source_detail"]


@dataclass
class Context:
    """What every evaluator needs besides the target.

    series:   (indicator_id, region, measure, last year or None) → the annual observations
    settings: the assessment's settings
    rng:      this target's random generator
    models:   the forecasting models that may join the combination
    bases:    like `series`, but every basis of a year (the overlap years a splice needs);
              None: no splicing, the latest basis alone is used
    """

    series: Callable[[str, str, str, int | None], pd.DataFrame]
    settings: AssessmentSettings
    rng: np.random.Generator
    models: tuple | None = None
    bases: Callable[[str, str, str, int | None], pd.DataFrame] | None = None


def evaluator_for(spec: TargetSpec) -> str:
    """The key of the evaluator in `EVALUATORS` that judges this target."""
    if spec.raw["target_measure"] == "growth_avg":
        return "average growth"
    if spec.raw.get("cumulative") and spec.indicator.kind == "rate" and spec.target_value is not None:
        return "period total"
    if spec.kind == "qualitative":
        return "qualitative"
    return "level"


@dataclass
class LevelSeries:
    """The level series up to as_of, as arrays; `segments` numbers the statistical bases.
    Where overlap years linked bases (`spliced`), the linked values are one segment on the
    latest basis and `spliced` says how."""

    years: np.ndarray
    values: np.ndarray
    segments: np.ndarray
    spliced: Spliced | None = None

    @property
    def splice_notes(self) -> list[str]:
        return self.spliced.notes if self.spliced is not None and self.spliced.links else []

    @property
    def broken(self) -> bool:
        return len(set(self.segments)) > 1

    def latest_basis(self) -> tuple[np.ndarray, np.ndarray]:
        """Years and values on the latest statistical basis: no rate, category or fit spans a
        break."""
        last = self.segments == self.segments[-1]
        return self.years[last], self.values[last]

    def break_year(self) -> int:
        return int(self.latest_basis()[0][0])


def _level_history(spec: TargetSpec, ctx: Context, ev: Evaluation) -> LevelSeries | None:
    """Load the level history (and judge the realised value); None, with the reason, if empty."""
    limit = ctx.settings.as_of
    full = ctx.series(spec.indicator.id, spec.region, "level", None)
    history = ctx.series(spec.indicator.id, spec.region, "level", limit)
    ev.history = history[HISTORY_COLUMNS].copy()
    ev.realised = realised_level(full, spec, ctx.settings.tolerance)
    if history.empty:
        ev.cannot(f"no {spec.region} data for {spec.indicator.name_zh}" + (f" up to {limit}" if limit else ""))
        return None
    series = LevelSeries(history["year"].to_numpy(dtype=int), history["value"].to_numpy(dtype=float),
                         pd.factorize(history["basis"].fillna(""))[0])  # in time order: sorted
    if series.broken and ctx.bases is not None:
        series = spliced_series(series, list(history["basis"].fillna("").astype(str)),
                                ctx.bases(spec.indicator.id, spec.region, "level", limit))
    ev.facts = SeriesFacts(len(series.values), int(series.years[0]), int(series.years[-1]),
                           float(series.values[-1]), spec.target_year - int(series.years[-1]))
    return series


def spliced_series(s: LevelSeries, bases: list[str], rows: pd.DataFrame) -> LevelSeries:
    """The series with every break an overlap year links spliced onto the latest basis (one
    segment); values before an unlinked break stay a segment of their own, as before."""
    linked = splice(s.years, s.values, bases, rows)
    if not linked.links:
        return s
    earlier = s.years < int(linked.years[0])
    years = np.concatenate([s.years[earlier], linked.years])
    values = np.concatenate([s.values[earlier], linked.values])
    segments = np.concatenate([np.zeros(int(earlier.sum()), dtype=int),
                               np.full(len(linked.years), int(earlier.any()), dtype=int)])
    return LevelSeries(years, values, segments, linked)


def realised_level(full: pd.DataFrame, spec: TargetSpec, tolerance: float) -> Realised:
    """The target year's value and verdict (every year of the span for an every-year target)."""
    target_year, target_value = spec.target_year, spec.target_value
    at = full[full["year"] == target_year]
    if at.empty or spec.kind == "qualitative" or target_value is None:
        return Realised()
    value = float(at["value"].iloc[-1])
    met = progress.target_met(value, target_value, spec.kind, spec.direction, tolerance)
    if spec.every_year:
        base_year = number(spec.raw["base_year"]) or (target_year - 5)
        span = full[(full["year"] > base_year) & (full["year"] <= target_year)]
        if len(span) < target_year - int(base_year):
            return Realised()  # a year is missing: the every-year condition cannot be judged
        met = all(progress.target_met(v, target_value, spec.kind, spec.direction, tolerance)
                  for v in span["value"])
    at_base = spec.base_value is not None and progress.target_met(
        spec.base_value, target_value, spec.kind, spec.direction, tolerance)
    return Realised(target_year, value, "met at base" if at_base and met else "met" if met else "missed")


def evaluate_level(spec: TargetSpec, ctx: Context) -> Evaluation:
    """A level to reach: rates, the four monitors' categories and the forecast."""
    ev = Evaluation()
    s = _level_history(spec, ctx, ev)
    if s is None:
        return ev
    if spec.target_value is None:
        return ev.cannot("the target has no number")
    met_now = _met_now(spec, s, ctx.settings.tolerance)
    compound = progress.uses_compound_rate(spec.indicator.kind, s.values)
    ev.rates = level_rates(spec, s, compound, ctx)
    ev.categories, ev.elapsed_share = level_categories(spec, s, compound, met_now)
    ev.forecast = level_forecast(spec, s, met_now, ctx, ev)
    return ev


def _met_now(spec: TargetSpec, s: LevelSeries, tolerance: float) -> bool:
    met_now = progress.target_met(s.values[-1], spec.target_value, spec.kind, spec.direction, tolerance)
    if spec.every_year:
        since = spec.raw["base_year"] if number(spec.raw["base_year"]) else s.years[0] - 1
        kind = "at_least" if spec.direction != "decrease" else "at_most"
        met_now = met_now and all(progress.target_met(v, spec.target_value, kind, spec.direction, 0)
                                  for y, v in zip(s.years, s.values, strict=True) if y > since)
    return met_now


def level_rates(spec: TargetSpec, s: LevelSeries, compound: bool, ctx: Context) -> Rates:
    """Required and observed annual change, on the latest basis where the series has a break."""
    unit = spec.panel_unit
    rates = Rates(rate_unit="%/yr" if compound else f"{unit}/yr" if unit != "%" else "pp/yr")
    years, values = s.years, s.values
    ys, vs = s.latest_basis()
    notes = list(s.splice_notes)
    if s.broken and len(ys) < 2:
        notes.append(f"only {len(ys)} value since the statistical break in {s.break_year()}: "
                     "no rate across it")
    elif s.broken or notes:
        notes.append(f"rates use the {int(ys[0])}–{int(ys[-1])} values on the latest basis")
    rates.break_note = "; ".join(notes) or None
    latest_year, latest = int(years[-1]), float(values[-1])
    if spec.target_year > latest_year:
        rates.required_rate = progress.annual_change(latest, spec.target_value,
                                                     spec.target_year - latest_year, compound)
    wy, wv = progress.window(ys, vs, latest_year, 5)
    if len(wv) >= 2 and wy[-1] > wy[0]:
        rates.observed_rate_5y = progress.annual_change(float(wv[0]), float(wv[-1]), int(wy[-1] - wy[0]), compound)
    if len(vs) >= 2 and ys[-1] > ys[0]:
        rates.observed_rate_all = progress.annual_change(float(vs[0]), float(vs[-1]), int(ys[-1] - ys[0]), compound)
    stated = ctx.series(spec.indicator.id, spec.region, "growth_avg", ctx.settings.as_of)
    if len(stated):
        rates.observed_rate_plan = float(stated["value"].iloc[-1])
    return rates


def level_categories(spec: TargetSpec, s: LevelSeries, compound: bool, met_now: bool
                     ) -> tuple[dict[str, Category], float | None]:
    """The four monitors' categories and the share of the plan period elapsed, on the latest
    statistical basis: with fewer than three values since a break (or a base year before it)
    a method that would compare across the break says so instead; a target the latest value
    already meets needs no comparison."""
    years = s.years
    target_value, target_year, base_year = spec.target_value, spec.target_year, spec.base_year
    ys, vs = s.latest_basis()
    elapsed = (int(years[-1]) - base_year) / (target_year - base_year) if base_year is not None else None
    if s.broken and len(ys) < 3 and not met_now:
        note = f"{len(ys)} value(s) since the statistical break in {s.break_year()}: not compared across it"
        cats = [Category(m, progress.UNABLE, None, note) for m in ("eurostat", "unsd", "destatis")]
    else:
        cats = [progress.eurostat(ys, vs, target_value, target_year, compound, met_now),
                progress.unsd(ys, vs, target_value, target_year, base_year or int(ys[0]), compound, met_now),
                progress.destatis(ys, vs, target_value, target_year, spec.direction, met_now)]
    if s.broken and base_year is not None and base_year < s.break_year() and not met_now:
        cats.append(Category("midterm", progress.UNABLE, None, f"the base year {base_year} lies before "
                             f"the statistical break in {s.break_year()}: not compared across it"))
    else:
        cats.append(_midterm_on_latest_basis(spec, s, met_now))
    return {cat.method: cat for cat in cats}, elapsed


def _midterm_on_latest_basis(spec: TargetSpec, s: LevelSeries, met_now: bool) -> Category:
    """The mid-term rule; a base year on a basis a splice linked has its base value put on the
    latest basis by the same overlap ratio, so the way done is not read across the break."""
    base_value, factor = spec.base_value, None
    if s.splice_notes and spec.base_year is not None and base_value is not None:
        factor = s.spliced.factor_for(int(spec.base_year))
        base_value = base_value * factor if factor is not None else base_value
    cat = progress.midterm(spec.base_year, base_value, int(s.years[-1]), float(s.values[-1]),
                           spec.target_value, spec.target_year, met_now)
    if factor is not None and factor != 1.0:
        cat.note = f"{cat.note}; base value × {factor:.3g} (spliced onto the latest basis)"
    return cat


def level_forecast(spec: TargetSpec, s: LevelSeries, met_now: bool, ctx: Context,
                   ev: Evaluation) -> ForecastSummary:
    """P(reached) and the forecast band at the target year (observed when the year is in)."""
    target_year, settings = spec.target_year, ctx.settings
    if target_year <= int(s.years[-1]):
        at = s.values[s.years == target_year]
        return ForecastSummary(forecast_median=float(at[-1]) if len(at) else None,
                               p_reached=1.0 if met_now else 0.0, models="observed")
    summary = simulate(spec, s, ctx, ev)
    if ev.paths is None:
        return summary
    reached = reached_on_paths(ev.paths, ev.years, spec.target_value, spec.kind, spec.direction,
                               settings.tolerance, every_year=spec.every_year, target_year=target_year)
    if spec.every_year and not met_now:
        reached = np.zeros_like(reached)
    summary.p_reached = float(reached.mean())
    q = np.quantile(ev.paths[:, -1], [0.025, 0.1, 0.5, 0.9, 0.975])
    (summary.forecast_low95, summary.forecast_low80, summary.forecast_median, summary.forecast_high80,
     summary.forecast_high95) = map(float, q)
    return summary


def simulate(spec: TargetSpec, s: LevelSeries, ctx: Context, ev: Evaluation) -> ForecastSummary:
    """Fit the models (recording which were used and why others were left out), simulate paths
    to the target year and keep them, with their quantile bands for the fan chart."""
    ys, vs = s.latest_basis()
    data = SeriesData(ys, vs, [], choose_scale(spec.indicator.kind, vs))
    kwargs = {"models": ctx.models} if ctx.models is not None else {}
    combination = fit_all(data, calibrate=True, seed=ctx.settings.seed, **kwargs)
    skipped = [f"{k}: {v}" for k, v in combination.skipped.items()]
    if s.splice_notes:
        skipped.append(f"fitted to the spliced {int(ys[0])}–{int(ys[-1])} series ("
                       + "; ".join(s.splice_notes) + ")")
    if s.broken:
        skipped.append(f"fitted to the {len(ys)} value(s) since the statistical break in {s.break_year()}")
    summary = ForecastSummary(models=", ".join(combination.models), models_skipped="; ".join(skipped))
    ev.data, ev.combination = data, combination
    if not combination.results:
        return summary
    future = np.arange(int(s.years[-1]) + 1, spec.target_year + 1)
    paths = combination.simulate(future, ctx.settings.n_paths, ctx.rng)
    ev.years, ev.paths = future, paths
    bands = np.quantile(paths, QUANTILES, axis=0)  # one sort for every quantile
    ev.bands = pd.DataFrame({"year": future, **{f"q{q:g}": bands[i] for i, q in enumerate(QUANTILES)}})
    return summary


def evaluate_qualitative(spec: TargetSpec, ctx: Context) -> Evaluation:
    """稳定增长 / 稳定改善: growth (or improvement) every year up to the target year."""
    ev = Evaluation()
    s = _level_history(spec, ctx, ev)
    if s is None:
        return ev
    rate_like = spec.indicator.kind == "rate"
    ev.rates = Rates(rate_unit="per yr")
    if rate_like:
        observed_ok = bool(np.all(s.values > 0))
    else:
        same = s.segments[1:] == s.segments[:-1]
        steps = np.diff(s.values)[same & (np.diff(s.years) == 1)]
        observed_ok = bool(np.all(steps > 0)) if len(steps) else True
    note = "qualitative target: the method needs a number"
    ev.categories = {m: Category(m, progress.UNABLE, None, note) for m in progress.METHODS}
    ev.realised = _realised_every_year(spec, s, ctx, rate_like)
    if spec.target_year <= int(s.years[-1]):
        ev.forecast = ForecastSummary(p_reached=1.0 if observed_ok else 0.0, models="observed")
        return ev
    ev.forecast = simulate(spec, s, ctx, ev)
    if ev.paths is not None:
        ok = reached_on_paths(ev.paths, ev.years, 0.0, "qualitative", spec.direction,
                              ctx.settings.tolerance, qualitative_rate=rate_like,
                              last_value=float(s.values[-1]))
        ev.forecast.p_reached = float(ok.mean()) if observed_ok else 0.0
        ev.forecast.forecast_median = float(np.median(ev.paths[:, -1]))
    return ev


def _realised_every_year(spec: TargetSpec, s: LevelSeries, ctx: Context, rate_like: bool) -> Realised:
    """Met when every year from the base year to the target year grew (or improved)."""
    base_year, target_year = spec.raw["base_year"], spec.target_year
    realised = ctx.series(spec.indicator.id, spec.region, "level", None)
    span = realised[(realised["year"] > (base_year or int(s.years[-1]))) & (realised["year"] <= target_year)]
    if not (base_year and len(span) == target_year - int(base_year)):
        return Realised()
    if rate_like:
        met = bool((span["value"] > 0).all())
    else:
        full = realised[realised["year"] >= int(base_year)]
        met = bool((np.diff(full["value"].to_numpy()) > 0).all())
    return Realised(target_year, float(span["value"].iloc[-1]), "met" if met else "missed")


def evaluate_average_growth(spec: TargetSpec, ctx: Context) -> Evaluation:
    """A rate to keep (年均增长6%左右): judged on average growth from the base year."""
    ev, limit = Evaluation(), ctx.settings.as_of
    growth = ctx.series(spec.indicator.id, spec.region, "growth_yoy", limit)
    levels = ctx.series(spec.indicator.id, spec.region, "level", limit)
    ev.history = growth[HISTORY_COLUMNS].copy()
    ev.rates = Rates(rate_unit="%/yr", required_rate=spec.target_value)
    note = "growth-rate target: the method applies to levels"
    ev.categories = {m: Category(m, progress.UNABLE, None, note) for m in progress.METHODS if m != "eurostat"}
    start = number(spec.raw["base_year"]) or (spec.target_year - 5)
    observed = growth[growth["year"] > start]["value"]
    if len(observed):
        ev.rates.observed_rate_all = float(observed.mean())
        ev.facts = SeriesFacts(n_points=len(observed), latest_year=int(growth["year"].iloc[-1]),
                               latest_value=float(growth["value"].iloc[-1]))
    elif len(levels) >= 2:
        ys, vs = levels["year"].to_numpy(), levels["value"].to_numpy()
        ev.rates.observed_rate_all = progress.annual_change(vs[0], vs[-1], ys[-1] - ys[0], True)
    else:
        return ev.cannot(f"no growth data for {spec.indicator.name_zh} after {int(start)}")
    target_value = spec.target_value
    ratio = ev.rates.observed_rate_all / target_value if target_value else None
    ev.categories["eurostat"] = Category("eurostat", progress.UNABLE, None, None) if ratio is None else \
        Category("eurostat", progress.band(ratio, progress.EUROSTAT_BANDS), ratio,
                 "average observed growth ÷ the growth rate the plan sets")
    ev.forecast = ForecastSummary(models="",
                                  models_skipped="growth-rate targets are judged on observed average growth")
    ev.realised = _realised_growth(spec, ctx, int(start))
    return ev


def _realised_growth(spec: TargetSpec, ctx: Context, start: int) -> Realised:
    """Average annual growth from the base year to the target year, once every year is in."""
    target_year = spec.target_year
    growth = ctx.series(spec.indicator.id, spec.region, "growth_yoy", None)
    span = growth[(growth["year"] > start) & (growth["year"] <= target_year)]
    realised = None
    if len(span) == target_year - start:
        realised = (float(np.prod(1 + span["value"].to_numpy() / 100)) ** (1 / len(span)) - 1) * 100
    else:
        levels = ctx.series(spec.indicator.id, spec.region, "level", None).set_index("year")["value"]
        if start in levels.index and target_year in levels.index:
            realised = progress.annual_change(float(levels[start]), float(levels[target_year]),
                                              target_year - start, True)
    if realised is None or spec.target_value is None:
        return Realised()
    met = progress.target_met(realised, spec.target_value, spec.kind, spec.direction, ctx.settings.tolerance)
    return Realised(target_year, realised, "met" if met else "missed")


def evaluate_period_total(spec: TargetSpec, ctx: Context) -> Evaluation:
    """〔15〕 on 能耗降低: the annual rates since the base year, compounded (see cumulative)."""
    ev, settings = Evaluation(), ctx.settings
    base, target_year = spec.base_year, spec.target_year
    if base is None:
        return ev.cannot("a target over the plan period needs its base year")
    total = target_year - base
    history = ctx.series(spec.indicator.id, spec.region, "level", settings.as_of)
    ev.history = history[HISTORY_COLUMNS].copy()
    ev.rates = Rates(rate_unit="% over the period")
    span = history[(history["year"] > base) & (history["year"] <= target_year)]
    missing = sorted(set(range(base + 1, int(span["year"].max()) + 1)) - set(span["year"])) \
        if len(span) else []
    if span.empty or missing:
        reason = f"missing {', '.join(map(str, missing))}" if missing else f"none after {base}"
        return ev.cannot(f"a target over {base + 1}–{target_year} needs every "
                         f"year's {spec.indicator.name_zh}: {reason}")
    rates = span["value"].to_numpy(dtype=float)
    done, years_done = cumulative.compounded(rates), len(rates)
    ev.facts = SeriesFacts(years_done, int(span["year"].iloc[0]), int(span["year"].iloc[-1]),
                           float(rates[-1]), total - years_done)
    ev.rates.observed_rate_all = cumulative.annual_equivalent(done, years_done)
    ev.rates.required_rate = cumulative.annual_equivalent(spec.target_value, total)
    ev.categories, ev.elapsed_share = _period_categories(spec, ev.rates, done, years_done, settings)
    if years_done == total:
        met = progress.target_met(done, spec.target_value, spec.kind, spec.direction, settings.tolerance)
        ev.realised = Realised(target_year, done, "met" if met else "missed")
    final = cumulative.simulate_final(done, rates, total - years_done, settings.n_paths, ctx.rng)
    low95, low80, high80, high95 = (float(q) for q in np.quantile(final, [0.025, 0.1, 0.9, 0.975]))
    p = float(np.mean([progress.target_met(v, spec.target_value, spec.kind, spec.direction,
                                           settings.tolerance) for v in final]))
    ev.forecast = ForecastSummary(float(np.median(final)), low80, high80, low95, high95, p,
                                  "remaining years drawn around the observed annual rates")
    return ev


def _period_categories(spec: TargetSpec, rates: Rates, done: float, years_done: int,
                       settings: AssessmentSettings) -> tuple[dict[str, Category], float]:
    """Eurostat on annual-equivalent rates, the mid-term rule on the way done; the period total
    starts at 0 in the base year."""
    base, target_year, total = spec.base_year, spec.target_year, spec.target_year - spec.base_year
    ratio = rates.observed_rate_all / rates.required_rate if rates.required_rate else None
    note = "a period total of annual rates: the method extrapolates levels"
    met = progress.target_met(done, spec.target_value, spec.kind, spec.direction, settings.tolerance)
    return {
        "eurostat": Category("eurostat", progress.band(ratio, progress.EUROSTAT_BANDS)
                             if ratio is not None else progress.UNABLE, ratio,
                             "average annual rate so far ÷ the annual rate the period total needs"),
        "unsd": Category("unsd", progress.UNABLE, None, note),
        "destatis": Category("destatis", progress.UNABLE, None, note),
        "midterm": progress.midterm(base, 0.0, base + years_done, done, spec.target_value,
                                    target_year, met),
    }, years_done / total


#: the evaluator of each kind of target (keys from `evaluator_for`)
EVALUATORS: dict[str, Callable[[TargetSpec, Context], Evaluation]] = {
    "level": evaluate_level,
    "qualitative": evaluate_qualitative,
    "average growth": evaluate_average_growth,
    "period total": evaluate_period_total,
}
