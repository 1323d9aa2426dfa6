"""The full suite's wall time against two references measured in the same run, and what a run
costs when little or nothing changed:

- the suite from nothing: a fresh copy of the project (no data/processed, no outputs/.cache);
- the floor: for each notebook, papermill (the command) on a notebook that only imports the same
  libraries, summed and divided by --jobs;
- the naive way: each notebook in turn with `jupyter nbconvert --execute --to html`;
- the same suite again with nothing changed;
- the suite after changing one notebook's parameter (which notebooks ran, from the manifest).

Each line gives wall time and the CPU time of everything it started (user + system), which
says more than wall time on a machine shared with other work.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from project import fresh_project  # bench/project.py: a script's folder is on its path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JOBS = 2
CHANGED_PARAMETER = "scenarios.tolerance=0.04"


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one command (its children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_only(name: str, folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy, pandas, matplotlib.pyplot, seaborn, statsmodels.api\n"
        f"from dezhou_analysis.reports import {name} as report")]
    path = folder / f"{name}_imports.ipynb"
    nbformat.write(nb, path)
    return path


def suite(project: Path, out: Path, *extra: str) -> tuple[float, float, dict]:
    wall, cpu = measure([str(BIN / "dezhou-analysis"), "--project", str(project), "run", "--jobs",
                         str(JOBS), "--out", str(out), *extra], project)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return wall, cpu, manifest


def ran(manifest: dict) -> str:
    names = manifest["cache"]["ran"]
    return ", ".join(names) if names else "none"


def main() -> None:
    from dezhou_analysis.run.runner import discover_notebooks
    notebooks = discover_notebooks(ROOT / "notebooks")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = fresh_project(tmp / "project")
        first, first_cpu, first_manifest = suite(project, tmp / "suite")
        floors, floor_cpu = [], 0.0
        for path in notebooks:
            stub = import_only(path.stem, tmp)
            wall, cpu = measure([str(BIN / "papermill"), str(stub), str(tmp / f"{path.stem}_out.ipynb"),
                                 "-k", "python3", "--no-progress-bar"], ROOT / "notebooks")
            floors.append(wall)
            floor_cpu += cpu
        floor = sum(floors) / JOBS
        naive, naive_cpu = 0.0, 0.0
        for path in notebooks:
            wall, cpu = measure([str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "html",
                                 "--output-dir", str(tmp / "naive"), str(path)], ROOT / "notebooks")
            naive, naive_cpu = naive + wall, naive_cpu + cpu
        again, again_cpu, again_manifest = suite(project, tmp / "again")
        changed, changed_cpu, changed_manifest = suite(project, tmp / "changed", "-p", CHANGED_PARAMETER)
    print(f"suite from nothing: {len(notebooks)} notebooks, --jobs {JOBS}: {first:.1f} s "
          f"(cpu {first_cpu:.1f} s; ran: {ran(first_manifest)})")
    print(f"floor: papermill on import-only notebooks, {sum(floors):.1f} s / {JOBS} jobs = {floor:.1f} s "
          f"(cpu {floor_cpu:.1f} s; per notebook {', '.join(f'{f:.1f}' for f in floors)})")
    print(f"naive: nbconvert --execute --to html, one after another: {naive:.1f} s (cpu {naive_cpu:.1f} s)")
    print(f"again, nothing changed: {again:.2f} s (cpu {again_cpu:.2f} s; ran: {ran(again_manifest)})")
    print(f"after -p {CHANGED_PARAMETER}: {changed:.1f} s (cpu {changed_cpu:.1f} s; "
          f"ran: {ran(changed_manifest)})")
    print(f"suite / floor = {first / floor:.2f} (aim ≤ 1.0); naive / suite = {naive / first:.2f} "
          f"(aim ≥ 2.5); again / suite = {again / first:.1%} (aim < 10 %)")


if __name__ == "__main__":
    main()
