"""A run costs what changed: the cache of notebook outputs (keys, entries, reasons), the pool of
warm kernels (state put back between notebooks, outputs independent of kernel and order,
kernels that die with the runner)."""

import copy
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat
import pytest

from dezhou_analysis.cli import main
from dezhou_analysis.run import runner
from dezhou_analysis.run.cache import RunCache, RunInputs, digest, what_changed
from tests.conftest import copy_project

PACKAGE = {"version": "1.0", "source": "abc"}


def _project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "project"
    (root / "data" / "raw" / "yearbook").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "data" / "raw" / "yearbook" / "a.csv").write_text("indicator,year,value\ngdp,2019,1\n")
    (root / "data" / "processed" / "observations.csv").write_text("x\n1\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("print(n)")]
    path = root / "notebooks" / "report.ipynb"
    nbformat.write(nb, path)
    return root, path


def _key(root: Path, notebook: Path, params: dict, package: dict = PACKAGE) -> tuple[str, dict]:
    parts = RunInputs.measure(root, root / "notebooks", "python3", package).notebook_parts(notebook, params)
    return digest(parts), parts


def test_the_key_follows_code_parameters_and_inputs_but_not_the_run_folder(tmp_path):
    root, notebook = _project(tmp_path)
    params = {"n": 2, "project_dir": str(root), "output_dir": str(tmp_path / "run1")}
    key, _ = _key(root, notebook, params)
    assert _key(root, notebook, {**params, "output_dir": str(tmp_path / "run2")})[0] == key

    nb = nbformat.read(notebook, as_version=4)  # outputs and counts saved by JupyterLab: same key
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[1].execution_count = 3
    nbformat.write(nb, notebook)
    assert _key(root, notebook, params)[0] == key

    changes = {
        "parameter": lambda: _key(root, notebook, {**params, "n": 3}),
        "package source": lambda: _key(root, notebook, params, {"version": "1.0", "source": "abd"}),
    }
    for what, measure in changes.items():
        assert measure()[0] != key, what
    csv = root / "data" / "raw" / "yearbook" / "a.csv"
    csv.write_text("indicator,year,value\ngdp,2019,2\n")
    assert _key(root, notebook, params)[0] != key, "a raw file's content"
    csv.write_text("indicator,year,value\ngdp,2019,1\n")
    assert _key(root, notebook, params)[0] == key, "content, not modification time"
    (root / "data" / "processed" / "observations.csv").write_text("x\n2\n")
    assert _key(root, notebook, params)[0] != key, "a processed table"
    (root / "data" / "processed" / "observations.csv").write_text("x\n1\n")
    (root / "notebooks" / "helpers.py").write_text("X = 1\n")
    assert _key(root, notebook, params)[0] != key, "a helper module beside the notebooks"
    (root / "notebooks" / "helpers.py").unlink()
    nb.cells[1].source = "print(n + 1)"
    nbformat.write(nb, notebook)
    assert _key(root, notebook, params)[0] != key, "a cell's source"


def test_what_changed_names_the_parameter_and_the_file(tmp_path):
    root, notebook = _project(tmp_path)
    params = {"n": 2, "project_dir": str(root)}
    _, before = _key(root, notebook, params)
    (root / "data" / "raw" / "yearbook" / "b.csv").write_text("indicator,year,value\ngdp,2020,2\n")
    _, now = _key(root, notebook, {**params, "n": 5})
    said = what_changed(before, now)
    assert "n 2 → 5" in said and "data/raw/yearbook/b.csv (new)" in said
    assert what_changed(None, now) == "no earlier run"
    assert what_changed(before, {**before, "package": {"version": "2.0", "source": "x"}}) == "package changed"


def _files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "src").mkdir(exist_ok=True)
    a = tmp_path / "src" / "a.html"
    a.write_text("<p>a</p>")
    return {"reports/a.html": a}


def test_a_cache_entry_is_whole_or_absent_and_leftovers_of_killed_runs_are_removed(tmp_path):
    cache = RunCache(tmp_path / ".cache")
    assert cache.lookup("notebooks", "k1", "a") is None
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = cache.root / "notebooks" / f".partial-{dead.pid}-deadbeef"
    (leftover / "reports").mkdir(parents=True)  # a run killed while it wrote an entry
    (leftover / "reports" / "a.html").write_text("<p>half")
    assert cache.lookup("notebooks", "k1", "a") is None
    cache.store("notebooks", "k1", _files(tmp_path), {"record": {"status": "ok"}}, name="a")
    entry = cache.lookup("notebooks", "k1", "a")
    assert entry.meta["record"] == {"status": "ok"}
    out = tmp_path / "run"
    entry.copy_into(out)
    assert (out / "reports" / "a.html").read_text() == "<p>a</p>"
    assert not (out / "entry.json").exists()
    cache.prune()
    assert not leftover.exists()
    assert RunCache(cache.root, force=True).lookup("notebooks", "k1", "a") is None, "--force"


def test_pruning_keeps_the_latest_entries_and_those_this_run_used(tmp_path):
    writer = RunCache(tmp_path / ".cache")
    files = _files(tmp_path)
    for i in range(6):
        writer.store("notebooks", f"k{i}", files, {"i": i}, name="a")
        os.utime(writer.root / "notebooks" / f"a-k{i}", (1_000_000 + i, 1_000_000 + i))
    writer.store("notebooks", "k0", files, {"i": 0}, name="b")
    reader = RunCache(writer.root)
    assert reader.lookup("notebooks", "k0", "a") is not None  # used by this run, however old
    os.utime(writer.root / "notebooks" / "a-k0", (1_000_000, 1_000_000))
    reader.prune(keep=2)
    kept = sorted(p.name for p in (writer.root / "notebooks").iterdir())
    assert kept == ["a-k0", "a-k4", "a-k5", "b-k0"]


def test_kernel_state_puts_back_what_a_notebook_changed(tmp_path):
    import matplotlib
    import pandas as pd

    from dezhou_analysis.run import kernel_state
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "notebooks" / "local_helper.py").write_text("VALUE = 1\n")
    here = os.getcwd()
    try:
        with warnings.catch_warnings():
            kernel_state.snapshot(str(project))
            rc = copy.deepcopy(dict(matplotlib.rcParams))
            filters, path = list(warnings.filters), list(sys.path)
            matplotlib.rcParams["lines.linewidth"] = 9.0
            matplotlib.rcParams["font.family"].append("Changed")
            pd.set_option("display.max_rows", 3)
            warnings.simplefilter("error")
            sys.path.insert(0, str(project / "notebooks"))
            import local_helper  # noqa: F401
            os.chdir(tmp_path)
            kernel_state.restore(str(project / "notebooks"))
            assert dict(matplotlib.rcParams) == rc
            assert pd.get_option("display.max_rows") == 60
            assert warnings.filters == filters and sys.path == path
            assert "local_helper" not in sys.modules, "user code is read afresh"
            assert Path.cwd() == (project / "notebooks").resolve()
    finally:
        os.chdir(here)


# ---- whole runs --------------------------------------------------------------------------------

def _run(project: Path, out: Path, *args: str) -> dict:
    assert main(["--project", str(project), "run", "--out", str(out), *args]) == 0
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _states(manifest: dict) -> dict[str, str]:
    return {r["notebook"]: r["cache"]["state"] for r in manifest["notebooks"]}


ONLY = ["--only", "plan_extraction", "scenarios", "industries"]


@pytest.mark.slow
def test_nothing_changed_reuses_everything_and_one_parameter_reruns_one_notebook(tmp_path, capsys,
                                                                                monkeypatch):
    project = copy_project(tmp_path / "project")
    first = _run(project, tmp_path / "first", *ONLY)
    assert set(_states(first).values()) == {"ran"} and first["cache"]["data_phase"] == "ran"
    with monkeypatch.context() as patch:  # nothing changed: no table is loaded
        for loader in ("_load_data", "_load_assessment"):
            patch.setattr(runner.DataPhase, loader, lambda self: pytest.fail("loaded data/processed"))
        second = _run(project, tmp_path / "second", *ONLY)
    assert second["data_quality"] == first["data_quality"]
    assert set(_states(second).values()) == {"unchanged"} and second["cache"]["data_phase"] == "unchanged"
    assert second["outputs"] == first["outputs"]
    assert "scenarios: unchanged" in capsys.readouterr().out
    for name in ("reports/scenarios.html", "full/industries.html", "notebooks/plan_extraction.ipynb"):
        assert (tmp_path / "second" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()
    third = _run(project, tmp_path / "third", *ONLY, "-p", "scenarios.tolerance=0.04")
    assert _states(third) == {"plan_extraction": "unchanged", "scenarios": "ran", "industries": "unchanged"}
    reason = next(r["cache"]["reason"] for r in third["notebooks"] if r["notebook"] == "scenarios")
    assert "tolerance 0.05 → 0.04" in reason
    forced = _run(project, tmp_path / "forced", *ONLY, "--force")
    assert set(_states(forced).values()) == {"ran"} and forced["cache"]["data_phase"] == "ran"
    assert forced["outputs"] == first["outputs"]


@pytest.mark.slow
def test_a_new_yearbook_file_reruns_what_reads_it_and_equals_a_forced_run(tmp_path):
    project = copy_project(tmp_path / "project")
    only = ["--only", "industries", "scenarios"]
    before = _run(project, tmp_path / "before", *only)
    added = project / "data" / "raw" / "yearbook" / "dezhou_bulletin_2020.csv"
    added.write_text("指标,地区,年份,数值,单位,来源,备注\n"
                     "地区生产总值,德州市,2020,3078.99,亿元,2020年德州市国民经济和社会发展统计公报,\n"
                     "一般公共预算收入,德州市,2020,214.6,亿元,2020年德州市国民经济和社会发展统计公报,\n",
                     encoding="utf-8")
    after = _run(project, tmp_path / "after", *only)
    assert after["cache"]["data_phase"] == "ran" and set(_states(after).values()) == {"ran"}
    for record in after["notebooks"]:
        assert "dezhou_bulletin_2020.csv (new)" in record["cache"]["reason"]
    assert after["outputs"] != before["outputs"], "the new data show in the reports"
    forced = _run(project, tmp_path / "forced", *only, "--force")
    assert forced["outputs"] == after["outputs"]


@pytest.mark.slow
def test_outputs_do_not_depend_on_the_kernel_or_the_order(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    only = ["--only", "plan_extraction", "baseline", "scenarios", "industries"]
    one = _run(project, tmp_path / "one-kernel", *only, "--jobs", "1", "--force")
    monkeypatch.setattr(runner, "longest_first", lambda tasks, outputs: sorted(tasks, key=lambda t: t.name)[::-1])
    two = _run(project, tmp_path / "two-kernels", *only, "--jobs", "2", "--force")
    assert _states(one) == _states(two) == dict.fromkeys(_states(one), "ran")
    assert one["outputs"] == two["outputs"] and len(one["outputs"]) > 20
    for name in ("plan_extraction", "industries"):
        counts = [c.get("execution_count") for c in nbformat.read(
            tmp_path / "two-kernels" / "notebooks" / f"{name}.ipynb", as_version=4).cells
                  if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), "every notebook counts from 1"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kernels_die_with_a_killed_runner(tmp_path):
    project = copy_project(tmp_path / "project")
    process = subprocess.Popen(
        [sys.executable, "-m", "dezhou_analysis", "--project", str(project), "run", "--out",
         str(tmp_path / "run"), "--only", "baseline", "industries"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    tree: list[int] = []
    kernels: list[int] = []
    while len(kernels) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        tree = _descendants(process.pid)
        forkers = [pid for pid in _children(process.pid) if b"dezhou_analysis.run.forker" in _cmdline(pid)]
        kernels = [pid for forker in forkers for pid in _children(forker)]
    assert len(kernels) == 2, "the runner forks its kernels while the data phase runs"
    stand_ins = [pid for pid in tree if b"ipykernel_launcher" in _cmdline(pid)]
    assert len(stand_ins) == 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in tree):
        time.sleep(0.1)
    assert [pid for pid in tree if _running(pid)] == [], "forker, stand-ins, kernels, exports"


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for whoever adopted it to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# ---- kernels forked from one process that imported the stack -----------------------------------

LOOK_AROUND = {
    "cwd": "__import__('os').getcwd()",
    "path": "__import__('sys').path",
    "argv": "__import__('sys').argv[1:]",
    "backend": "__import__('matplotlib').get_backend()",
    "parent_handle": "get_ipython().kernel.parent.parent_handle",
    "numpy_loaded": "'numpy' in __import__('sys').modules",
    "env": "{k: v for k, v in __import__('os').environ.items() if k.startswith(('JPY_', 'MPL'))}",
    "sigint": "str(__import__('signal').getsignal(__import__('signal').SIGINT))",
}


def _look_around(kernel) -> dict:
    import ast
    reply = kernel.run_code("", user_expressions=LOOK_AROUND)
    return {name: ast.literal_eval(value["data"]["text/plain"])
            for name, value in reply["user_expressions"].items()}


@pytest.fixture
def kernel_loop():
    import asyncio
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()


def _kernel_args(tmp_path: Path) -> tuple:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir(exist_ok=True)
    return runner.kernel_name(), tmp_path, notebooks, tmp_path / "kernels.log"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking is for Linux")
def test_a_forked_kernel_is_the_kernel_the_spec_would_launch(tmp_path, kernel_loop):
    from dezhou_analysis.run.engine import PooledKernel
    from dezhou_analysis.run.forker import Forker
    args = _kernel_args(tmp_path)
    with Forker.for_kernel(args[0], args[3]) as forker:
        assert forker is not None, "the project kernel runs ipykernel in this interpreter"
        forked = PooledKernel(*args, forker=forker)
        try:
            assert forked.pid in _children(forker.process.pid)
            seen_forked = _look_around(forked)
        finally:
            forked.shutdown()
    launched = PooledKernel(*args)
    try:
        assert launched.pid not in _children(forker.process.pid)
        seen_launched = _look_around(launched)
    finally:
        launched.shutdown()
    connection = [a for a in seen_launched["argv"] if a.endswith(".json")]
    seen_launched["argv"] = [a for a in seen_launched["argv"] if a not in connection]
    seen_forked["argv"] = [a for a in seen_forked["argv"] if not a.endswith(".json")]
    assert seen_forked == seen_launched
    assert seen_forked["numpy_loaded"] and seen_forked["cwd"] == str(tmp_path / "notebooks")
    assert "KeyboardInterrupt" not in (tmp_path / "kernels.log").read_text()
    assert "Ctrl-C will not work" not in (tmp_path / "kernels.log").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking is for Linux")
def test_a_forked_kernel_ends_with_its_stand_in_and_a_dead_forker_is_not_used(tmp_path, kernel_loop):
    from dezhou_analysis.run.engine import KernelPool, PooledKernel
    from dezhou_analysis.run.forker import Forker
    args = _kernel_args(tmp_path)
    forker = Forker.for_kernel(args[0], args[3])
    try:
        kernel = PooledKernel(*args, forker=forker)
        kernel.kill()  # SIGKILL to the stand-in jupyter_client launched
        deadline = time.monotonic() + 10
        while _running(kernel.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(kernel.pid)
        kernel.shutdown()
        forker.process.kill()
        forker.process.wait()
        assert forker.stand_in(["python", "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    finally:
        forker.close()
    pool = KernelPool(1, *args[:3], log_path=args[3])
    pool._forker.process.kill()  # dies before the kernel could be forked: launched instead
    done = []
    pool.submit(_tiny_job(tmp_path), lambda job, record: done.append(record))
    pool.close()
    assert [record["status"] for record in done] == ["ok"], done


def _tiny_job(tmp_path: Path):
    from dezhou_analysis.run.engine import Job
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": runner.kernel_name(), "display_name": "k", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import numpy\nprint(numpy.arange(3).sum())")]
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nb, source)
    return Job(name="tiny", source=str(source), output_notebook=str(tmp_path / "tiny.out.ipynb"),
               parameters={}, cwd=str(tmp_path / "notebooks"), cell_timeout=60,
               log=str(tmp_path / "tiny.log"))


def test_only_the_spec_s_own_ipykernel_is_forked():
    from dezhou_analysis.run.forker import _module_command, _same_program
    assert _module_command([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
                            "c.json"]) == ([sys.executable, "-Xfrozen_modules=off"],
                                           "ipykernel_launcher", ["-f", "c.json"])
    assert _module_command(["R", "--slave", "-e", "IRkernel::main()"]) is None
    assert _module_command([sys.executable, "-E", "-m", "ipykernel_launcher"]) is None, \
        "a flag that changes how the interpreter starts: launched as the spec says"
    assert _same_program(sys.executable, os.path.realpath(sys.executable))
    assert not _same_program("/usr/bin/false", sys.executable)
