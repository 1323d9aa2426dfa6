"""Runs never mix and leave nothing behind: two runs started together both end complete and
unmixed; a runner killed with SIGKILL takes its workers and kernels with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from dezhou_analysis.run.lock import RunInProgress, clean_stale_partials, project_lock
from tests.conftest import copy_project


def descendants(pid: int) -> set[int]:
    """Every process started by pid, directly or not (none once it is gone)."""
    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent is not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def cli(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "dezhou_analysis", "--project", str(project), *args]


def test_the_lock_is_exclusive_and_says_who_holds_it(tmp_path):
    said = []
    with project_lock(tmp_path, "run", say=said.append):
        holder = subprocess.run(
            [sys.executable, "-c", "from pathlib import Path; from dezhou_analysis.run.lock import "
             f"project_lock\nwith project_lock(Path({str(tmp_path)!r}), 'panel', wait=0): pass"],
            capture_output=True, text=True, timeout=60)
        assert holder.returncode == 1
        assert "another run is in progress (`run`, pid " in holder.stderr
        assert f"pid {os.getpid()}" in holder.stderr
    with project_lock(tmp_path, "panel", wait=0):  # released: free again
        pass
    with project_lock(tmp_path, "run"), pytest.raises(RunInProgress, match="still in progress"):
        with project_lock(tmp_path, "assess", wait=0.5, say=said.append):
            pass
    assert said and said[-1].startswith("another run is in progress (`run`, pid ")
    assert said[-1].endswith("waiting up to 0 s for it to finish") or "waiting up to 1 s" in said[-1]


def test_stale_partial_folders_are_removed(tmp_path):
    (tmp_path / ".20260101-000000.partial" / "reports").mkdir(parents=True)
    (tmp_path / "20260101-000000").mkdir()
    removed = clean_stale_partials(tmp_path)
    assert [p.name for p in removed] == [".20260101-000000.partial"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20260101-000000"]


@pytest.mark.slow
def test_two_runs_started_together_both_end_complete_and_unmixed(tmp_path):
    project = copy_project(tmp_path / "project")
    only = ["--only", "plan_extraction"]
    runs = {"all": [], "2019": ["-p", "as_of=2019"]}
    processes = {name: subprocess.Popen(cli(project, "run", *params, *only), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for name, params in runs.items()}
    outputs = {name: p.communicate(timeout=600) for name, p in processes.items()}
    for name, process in processes.items():
        assert process.returncode == 0, outputs[name]
    said = "".join(err for _, err in outputs.values())
    assert "another run is in progress" in said
    folders = {name: Path(out.strip().splitlines()[-1]).parent for name, (out, _) in outputs.items()}
    assert folders["all"] != folders["2019"]
    for name, folder in folders.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        as_of = manifest["parameters"]["notebooks"]["target_reachability"].get("as_of")
        assert (as_of == 2019) == (name == "2019"), (name, as_of)
        assert not list(folder.parent.glob(".*.partial"))
    latest = (project / "outputs" / "latest").resolve()
    assert latest in folders.values()
    assert (latest / "tables" / "data" / "assessment.csv").read_bytes() == \
        (project / "data" / "processed" / "assessment.csv").read_bytes()
    other = next(f for f in folders.values() if f != latest)
    assert (other / "tables" / "data" / "assessment.csv").read_bytes() != \
        (latest / "tables" / "data" / "assessment.csv").read_bytes()


@pytest.mark.slow
def test_a_runner_killed_with_sigkill_leaves_no_process_behind(tmp_path):
    project = copy_project(tmp_path / "project")
    process = subprocess.Popen(cli(project, "run", "--jobs", "2", "--only", "baseline",
                                   "indicator_trends"),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until both workers run a kernel
        seen |= descendants(process.pid)
        kernels = [p for p in descendants(process.pid) if _is_kernel(p)]
        if len(kernels) >= 2:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the kernels never started")
    seen |= descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(p) for p in seen):
        time.sleep(0.2)
    survivors = [p for p in seen if alive(p)]
    for pid in survivors:  # do not leave them running whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"{len(survivors)} of {len(seen)} processes outlived the runner"
    partials = list((project / "outputs").glob(".*.partial"))
    assert partials, "the killed run should have left its staging folder for the next run"
    assert subprocess.run(cli(project, "run", "--only", "plan_extraction"), capture_output=True,
                          timeout=600).returncode == 0
    assert not list((project / "outputs").glob(".*.partial"))


def _is_kernel(pid: int) -> bool:
    try:
        return any("ipykernel" in part for part in psutil.Process(pid).cmdline())
    except psutil.Error:
        return False
