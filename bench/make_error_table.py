"""Write dezhou_analysis/package_data/forecast_errors.csv: quantiles of the forecast errors the
suite's models made on the reference panels (plm SumHes and plm Produc), by the number of values
n (3–10) and the horizon h (1–5), each error divided by the series' own year-to-year spread.

    .venv/bin/python bench/make_error_table.py          # write the table
    .venv/bin/python bench/make_error_table.py --check  # exit 1 if the shipped table differs

Every origin of every series is used. The centre is the median of the voting models' point
forecasts, as the assessment computes it; the spread is `calibrated.year_spread`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import calibration as cal  # noqa: E402

from dezhou_analysis.assess.calibrated import PROBS, TABLE_FILE, year_spread  # noqa: E402
from dezhou_analysis.assess.forecast import SeriesData, fit_all  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "dezhou_analysis" / "package_data" / TABLE_FILE
SCALES = {"level": "log", "share": "logit"}


def errors(panels=cal.REFERENCE) -> pd.DataFrame:
    """One row per window and horizon: n, h and the standardised error."""
    rows = []
    for panel in panels:
        for series in cal.load_series(panel):
            for w in cal.windows([series], per_n=10_000):
                data = SeriesData(w.years, w.values, [], SCALES[series.kind])
                combination = fit_all(data, calibrate=False)
                actual = w.future()
                steps = np.arange(1, int(np.isfinite(actual).sum()) + 1)
                if len(steps) == 0:
                    continue
                centre = combination.centre(steps)
                spread = year_spread(data.z)
                z_actual = cal.scale(actual[:len(steps)], series.kind)
                for h, e in zip(steps, (z_actual - centre) / spread, strict=True):
                    rows.append((w.n, int(h), float(e)))
    return pd.DataFrame(rows, columns=["n", "h", "error"])


def table(errs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (n, h), group in errs.groupby(["n", "h"]):
        for p, q in zip(PROBS, np.quantile(group["error"], PROBS), strict=True):
            rows.append({"n": int(n), "h": int(h), "prob": p, "quantile": round(float(q), 4),
                         "windows": len(group)})
    return pd.DataFrame(rows)


def main() -> int:
    fresh = table(errors())
    if "--check" in sys.argv:
        shipped = pd.read_csv(OUT)
        same = shipped.shape == fresh.shape and np.allclose(shipped["quantile"], fresh["quantile"], atol=1e-4)
        print("the shipped table matches the reference panels" if same else "the shipped table differs")
        return 0 if same else 1
    fresh.to_csv(OUT, index=False, float_format="%.4f")
    print(f"wrote {OUT} ({len(fresh)} rows from {int(fresh.groupby(['n', 'h'])['windows'].first().sum())} errors)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
