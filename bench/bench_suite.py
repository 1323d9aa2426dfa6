"""The full suite's wall time against two references measured in the same run:

- the floor: for each notebook, papermill (the command) on a notebook that only imports the same
  libraries, summed and divided by --jobs;
- the naive way: each notebook in turn with `jupyter nbconvert --execute --to html`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JOBS = 2


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def import_only(name: str, folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy, pandas, matplotlib.pyplot, seaborn, statsmodels.api\n"
        f"from dezhou_analysis.reports import {name} as report")]
    path = folder / f"{name}_imports.ipynb"
    nbformat.write(nb, path)
    return path


def main() -> None:
    from dezhou_analysis.run.runner import discover_notebooks
    notebooks = discover_notebooks(ROOT / "notebooks")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        suite = wall([str(BIN / "dezhou-analysis"), "run", "--jobs", str(JOBS), "--out", str(tmp / "suite")], ROOT)
        floors = []
        for path in notebooks:
            stub = import_only(path.stem, tmp)
            floors.append(wall([str(BIN / "papermill"), str(stub), str(tmp / f"{path.stem}_out.ipynb"),
                                "-k", "python3", "--no-progress-bar"], ROOT / "notebooks"))
        floor = sum(floors) / JOBS
        naive = 0.0
        for path in notebooks:
            naive += wall([str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "html",
                           "--output-dir", str(tmp / "naive"), str(path)], ROOT / "notebooks")
    print(f"suite: {len(notebooks)} notebooks, --jobs {JOBS}: {suite:.1f} s")
    print(f"floor: papermill on import-only notebooks, {sum(floors):.1f} s / {JOBS} jobs = {floor:.1f} s "
          f"(per notebook {', '.join(f'{f:.1f}' for f in floors)})")
    print(f"naive: nbconvert --execute --to html, one after another: {naive:.1f} s")
    print(f"suite / floor = {suite / floor:.2f} (aim ≤ 1.3); naive / suite = {naive / suite:.2f} (aim ≥ 2)")


if __name__ == "__main__":
    main()
