"""The runner: parse → panel → assessment → notebooks (papermill, several at once) → HTML
(nbconvert: a report without code and a full version) → index.html and manifest.json.

The run folder is built under a temporary name and renamed when complete, so a killed run never
leaves a half-written run beside the earlier ones. A failing notebook does not stop the others;
its partial output is kept and the run ends non-zero naming it and the failing cell.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dezhou_analysis import __version__
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.files import (
    md5_file,
    recover_directory,
    sha256_file,
    write_bytes_atomic,
    write_text_atomic,
    xlsx_bytes,
)
from dezhou_analysis.core.paths import ProjectPaths
from dezhou_analysis.run.params import (
    declared_parameters,
    edited_defaults,
    parse_overrides,
    read_params_file,
    resolve,
)

NOTEBOOK_ORDER = ("plan_extraction", "baseline", "indicator_trends", "target_reachability",
                  "scenarios", "industries")
#: the project's kernel, registered by `make setup` in the environment's own kernel folder
KERNEL = "dezhou-analysis"
FALLBACK_KERNEL = "python3"


@lru_cache(maxsize=1)
def kernel_name() -> str:
    """The project's kernel when it is registered, else the environment's default python3 (a
    checkout set up without `make setup`)."""
    from jupyter_client.kernelspec import find_kernel_specs
    return KERNEL if KERNEL in find_kernel_specs() else FALLBACK_KERNEL


def discover_notebooks(folder: Path) -> list[Path]:
    found = {p.stem: p for p in sorted(folder.glob("*.ipynb")) if not p.name.startswith(".")}
    ordered = [found.pop(name) for name in NOTEBOOK_ORDER if name in found]
    return ordered + [found[name] for name in sorted(found)]


@dataclass
class Task:
    name: str
    source: str
    output_notebook: str
    report_html: str
    full_html: str
    parameters: dict
    cwd: str
    cell_timeout: int
    log: str


def execute(task: Task) -> dict:
    """Run one notebook and export both HTML flavours; never raises (failures are reported)."""
    import logging

    import papermill as pm
    logging.getLogger("papermill").setLevel(logging.WARNING)
    _log_to(task.log)
    started = time.perf_counter()
    record = {"notebook": task.name, "status": "ok", "error": None}
    try:
        pm.execute_notebook(task.source, task.output_notebook, parameters=task.parameters,
                            kernel_name=kernel_name(), cwd=task.cwd, progress_bar=False, log_output=False,
                            execution_timeout=task.cell_timeout, request_save_on_cell_execute=True)
    except pm.PapermillExecutionError as exc:
        record["status"] = "failed"
        record["error"] = {**_cell_in_source(task.output_notebook, exc.cell_index),
                           "execution_count": exc.exec_count, "ename": exc.ename,
                           "evalue": str(exc.evalue)[:500]}
    except Exception as exc:  # timeouts, dead kernels, missing kernels
        record["status"] = "failed"
        record["error"] = {**_cell_in_source(task.output_notebook, _failing_cell(task.output_notebook)),
                           "execution_count": None, "ename": type(exc).__name__,
                           "evalue": str(exc).splitlines()[0][:500] if str(exc) else ""}
    record["execute_seconds"] = round(time.perf_counter() - started, 2)
    exported = time.perf_counter()
    if Path(task.output_notebook).exists():
        from dezhou_analysis.run.export import export_html
        try:
            export_html(task.output_notebook, task.report_html, with_code=False)
            export_html(task.output_notebook, task.full_html, with_code=True)
        except Exception as exc:  # keep the executed notebook even if export fails
            record["status"] = "failed"
            record["error"] = record["error"] or {"cell": None, "execution_count": None,
                                                  "ename": type(exc).__name__, "evalue": str(exc)[:500]}
    record["export_seconds"] = round(time.perf_counter() - exported, 2)
    record["seconds"] = round(time.perf_counter() - started, 2)
    return record


def _log_to(path: str) -> None:
    """Send this worker's (and its kernels') stdout and stderr to the notebook's log file."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _cell_in_source(path: str, executed_index: int | None) -> dict:
    """The failing cell as the user sees it in notebooks/: its index there and its first line.

    papermill inserts an `injected-parameters` cell; indices after it are shifted back by one.
    """
    import nbformat
    if executed_index is None:
        return {"cell": None, "source": ""}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return {"cell": executed_index, "source": ""}
    injected = [i for i, c in enumerate(nb.cells)
                if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    shift = sum(1 for i in injected if i < executed_index)
    source = nb.cells[executed_index].source.strip().splitlines() if executed_index < len(nb.cells) else []
    return {"cell": executed_index - shift, "source": source[0][:120] if source else ""}


def _failing_cell(path: str) -> int | None:
    """The cell that was running when a notebook stopped (timeout, dead kernel): papermill saves
    after each cell, so it is the last cell that started."""
    import nbformat
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return None
    started = [index for index, cell in enumerate(nb.cells)
               if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    flagged = [index for index, cell in enumerate(nb.cells)
               if cell.get("metadata", {}).get("papermill", {}).get("exception")]
    if flagged:
        return flagged[0]
    return started[-1] if started else None


def write_data_tables(processed: Path, folder: Path) -> None:
    """The run's own copy of the processed tables, as CSV and XLSX, for briefings."""
    import pandas as pd
    for name in ("assessment", "observations", "conflicts", "plan_targets", "plan_observations"):
        source = processed / f"{name}.csv"
        if source.exists():
            frame = pd.read_csv(source, keep_default_na=False, na_values=[""])
            write_bytes_atomic(folder / f"{name}.csv", source.read_bytes())
            write_bytes_atomic(folder / f"{name}.xlsx", xlsx_bytes({name: frame}))


def _skip_uri_grammar() -> None:
    """jsonschema's optional `rfc3987_syntax` format checker compiles a grammar when imported
    (about 1.5 s, present whenever jupyterlab is installed); notebook validation never needs it,
    so the runner does without it. Must run before nbformat is first imported."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _preload() -> None:
    """Import papermill and nbconvert (and build the HTML exporters) once in the parent, so
    forked workers start with them loaded instead of importing them each."""
    import papermill  # noqa: F401

    from dezhou_analysis.run.export import exporter
    exporter(True)
    exporter(False)


def _say(text: str) -> None:
    print(text, flush=True)


@dataclass
class RunPlan:
    """What a run will do, checked before anything runs: the notebooks, each one's parameters,
    the runner's own parameters and the assessment settings every report shares."""
    notebooks: list[Path]
    declared: dict[str, dict]
    per_notebook: dict[str, dict]
    runner: dict
    settings: AssessmentSettings
    jobs: int
    #: parameter cells edited away from the official defaults (run with the official values)
    edited: dict = field(default_factory=dict)


def plan_run(paths: ProjectPaths, params_file: str | None, overrides: list[str] | None,
             jobs: int, only: list[str] | None) -> RunPlan:
    """Find the notebooks and resolve the parameters; any problem is one ParameterError."""
    from dezhou_analysis.core.errors import ParameterError
    notebooks = discover_notebooks(paths.notebooks)
    if not notebooks:
        raise ParameterError(f"{paths.notebooks}: no notebooks to run")
    unknown = sorted(set(only or ()) - {p.stem for p in notebooks})
    if unknown:
        raise ParameterError(f"--only {unknown}: no such notebook; notebooks are "
                             f"{', '.join(p.stem for p in notebooks)}")
    if jobs < 1:
        raise ParameterError(f"--jobs {jobs}: expected 1 or more")
    # parameters are checked against every notebook, also those --only leaves out
    declared = {p.stem: declared_parameters(p) for p in notebooks}
    raw = read_params_file(params_file)
    for key, value in parse_overrides(overrides or []).items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key].update(value)
        else:
            raw[key] = value
    per_notebook, runner = resolve(raw, declared)
    settings = AssessmentSettings.from_params(**per_notebook.get("target_reachability", {}))
    chosen = [p for p in notebooks if not only or p.stem in only]
    return RunPlan(chosen, declared, per_notebook, runner, settings, jobs,
                   _say_edited(edited_defaults({p.stem: declared[p.stem] for p in chosen})))


def _say_edited(edited: dict[str, dict]) -> dict[str, dict]:
    for notebook, names in edited.items():
        values = ", ".join(f"{name} = {v['cell']!r} (official {v['official']!r})"
                           for name, v in names.items())
        _say(f"note: notebooks/{notebook}.ipynb: parameter cell edited: {values}; the run uses the "
             "official values (pass -p to change them)")
    return edited


def prepare_data(paths: ProjectPaths, settings: AssessmentSettings):
    """The data phase: parse, build the panel, assess every target, all into data/processed,
    before any notebook starts; every report then reads the same panel and assessment."""
    from dezhou_analysis.stages import assess_panel, run_panel, write_assessment
    _say(f"dezhou-analysis {__version__}: parsing documents and building the panel")
    data = run_panel(paths.documents, None, paths.yearbook, paths.processed)
    _say(f"  panel: {len(data.panel.observations)} observations "
         f"({len(data.panel.conflicts)} conflicts, {len(data.panel.exclusions)} excluded with a reason)")
    for warning in data.yearbook.warnings:  # what a new yearbook file made the reader decide
        _say(f"  warning: {warning}")
    assessment = assess_panel(data, settings=settings)
    write_assessment(assessment, paths.documents, paths.yearbook, paths.processed)
    _say(f"  {assessment.describe()}")
    return data, assessment


def open_run_folder(outputs: Path, out: Path | None, started: dt.datetime) -> tuple[Path, Path]:
    """The run's final folder (never an existing, non-empty one) and its staging folder."""
    outputs.mkdir(parents=True, exist_ok=True)
    final = Path(out) if out else outputs / started.strftime("%Y%m%d-%H%M%S")
    if final.exists() and any(final.iterdir()):
        suffix = 1
        while final.with_name(f"{final.name}-{suffix}").exists():
            suffix += 1
        final = final.with_name(f"{final.name}-{suffix}")
    staging = final.with_name(f".{final.name}.partial")
    recover_directory(final)
    if staging.exists():
        shutil.rmtree(staging)
    for sub in ("notebooks", "reports", "full", "figures", "tables", "logs"):
        (staging / sub).mkdir(parents=True, exist_ok=True)
    return final, staging


def notebook_parameters(plan: RunPlan, name: str, paths: ProjectPaths, staging: Path) -> dict:
    """What papermill injects: the user's parameters, the run's assessment settings for those
    the notebook declares (so an edited parameter cell never changes the official report), and
    the folders the runner owns."""
    declared = plan.declared[name]
    params = {key: value["official"] for key, value in plan.edited.get(name, {}).items()}
    params.update({key: value for key, value in plan.settings.as_params().items() if key in declared})
    params.update(plan.per_notebook[name])
    params["project_dir"] = str(paths.root)
    if "output_dir" in declared:
        params["output_dir"] = str(staging)
    if "interactive" in declared:
        params["interactive"] = False
    return params


def make_tasks(plan: RunPlan, paths: ProjectPaths, staging: Path) -> list[Task]:
    tasks = []
    for path in plan.notebooks:
        tasks.append(Task(path.stem, str(path), str(staging / "notebooks" / path.name),
                          str(staging / "reports" / f"{path.stem}.html"),
                          str(staging / "full" / f"{path.stem}.html"),
                          notebook_parameters(plan, path.stem, paths, staging), str(paths.notebooks),
                          int(plan.runner["cell_timeout"]), str(staging / "logs" / f"{path.stem}.log")))
    return longest_first(tasks, paths.outputs)


def execute_all(tasks: list[Task], jobs: int) -> dict[str, dict]:
    """Run the notebooks, `jobs` at a time, each in a forked worker; one failure stops nothing."""
    _say(f"running {len(tasks)} notebooks, {min(jobs, len(tasks))} at a time")
    _preload()
    records: dict[str, dict] = {}
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(execute, task): task for task in tasks}
        for done, future in enumerate(as_completed(futures), 1):
            task = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # the worker itself died
                record = {"notebook": task.name, "status": "failed", "seconds": None,
                          "error": {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)}}
            records[task.name] = record
            _say(f"  [{done}/{len(tasks)}] {task.name}: {record['status']} "
                 f"({record['seconds']} s){_failure_text(record)}")
    return {t.name: records[t.name] for t in sorted(tasks, key=lambda t: _order(t.name))}


def _failure_text(record: dict) -> str:
    if record["status"] == "ok":
        return ""
    err = record["error"] or {}
    return f" — cell {err.get('cell')} `{err.get('source', '')}`: {err.get('ename')}: {err.get('evalue')}"


def finish_run(paths: ProjectPaths, plan: RunPlan, staging: Path, final: Path, data, assessment,
               records: dict[str, dict], started: dt.datetime, clock: float, phases: dict) -> None:
    """Tables, index and manifest into the staging folder, then swap it in as the run."""
    from dezhou_analysis.reports.index_page import render_index
    from dezhou_analysis.run.webfont import embed
    finishing = time.perf_counter()
    write_data_tables(paths.processed, staging / "tables" / "data")
    ordered = list(records.values())
    manifest = build_manifest(paths, staging, started, plan.per_notebook, plan.runner, ordered,
                              plan.jobs, time.perf_counter() - clock)
    write_text_atomic(staging / "index.html",
                      embed(render_index(assessment, ordered, manifest, data.parse.documents)))
    manifest["edited_parameter_cells"] = plan.edited
    manifest["seconds_total"] = round(time.perf_counter() - clock, 2)
    phases["index_and_manifest"] = round(time.perf_counter() - finishing, 2)
    manifest["seconds_by_phase"] = phases
    manifest["outputs"] = output_hashes(staging)
    write_text_atomic(staging / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    os.replace(staging, final)
    _update_latest(paths.outputs, final)


def report_outcome(records: dict[str, dict], final: Path, seconds: float) -> int:
    """Say how the run ended, naming every failed notebook and cell; 1 if any failed."""
    failed = [r for r in records.values() if r["status"] != "ok"]
    _say(f"finished in {seconds:.1f} s")
    for record in failed:
        err = record["error"] or {}
        _say(f"FAILED {record['notebook']}: cell {err.get('cell')} ({err.get('ename')}: "
             f"{err.get('evalue')}) `{err.get('source', '')}`; partial output kept in "
             f"{final / 'notebooks' / (record['notebook'] + '.ipynb')}")
    _say(str(final / "index.html"))
    return 1 if failed else 0


def run_suite(paths: ProjectPaths, params_file: str | None = None, overrides: list[str] | None = None,
              jobs: int = 2, out: Path | None = None, only: list[str] | None = None) -> int:
    """The whole suite: plan → data → run folder → notebooks → tables, index, manifest.

    params_file / overrides: notebook parameters (YAML file, `-p key=value`); jobs: notebooks run
    at once; out: the run folder (default outputs/<timestamp>); only: notebook names to run.
    Returns the exit code: 0, or 1 when a notebook failed (the others still ran)."""
    started, clock = dt.datetime.now(), time.perf_counter()
    _skip_uri_grammar()
    plan = plan_run(paths, params_file, overrides, jobs, only)
    data, assessment = prepare_data(paths, plan.settings)
    phases = {"data": round(time.perf_counter() - clock, 2)}
    final, staging = open_run_folder(paths.outputs, out, started)
    tasks = make_tasks(plan, paths, staging)
    notebooks_started = time.perf_counter()
    records = execute_all(tasks, jobs)
    phases["notebooks"] = round(time.perf_counter() - notebooks_started, 2)
    finish_run(paths, plan, staging, final, data, assessment, records, started, clock, phases)
    return report_outcome(records, final, time.perf_counter() - clock)


#: seconds a notebook took when no earlier run says otherwise (measured on 2 cores)
TYPICAL_SECONDS = {"target_reachability": 8.0, "indicator_trends": 7.5, "baseline": 5.5,
                   "plan_extraction": 5.0, "scenarios": 4.5, "industries": 4.0}


def _order(name: str) -> int:
    return NOTEBOOK_ORDER.index(name) if name in NOTEBOOK_ORDER else len(NOTEBOOK_ORDER)


def longest_first(tasks: list[Task], outputs: Path) -> list[Task]:
    """Start the longest notebooks first so the last one does not run alone on an idle machine.

    Durations come from the latest run's manifest, else from typical timings.
    """
    seconds = dict(TYPICAL_SECONDS)
    try:
        latest = json.loads((outputs / "latest" / "manifest.json").read_text(encoding="utf-8"))
        seconds.update({r["notebook"]: r["seconds"] for r in latest["notebooks"] if r.get("seconds")})
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return sorted(tasks, key=lambda t: -seconds.get(t.name, 5.0))


def _update_latest(outputs: Path, final: Path) -> None:
    """Point outputs/latest at the run, if the run is in outputs/ (a run written elsewhere with
    --out leaves it alone: a relative link to it would dangle)."""
    if final.parent.resolve() != outputs.resolve():
        return
    link = outputs / "latest"
    tmp = outputs / ".latest.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(final.name)
        os.replace(tmp, link)
    except OSError:
        pass  # a file system without symlinks: the printed path is enough


def output_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every table and figure, so two runs can be compared file by file."""
    hashes = {}
    for sub in ("tables", "figures"):
        for path in sorted((folder / sub).rglob("*")):
            if path.is_file():
                hashes[str(path.relative_to(folder))] = sha256_file(path)
    return hashes


def build_manifest(paths: ProjectPaths, staging: Path, started: dt.datetime, per_notebook: dict,
                   runner: dict, records: list[dict], jobs: int, seconds: float) -> dict:
    import importlib.metadata as md
    packages = {}
    for name in ("dezhou-analysis", "pandas", "numpy", "statsmodels", "matplotlib", "seaborn",
                 "papermill", "nbconvert", "nbclient", "ipykernel", "openpyxl", "noto-cjk-sans-otc"):
        try:
            packages[name] = md.version(name)
        except md.PackageNotFoundError:
            packages[name] = None
    inputs = {}
    for path in sorted((paths.root / "data" / "raw").rglob("*")):
        if path.is_file():
            inputs[str(path.relative_to(paths.root))] = md5_file(path)
    return {
        "run": staging.name.strip(".").removesuffix(".partial"), "started": started.isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "packages": packages, "jobs": jobs,
        "parameters": {"notebooks": per_notebook, "runner": runner}, "inputs_md5": inputs,
        "notebooks": records, "failures": [r for r in records if r["status"] != "ok"],
        "seconds_before_index": round(seconds, 2),
        "processed": {p.name: md5_file(p) for p in sorted(paths.processed.glob("*")) if p.is_file()
                      and not p.name.startswith(".")},
    }
