"""Are the forecasts honest? Interval coverage and P(reached) on real annual panels the error
table never saw (plm Cigar, AER Fatalities, plm Grunfeld; see calibration.py), as the assessment
makes them, from every origin of every series (about 95,000 plan-like targets; three minutes),
beside the models' own uncalibrated intervals; a reliability chart goes to
bench/results/reliability.png.

    .venv/bin/python bench/bench_calibration.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import calibration as cal  # noqa: E402

from dezhou_analysis.assess.forecast import SeriesData, fit_all  # noqa: E402

RESULTS = Path(__file__).parent / "results"
SCALES = {"level": "log", "share": "logit"}


def forecaster(calibrate: bool):
    def forecast(years, values, kind, horizon, n_paths, rng):
        combination = fit_all(SeriesData(years, values, [], SCALES[kind]), calibrate=calibrate)
        return combination.simulate(np.arange(years[-1] + 1, years[-1] + 1 + horizon), n_paths, rng)
    return forecast


#: every origin of every series (the tests sample three per series and n, for time)
ALL_ORIGINS = 10_000


def evaluation_scores(calibrate: bool = True, per_n: int = 3, n_paths: int = 1000):
    series = [s for panel in cal.EVALUATION for s in cal.load_series(panel)]
    return cal.score(forecaster(calibrate), cal.windows(series, per_n=per_n), n_paths=n_paths)


def reliability_chart(tables: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="calibrated")
    for label, table in tables.items():
        ax.plot(table["mean_p"], table["reached"], marker="o", label=label)
    ax.set_xlabel("P(reached)")
    ax.set_ylabel("share reached")
    ax.set_title("Plan-like targets on Cigar, Fatalities, Grunfeld")
    ax.legend(loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    tables = {}
    for calibrate, label in ((False, "models' own intervals"), (True, "calibrated (error table)")):
        start = time.perf_counter()
        scores = evaluation_scores(calibrate, per_n=ALL_ORIGINS)
        print(f"\n== {label}: {len(scores)} forecasts from {scores['series'].nunique()} series "
              f"({time.perf_counter() - start:.1f} s)")
        print(cal.summary(scores))
        tables[label] = cal.reliability(scores)
    reliability_chart(tables, RESULTS / "reliability.png")
    print(f"\nreliability chart: {RESULTS / 'reliability.png'}")


if __name__ == "__main__":
    main()
