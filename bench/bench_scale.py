"""Time and peak memory of validate, panel and run on large yearbook files.

A project copy gets one long-layout yearbook CSV of N rows (every level and count indicator of
the registry, years 1950–2025, as many regions as N needs); each command runs in its own
process and the peak memory of its whole process tree (the runner, its workers and their
kernels, summed as proportional set size, so shared pages count once) is sampled every 0.2 s.
The shipped data, with no added file, is the reference line.

    python bench/bench_scale.py                 # reference (0 rows added), 20k and 200k rows
    python bench/bench_scale.py 0 2000000       # these sizes only (2M rows: minutes; the input
                                                # limit is raised for it with --max-input-mb)
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from project import fresh_project  # bench/project.py: a script's folder is on its path

ROOT = Path(__file__).resolve().parents[1]
YEARS = range(1950, 2026)
JOBS = 2


def write_yearbook(path: Path, rows: int) -> None:
    """A long CSV of `rows` distinct cells with plausible positive values and a few notes."""
    from dezhou_analysis.core.indicators import default_registry
    indicators = [i for i in default_registry().indicators.values()
                  if i.kind in ("level", "count") and not i.parts and i.unit]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["indicator", "region", "year", "value", "unit", "source", "note"])
        written, region = 0, 0
        while written < rows:
            name = "德州市" if region == 0 else f"样本{region}区"
            for indicator in indicators:
                for year in YEARS:
                    if written == rows:
                        return
                    value = 10 + (written * 7919 % 10007) / 10
                    writer.writerow([indicator.name_zh, name, year, f"{value:.1f}", indicator.unit,
                                     "bench", "估算" if written % 97 == 0 else ""])
                    written += 1
            region += 1


def tree_pss(pid: int) -> int:
    """Proportional set size, in bytes, of a process and all its descendants."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except psutil.Error:  # ended while being measured
            continue
    return total


def measure(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """(seconds, peak memory of the process tree in bytes, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_pss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    sampler.join()
    if process.returncode:  # say why, briefly
        failed = [line for line in out.decode("utf-8", "replace").splitlines()
                  if line.startswith(("FAILED", "error", "  -"))]
        sys.stderr.write("\n".join(failed[:5]) + "\n")
    return time.perf_counter() - started, peak, process.returncode


def bench(rows: int, folder: Path) -> list[str]:
    project = fresh_project(folder / f"p{rows}")
    cli = [sys.executable, "-m", "dezhou_analysis", "--project", str(project)]
    if rows > 1_000_000:
        cli += ["--max-input-mb", "1024"]
    target = project / "data" / "raw" / "yearbook" / "scale.csv"
    if rows:
        write_yearbook(target, rows)
    size = target.stat().st_size / 2**20 if rows else 0.0
    line = [f"{rows:>9,} rows ({size:5.1f} MB)"]
    steps = (("validate", ["validate", str(project / "data" / "raw" / "yearbook")]),
             ("panel", ["panel"]),
             (f"run --jobs {JOBS}", ["run", "--jobs", str(JOBS), "--out", str(folder / f"run{rows}")]))
    for name, args in steps:
        seconds, peak, code = measure(cli + args, project)
        flag = "" if code == 0 else f" exit {code}"
        line.append(f"{name} {seconds:6.1f} s {peak / 2**30:5.2f} GB{flag}")
    return line


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [0, 20_000, 200_000]
    print("rows            | validate            | panel               | run (peak = whole process tree)")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            print(" | ".join(bench(rows, Path(tmp))), flush=True)
    print("bar: 200k rows end to end with peak memory under 2 GB at --jobs 2")


if __name__ == "__main__":
    main()
