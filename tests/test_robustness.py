"""Failures that lose nothing: a run killed at any point leaves earlier outputs whole and the
next run works; a stuck cell times out; a killed kernel ends its notebook with a message."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dezhou_analysis.cli import main
from dezhou_analysis.core.files import atomic_directory, update_directory
from tests.conftest import copy_project, insert_cell

pytestmark = pytest.mark.slow


def tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_update_directory_is_all_or_nothing(tmp_path):
    target = tmp_path / "processed"
    update_directory(target, {"a.csv": b"1\n", "b.csv": b"2\n"})
    before = tree_hash(target)
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as staging:
            (staging / "a.csv").write_bytes(b"changed\n")
            raise RuntimeError("killed half-way")
    assert tree_hash(target) == before
    update_directory(target, {"b.csv": b"3\n"})
    assert (target / "a.csv").read_bytes() == b"1\n" and (target / "b.csv").read_bytes() == b"3\n"


def test_update_directory_keeps_what_it_does_not_replace(tmp_path):
    target = tmp_path / "processed"
    target.mkdir()
    (target / ".gitkeep").write_bytes(b"")
    (target / "notes.txt").write_bytes(b"mine\n")
    update_directory(target, {"a.csv": b"1\n"})
    assert sorted(p.name for p in target.iterdir()) == [".gitkeep", "a.csv", "notes.txt"]
    assert (target / "notes.txt").read_bytes() == b"mine\n"


def test_outputs_written_into_a_users_own_folder_touch_nothing_else(tmp_path):
    folder = tmp_path / "desk"
    (folder / "project" / "deep").mkdir(parents=True)
    (folder / "project" / "deep" / "keep.txt").write_bytes(b"keep\n")
    (folder / ".hidden").write_bytes(b"h\n")
    (folder / "old.csv").write_bytes(b"old\n")
    before = tree_hash(folder)
    update_directory(folder, {"old.csv": b"new\n", "b.csv": b"2\n"})
    after = tree_hash(folder)
    assert (folder / "old.csv").read_bytes() == b"new\n" and (folder / "b.csv").read_bytes() == b"2\n"
    assert {k: v for k, v in after.items() if k not in ("old.csv", "b.csv")} == \
        {k: v for k, v in before.items() if k != "old.csv"}


def test_assess_out_writes_one_file_and_leaves_its_folder_alone(tmp_path):
    project = copy_project(tmp_path / "project")
    folder = tmp_path / "elsewhere"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_bytes(b"x\n")
    (folder / ".dot").write_bytes(b"d\n")
    before = tree_hash(folder)
    assert main(["--project", str(project), "assess", "--out", str(folder / "a.csv"),
                 "--paths", "200"]) == 0
    after = tree_hash(folder)
    assert after.pop("a.csv") and after == before


def test_killed_runs_leave_earlier_outputs_whole_and_the_next_run_works(tmp_path):
    project = copy_project(tmp_path / "project")
    only = ["--only", "plan_extraction", "baseline"]
    first = project / "outputs" / "first"
    assert main(["--project", str(project), "run", "--out", str(first), *only]) == 0
    processed_before = tree_hash(project / "data" / "processed")
    first_before = tree_hash(first)
    raw_before = tree_hash(project / "data" / "raw")
    for i, delay in enumerate((0.3, 1.5, 3.0, 5.0, 7.0)):
        out = project / "outputs" / f"killed-{i}"
        process = subprocess.Popen(
            [sys.executable, "-m", "dezhou_analysis", "--project", str(project), "run",
             "--out", str(out), *only], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert tree_hash(first) == first_before, f"killed at {delay}s: the earlier run changed"
        assert tree_hash(project / "data" / "processed") == processed_before, f"killed at {delay}s"
        assert not out.exists() or (out / "manifest.json").is_file(), "no half-written run folder"
    assert tree_hash(project / "data" / "raw") == raw_before
    final = project / "outputs" / "after"
    assert main(["--project", str(project), "run", "--out", str(final), *only]) == 0
    assert (final / "index.html").is_file()


def test_cell_timeout_and_killed_kernel_end_their_notebook_with_a_message(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    insert_cell(project, "baseline", "import time; time.sleep(120)")
    insert_cell(project, "industries", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    out = tmp_path / "run"
    started = time.perf_counter()
    code = main(["--project", str(project), "run", "--out", str(out), "-p", "cell_timeout=10",
                 "--only", "plan_extraction", "baseline", "industries"])
    elapsed = time.perf_counter() - started
    printed = capsys.readouterr().out
    assert code == 1 and elapsed < 100
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    failures = {f["notebook"]: f["error"] for f in manifest["failures"]}
    assert set(failures) == {"baseline", "industries"}
    assert failures["baseline"]["cell"] == 4 and "Timeout" in failures["baseline"]["ename"]
    assert failures["industries"]["cell"] == 4 and "Dead" in failures["industries"]["ename"]
    assert "FAILED baseline: cell 4" in printed and "FAILED industries: cell 4" in printed
    assert (out / "reports" / "plan_extraction.html").is_file()
