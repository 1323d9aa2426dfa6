"""Parse time for the five shipped documents, and for the plan repeated 1×, 10× and 100×
(time should grow linearly with text length)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from dezhou_analysis.core.indicators import default_registry
from dezhou_analysis.documents.reader import parse_document, parse_text
from dezhou_analysis.documents.sources import list_documents, load_document

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "raw" / "documents" / "dezhou_plan_new_old_drivers_2018-2022.txt"


def timed(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    registry = default_registry()
    docs = [load_document(p) for p in list_documents(ROOT / "data" / "raw" / "documents")]
    size = sum(len(d.text) for d in docs)
    five = timed(lambda: [parse_document(d, registry) for d in docs], 15)
    print(f"parse: 5 documents ({size / 1000:.0f} k characters): {five:.3f} s (median of 15; aim < 0.2 s)")
    plan = PLAN.read_text(encoding="utf-8")
    meta = {"kind": "plan", "date": "2018-06-08", "region": "德州市", "plan_period": "2018-2022"}
    per_char = []
    for copies in (1, 10, 100):
        text = "\n\n".join([plan] * copies)
        seconds = timed(lambda text=text: parse_text(text, "plan.txt", meta, registry), 3 if copies < 100 else 1)
        per_char.append(seconds / len(text) * 1e6)
        print(f"parse: plan × {copies:3d} ({len(text) / 1e6:.2f} M characters): {seconds:.3f} s "
              f"({per_char[-1]:.2f} µs per character)")
    print(f"parse: growth from 1× to 100×: {per_char[-1] / per_char[0]:.2f}× the time per character "
          "(1.0 = linear)")


if __name__ == "__main__":
    main()
