"""The runner: parse → panel → assessment → notebooks (papermill, in a pool of warm kernels) →
HTML (nbconvert: a report without code and a full version) → index.html and manifest.json.

A run costs what changed. The data phase runs only when the raw files, the package, the
environment or the assessment settings changed (or data/processed was rewritten by someone
else); a notebook runs only when its key changed (its code, parameters, inputs by content,
package or environment: `cache.py`), otherwise its last outputs are copied in and the run says
"unchanged" for it. `--force` makes everything again. The imports are paid once per kernel, not
once per notebook (`engine.py`).

The run folder is built under a temporary name and renamed when complete, so a killed run never
leaves a half-written run beside the earlier ones. A failing notebook does not stop the others;
its partial output is kept and the run ends non-zero naming it and the failing cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

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
from dezhou_analysis.run.cache import (
    RunCache,
    RunInputs,
    digest,
    environment_fingerprint,
    package_fingerprint,
    stamp,
    tree_digests,
    what_changed,
)
from dezhou_analysis.run.engine import Job, KernelPool
from dezhou_analysis.run.params import (
    Declared,
    declared_parameters,
    edited_defaults,
    parse_overrides,
    read_params_file,
    resolve,
)

if TYPE_CHECKING:
    from dezhou_analysis.run.export import ExportProcess

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
DATA_TABLES = ("assessment", "observations", "conflicts", "exclusions", "plan_targets",
               "plan_observations")


def discover_notebooks(folder: Path) -> list[Path]:
    found = {p.stem: p for p in sorted(folder.glob("*.ipynb")) if not p.name.startswith(".")}
    ordered = [found.pop(name) for name in NOTEBOOK_ORDER if name in found]
    return ordered + [found[name] for name in sorted(found)]


@dataclass
class Task:
    """One notebook of the run: where it comes from and goes, its parameters, and its key (the
    digest of everything its outputs depend on) with the parts the key was made from."""
    name: str
    source: str
    output_notebook: str
    report_html: str
    full_html: str
    parameters: dict
    cwd: str
    cell_timeout: int
    log: str
    parts: dict = field(default_factory=dict)
    key: str = ""
    reason: str = ""

    def job(self) -> Job:
        return Job(self.name, self.source, self.output_notebook, self.parameters, self.cwd,
                   self.cell_timeout, self.log)

    def outputs(self, staging: Path) -> dict[str, Path]:
        """Every file this notebook made in the run folder, by its path there."""
        files = {}
        for path in (self.output_notebook, self.report_html, self.full_html, self.log):
            if Path(path).is_file():
                files[Path(path).relative_to(staging).as_posix()] = Path(path)
        for sub in ("figures", "tables"):
            folder = staging / sub / self.name
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file() and not path.name.startswith("."):
                    files[path.relative_to(staging).as_posix()] = path
        return files


def export_reports(task: Task, record: dict, exports: ExportProcess) -> dict:
    """Both HTML flavours of an executed notebook (also of a failed one: its partial output)."""
    exported, cpu = time.perf_counter(), 0.0
    if Path(task.output_notebook).exists():
        try:
            cpu = exports.pages(task.output_notebook, {task.report_html: False, task.full_html: True})
        except Exception as exc:  # keep the executed notebook even if export fails
            record["status"] = "failed"
            record["error"] = record["error"] or {"cell": None, "execution_count": None,
                                                  "ename": type(exc).__name__, "evalue": str(exc)[:500]}
    record["export_seconds"] = round(time.perf_counter() - exported, 2)
    record["export_cpu_seconds"] = round(cpu, 2)
    record["seconds"] = round(record.get("execute_seconds", 0.0) + record["export_seconds"], 2)
    return record


def write_data_tables(processed: Path, folder: Path, cache: RunCache | None = None,
                      key_parts: dict | None = None) -> None:
    """The run's own copy of the processed tables, as CSV and XLSX, for briefings; the XLSX are
    taken from the cache while the tables are the same."""
    key = digest({"tables": {name: sha256_file(processed / f"{name}.csv") for name in DATA_TABLES
                             if (processed / f"{name}.csv").exists()}, **(key_parts or {})})
    entry = cache.lookup("data", key) if cache else None
    if entry is not None:
        entry.copy_into(folder)
        return
    import pandas as pd
    for name in DATA_TABLES:
        source = processed / f"{name}.csv"
        if source.exists():
            frame = pd.read_csv(source, keep_default_na=False, na_values=[""])
            write_bytes_atomic(folder / f"{name}.csv", source.read_bytes())
            write_bytes_atomic(folder / f"{name}.xlsx", xlsx_bytes({name: frame}))
    if cache:
        cache.store("data", key, {p.name: p for p in sorted(folder.glob("*")) if p.is_file()},
                    {"made": stamp()})


def _skip_uri_grammar() -> None:
    """jsonschema's optional `rfc3987_syntax` format checker compiles a grammar when imported
    (about 1.5 s, present whenever jupyterlab is installed); notebook validation never needs it,
    so the runner does without it. Must run before nbformat is first imported."""
    sys.modules.setdefault("rfc3987_syntax", None)


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
    code: dict = field(default_factory=dict)  # the package and environment fingerprints
    #: parameter cells edited away from the official defaults (run with the official values)
    edited: dict = field(default_factory=dict)


def plan_run(paths: ProjectPaths, params_file: str | None, overrides: list[str] | None,
             jobs: int, only: list[str] | None, cache: RunCache | None = None) -> RunPlan:
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
    code = {"package": package_fingerprint(), "environment": environment_fingerprint(kernel_name())}
    # parameters are checked against every notebook, also those --only leaves out
    declared = {p.stem: declared_in(p, cache, code) for p in notebooks}
    raw = read_params_file(params_file)
    for key, value in parse_overrides(overrides or []).items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key].update(value)
        else:
            raw[key] = value
    per_notebook, runner = resolve(raw, declared)
    settings = AssessmentSettings.from_params(**per_notebook.get("target_reachability", {}))
    chosen = [p for p in notebooks if not only or p.stem in only]
    return RunPlan(chosen, declared, per_notebook, runner, settings, jobs, code,
                   _say_edited(edited_defaults({p.stem: declared[p.stem] for p in chosen})))


def _say_edited(edited: dict[str, dict]) -> dict[str, dict]:
    for notebook, names in edited.items():
        values = ", ".join(f"{name} = {v['cell']!r} (official {v['official']!r})"
                           for name, v in names.items())
        _say(f"note: notebooks/{notebook}.ipynb: parameter cell edited: {values}; the run uses the "
             "official values (pass -p to change them)")
    return edited


def declared_in(notebook: Path, cache: RunCache | None, code: dict) -> dict[str, Declared]:
    """A notebook's declared parameters, read by papermill once per version of the notebook
    (importing papermill costs more than a run in which nothing changed)."""
    key = digest({"notebook": sha256_file(notebook), **code}) + ".json"
    stored = cache.read_text("parameters", key) if cache else None
    if stored:
        try:
            return {name: Declared(name, *fields) for name, fields in json.loads(stored).items()}
        except (ValueError, TypeError):
            pass
    declared = declared_parameters(notebook)
    if cache:
        cache.write_text("parameters", key, json.dumps(
            {d.name: [d.type, d.default, d.help] for d in declared.values()}, ensure_ascii=False))
    return declared


class DataPhase:
    """The parse, panel and assessment every report reads: made now, or found current in
    data/processed and loaded only if something (the index page) asks for them."""

    def __init__(self, paths: ProjectPaths, settings: AssessmentSettings, ran: bool,
                 data=None, assessment=None):
        self.paths, self.settings, self.ran = paths, settings, ran
        self._data, self._assessment = data, assessment
        self._loading = threading.RLock()  # the index's font is prepared in another thread

    @property
    def data(self):
        with self._loading:
            return self._load_data()

    def _load_data(self):
        if self._data is None:
            from dezhou_analysis.stages import load_processed
            self._data = load_processed(self.paths.documents, self.paths.yearbook, self.paths.processed)
            if self._data is None:  # rewritten under us: make it again
                self._data, self._assessment = make_data(self.paths, self.settings)
        return self._data

    @property
    def assessment(self):
        with self._loading:
            return self._load_assessment()

    def _load_assessment(self):
        if self._assessment is None:
            from dezhou_analysis.stages import load_assessment
            self._assessment = load_assessment(self.paths.documents, self.paths.yearbook,
                                               self.paths.processed, self.settings)
            if self._assessment is None:
                self._data, self._assessment = make_data(self.paths, self.settings)
        return self._assessment


def data_phase_key(paths: ProjectPaths, plan: RunPlan) -> dict:
    """What data/processed is made from: the raw files, the code and the assessment settings,
    and what data/processed held when it was made (so a file rewritten since is noticed)."""
    raw = tree_digests(paths.root, paths.root / "data" / "raw")
    return {"key": digest({"raw": raw, **plan.code, "settings": dataclasses.asdict(plan.settings)}),
            "processed": tree_digests(paths.root, paths.processed)}


def data_is_current(paths: ProjectPaths, plan: RunPlan, cache: RunCache) -> bool:
    """Whether data/processed was made from today's raw files, code and settings (never under
    --force)."""
    recorded = cache.read_text("data_phase", "current.json")
    try:
        return bool(recorded) and json.loads(recorded) == data_phase_key(paths, plan)
    except ValueError:
        return False


def prepare_data(paths: ProjectPaths, plan: RunPlan, cache: RunCache, current: bool) -> DataPhase:
    """The data phase: parse, build the panel, assess every target, all into data/processed,
    before any notebook starts; every report then reads the same panel and assessment. Skipped
    when it is current (`data_is_current`)."""
    if current:
        _say(f"dezhou-analysis {__version__}: data unchanged (data/processed is current)")
        return DataPhase(paths, plan.settings, ran=False)
    data, assessment = make_data(paths, plan.settings)
    cache.write_text("data_phase", "current.json", json.dumps(data_phase_key(paths, plan)))
    return DataPhase(paths, plan.settings, True, data, assessment)


def make_data(paths: ProjectPaths, settings: AssessmentSettings):
    from dezhou_analysis.stages import assess_panel, run_panel, write_assessment
    _say(f"dezhou-analysis {__version__}: parsing documents and building the panel")
    data = run_panel(paths.documents, None, paths.yearbook, paths.processed)
    _say(f"  panel: {len(data.panel.observations)} observations "
         f"({len(data.panel.conflicts)} conflicts, {len(data.panel.exclusions)} excluded with a reason)")
    for line in data.messages():  # rows set aside, conflicts, what the reader decided
        _say(f"  {line}")
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
    """One task per notebook, each with its key: measured after the data phase, since the
    processed tables are among every notebook's inputs."""
    inputs = RunInputs.measure(paths.root, paths.notebooks, kernel_name(), plan.code["package"])
    tasks = []
    for path in plan.notebooks:
        params = notebook_parameters(plan, path.stem, paths, staging)
        parts = inputs.notebook_parts(path, params)
        tasks.append(Task(path.stem, str(path), str(staging / "notebooks" / path.name),
                          str(staging / "reports" / f"{path.stem}.html"),
                          str(staging / "full" / f"{path.stem}.html"), params, str(paths.notebooks),
                          int(plan.runner["cell_timeout"]), str(staging / "logs" / f"{path.stem}.log"),
                          parts, digest(parts)))
    return tasks


def reuse_unchanged(tasks: list[Task], cache: RunCache, staging: Path) -> dict[str, dict]:
    """Copy in the outputs of every notebook whose key is in the cache; say why the others run."""
    reused = {}
    for task in tasks:
        entry = cache.lookup("notebooks", task.key, task.name)
        if entry is not None:
            entry.copy_into(staging)
            record = dict(entry.meta["record"])
            record["cache"] = {"state": "unchanged", "key": task.key, "made": entry.meta.get("made"),
                               "reason": f"nothing it depends on changed since {entry.meta.get('made')}"}
            reused[task.name] = record
            _say(f"  {task.name}: unchanged (made {entry.meta.get('made')})")
            continue
        if cache.force:
            task.reason = "--force"
        else:
            before = cache.latest("notebooks", task.name)
            task.reason = what_changed(before.meta.get("parts") if before else None, task.parts)
    return reused


def start_kernels(size: int, paths: ProjectPaths, staging: Path, stack: ExitStack) -> KernelPool:
    """The pool, started now so its kernels import the stack while the caller goes on."""
    return stack.enter_context(KernelPool(size, kernel_name(), paths.root, paths.notebooks,
                                          staging / "logs" / "kernels.log"))


def execute_changed(tasks: list[Task], pool: KernelPool, exports: ExportProcess, cache: RunCache,
                    staging: Path, outputs: Path) -> dict[str, dict]:
    """Run the notebooks in the pool, longest first; each one's HTML export and cache entry
    are made as it finishes while the kernels go on; one failure stops nothing."""
    if not tasks:
        return {}
    _say(f"running {_count(len(tasks), 'notebook')} in {_count(len(pool), 'kernel')}")
    finished: queue.Queue = queue.Queue()
    by_name = {task.name: task for task in tasks}

    def finish(task: Task, record: dict) -> None:
        try:
            record = export_reports(task, record, exports)
            record["cache"] = {"state": "ran", "key": task.key, "reason": task.reason}
            if record["status"] == "ok":
                cache.store("notebooks", task.key, task.outputs(staging),
                            {"parts": task.parts, "record": record, "made": stamp()}, name=task.name)
        except Exception as exc:  # a defect here must not leave the run waiting for the record
            record.update(status="failed", seconds=record.get("seconds"),
                          cache={"state": "ran", "key": task.key, "reason": task.reason},
                          error={"cell": None, "ename": type(exc).__name__, "evalue": str(exc)[:500]})
        finished.put(record)

    records: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dezhou-export") as finishing:
        for task in longest_first(tasks, outputs):
            pool.submit(task.job(), lambda job, record: finishing.submit(finish, by_name[job.name], record))
        pool.no_more_jobs()  # each kernel shuts down as soon as the queue is empty
        while len(records) < len(tasks):
            try:
                record = finished.get(timeout=1.0)
            except queue.Empty:
                continue
            records[record["notebook"]] = record
            _say(f"  [{len(records)}/{len(tasks)}] {record['notebook']}: {record['status']} "
                 f"({record['seconds']} s; {by_name[record['notebook']].reason}){_failure_text(record)}")
    return records


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _failure_text(record: dict) -> str:
    if record["status"] == "ok":
        return ""
    err = record["error"] or {}
    return f" — cell {err.get('cell')} `{err.get('source', '')}`: {err.get('ename')}: {err.get('evalue')}"


RUN_NAME = "RUN-NAME-9f1c2e"  # stands for the run's name in a cached index page


def render_index_page(data_phase: DataPhase, records: list[dict], manifest: dict,
                      cache: RunCache, code: dict, template: str | None = None,
                      font_characters: Future | None = None) -> str:
    """index.html; the page is taken from the cache while the assessment, the notebooks' states
    and the parameters are the same (only the run's name is filled in). font_characters: the
    characters of a font subset made beforehand (`index_font`)."""
    shown = [{k: r.get(k) for k in ("notebook", "status", "error", "seconds")} for r in records]
    key = digest({"processed": tree_digests(data_phase.paths.root, data_phase.paths.processed),
                  "records": shown, "parameters": manifest["parameters"], "template": template,
                  **code}) + ".html"
    page = cache.read_text("index", key)
    if page is None:
        from dezhou_analysis.reports.index_page import render_index
        from dezhou_analysis.reports.webfont import cjk_characters, embed
        page = render_index(data_phase.assessment, records, {**manifest, "run": RUN_NAME},
                            data_phase.data.parse.documents, template)
        try:
            ready = font_characters.result() if font_characters else ""
        except Exception:  # made ahead only to save time: whatever failed there is made now
            ready = ""
        page = embed(page, ready if set(cjk_characters(page)) <= set(ready) else None)
        cache.write_text("index", key, page)
    return page.replace(RUN_NAME, html.escape(manifest["run"], quote=True))


def index_font(data_phase: DataPhase, plan: RunPlan, names: list[str], exports: ExportProcess) -> str:
    """The Chinese characters of the index page as it will be if every notebook succeeds, with
    their font subset made now by the export process (into the run's font folder), while the
    notebooks run, instead of at the run's end (the page uses it when its characters are among
    them)."""
    from dezhou_analysis.reports.data_needed import TEMPLATE_NAME
    from dezhou_analysis.reports.index_page import render_index
    from dezhou_analysis.reports.webfont import cjk_characters
    from dezhou_analysis.stages import data_quality_counts
    records = [{"notebook": name, "status": "ok", "error": None, "seconds": 0.0} for name in names]
    manifest = {"parameters": {"notebooks": plan.per_notebook, "runner": plan.runner}, "run": RUN_NAME,
                "data_quality": data_quality_counts(data_phase.data)}
    characters = cjk_characters(render_index(data_phase.assessment, records, manifest,
                                             data_phase.data.parse.documents, TEMPLATE_NAME))
    exports.font(characters)
    return characters


def finish_run(paths: ProjectPaths, plan: RunPlan, staging: Path, final: Path, data_phase: DataPhase,
               records: dict[str, dict], cache: RunCache, started: dt.datetime, clock: float,
               phases: dict, index_font: Future | None = None) -> None:
    """Index and manifest into the staging folder, then swap it in as the run (index_font:
    the index's font subset, made while the notebooks ran)."""
    finishing = time.perf_counter()
    ordered = list(records.values())
    manifest = build_manifest(paths, staging, started, plan.per_notebook, plan.runner, ordered,
                              plan.jobs, time.perf_counter() - clock)
    manifest["data_quality"], template = summarise_data(data_phase, staging, cache, plan)
    manifest["cache"] = {"force": cache.force, "data_phase": "ran" if data_phase.ran else "unchanged",
                         "ran": [r["notebook"] for r in ordered if r["cache"]["state"] == "ran"],
                         "unchanged": [r["notebook"] for r in ordered if r["cache"]["state"] == "unchanged"]}
    write_text_atomic(staging / "index.html",
                      render_index_page(data_phase, ordered, manifest, cache, plan.code, template,
                                        index_font))
    manifest["edited_parameter_cells"] = plan.edited
    manifest["seconds_total"] = round(time.perf_counter() - clock, 2)
    phases["index_and_manifest"] = round(time.perf_counter() - finishing, 2)
    manifest["seconds_by_phase"] = phases
    manifest["outputs"] = output_hashes(staging)
    write_text_atomic(staging / "manifest.json",
                      json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    os.replace(staging, final)
    _update_latest(paths.outputs, final)


def summarise_data(data_phase: DataPhase, staging: Path, cache: RunCache,
                   plan: RunPlan) -> tuple[dict, str | None]:
    """The data-quality counts the index shows and the fill-in template (its name in the run
    folder, or None): taken from the cache while the data phase's inputs and outputs are the
    same, so a run that changed nothing loads no table."""
    key = digest(data_phase_key(data_phase.paths, plan))
    entry = cache.lookup("data_summary", key)
    if entry is not None:
        entry.copy_into(staging)
        return entry.meta["data_quality"], entry.meta["template"]
    from dezhou_analysis.stages import data_quality_counts
    counts = data_quality_counts(data_phase.data)
    template = write_needed_template(staging, data_phase.assessment, data_phase.data)
    cache.store("data_summary", key, {template: staging / template} if template else {},
                {"data_quality": counts, "template": template})
    return counts, template


def write_needed_template(staging: Path, assessment, data) -> str | None:
    """The fill-in template holding exactly the indicators the index lists as data needed;
    its path in the run folder, or None when every target can be assessed."""
    from dezhou_analysis.reports.data_needed import (
        TEMPLATE_NAME,
        data_needed,
        write_needed_template,
    )
    from dezhou_analysis.stages import home_region
    written = write_needed_template(data_needed(assessment), staging / TEMPLATE_NAME,
                                    region=home_region(data.parse))
    return TEMPLATE_NAME if written else None


def print_run_to_pdf(final: Path) -> list[Path]:
    """The index and every report as A4 PDFs in <run>/pdf, through headless Chromium when it is
    installed; says so and prints nothing when it is not. A page that fails is named and the
    others are still printed."""
    from dezhou_analysis.run.export import find_chromium, print_pdf
    chromium = find_chromium()
    if chromium is None:
        _say("PDF: Chromium is not installed (`make browser` installs it); no PDF written")
        return []
    pages = [final / "index.html"] + sorted((final / "reports").glob("*.html"))
    written = []
    for page in pages:
        try:
            written.append(print_pdf(page, final / "pdf" / f"{page.stem}.pdf", chromium))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            _say(f"PDF: {page.name} not printed: {exc}")
    _say(f"PDF: {len(written)} of {len(pages)} pages printed to {final / 'pdf'}")
    return written


def report_outcome(records: dict[str, dict], final: Path, seconds: float) -> int:
    """Say how the run ended, naming every failed notebook and cell; 1 if any failed."""
    failed = [r for r in records.values() if r["status"] != "ok"]
    ran = sum(1 for r in records.values() if r["cache"]["state"] == "ran")
    _say(f"finished in {seconds:.1f} s ({_count(ran, 'notebook')} run, {len(records) - ran} unchanged)")
    for record in failed:
        err = record["error"] or {}
        _say(f"FAILED {record['notebook']}: cell {err.get('cell')} ({err.get('ename')}: "
             f"{err.get('evalue')}) `{err.get('source', '')}`; partial output kept in "
             f"{final / 'notebooks' / (record['notebook'] + '.ipynb')}")
    _say(str(final / "index.html"))
    return 1 if failed else 0


def run_suite(paths: ProjectPaths, params_file: str | None = None, overrides: list[str] | None = None,
              jobs: int = 2, out: Path | None = None, only: list[str] | None = None,
              force: bool = False, pdf: bool = False) -> int:
    """The whole suite: plan → data → run folder → notebooks → tables, index, manifest.

    params_file / overrides: notebook parameters (YAML file, `-p key=value`); jobs: notebooks run
    at once (kernels in the pool); out: the run folder (default outputs/<timestamp>); only:
    notebook names to run; force: make everything again, whatever the cache holds; pdf: also
    print the index and each report to PDF (needs Chromium).
    Returns the exit code: 0, or 1 when a notebook failed (the others still ran)."""
    started, clock = dt.datetime.now(), time.perf_counter()
    _skip_uri_grammar()
    cache = RunCache(paths.outputs / ".cache", force)
    plan = plan_run(paths, params_file, overrides, jobs, only, cache)
    _use_font_cache(cache, plan)
    final, staging = open_run_folder(paths.outputs, out, started)
    tables: Future | None = None
    try:
        with ExitStack() as stack:
            size = min(jobs, len(plan.notebooks))
            current = data_is_current(paths, plan, cache)
            # something changed in the data: the notebooks will most likely run, so the kernels
            # import the stack while the data phase works
            pool = None if current else start_kernels(size, paths, staging, stack)
            data_phase = prepare_data(paths, plan, cache, current)
            phases = {"data": round(time.perf_counter() - clock, 2)}
            tables = in_background(write_data_tables, paths.processed, staging / "tables" / "data",
                                   cache, plan.code)
            tasks = make_tasks(plan, paths, staging)
            records = reuse_unchanged(tasks, cache, staging)
            changed = [t for t in tasks if t.name not in records]
            # the export process starts once the data phase is done: it has nothing to do before
            # the first notebook ends, and the CPUs are busy with the data phase and the kernels
            exports = start_exports(cache, plan, stack) if changed else None
            font = in_background(index_font, data_phase, plan, [t.name for t in tasks],
                                 exports) if changed else None
            notebooks_started = time.perf_counter()
            if changed and pool is None:
                pool = start_kernels(min(size, len(changed)), paths, staging, stack)
            records.update(execute_changed(changed, pool, exports, cache, staging, paths.outputs))
            phases["notebooks"] = round(time.perf_counter() - notebooks_started, 2)
        records = {t.name: records[t.name] for t in sorted(tasks, key=lambda t: _order(t.name))}
        tables.result()  # the run's copy of the processed tables, written while notebooks ran
        finish_run(paths, plan, staging, final, data_phase, records, cache, started, clock, phases,
                   font)
    except BaseException:
        if tables is not None:
            wait([tables])  # it writes into the staging folder: let it end before removing that
        shutil.rmtree(staging, ignore_errors=True)
        raise
    cache.prune()
    if pdf:
        print_run_to_pdf(final)
    return report_outcome(records, final, time.perf_counter() - clock)


def in_background(function, *args) -> Future:
    """Run a function in a thread of its own; `.result()` waits for it and re-raises its error."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dezhou-background")
    future = executor.submit(function, *args)
    executor.shutdown(wait=False)
    return future


def _use_font_cache(cache: RunCache, plan: RunPlan) -> None:
    """Font subsets on disk, in a folder named after the package and environment they came from."""
    from dezhou_analysis.reports.webfont import keep_subsets_in
    keep_subsets_in(_fonts_folder(cache, plan))


def _fonts_folder(cache: RunCache, plan: RunPlan) -> Path:
    return cache.root / "fonts" / digest(plan.code)[:24]


def start_exports(cache: RunCache, plan: RunPlan, stack: ExitStack) -> ExportProcess:
    """The process that makes the HTML pages (and font subsets), started now so it imports
    nbconvert and fontTools while the caller goes on."""
    from dezhou_analysis.run.export import ExportProcess
    return stack.enter_context(ExportProcess(_fonts_folder(cache, plan)))


#: seconds a notebook keeps its kernel busy when no earlier run says otherwise (CPU seconds of
#: each on the shipped data, measured on 2 cores; only their order matters)
TYPICAL_SECONDS = {"target_reachability": 6.6, "indicator_trends": 5.5, "scenarios": 5.5,
                   "baseline": 3.1, "industries": 2.0, "plan_extraction": 1.4}


def _order(name: str) -> int:
    return NOTEBOOK_ORDER.index(name) if name in NOTEBOOK_ORDER else len(NOTEBOOK_ORDER)


def longest_first(tasks: list[Task], outputs: Path) -> list[Task]:
    """Start the longest notebooks first so the last one does not run alone on an idle machine.

    Durations (the time a notebook holds its kernel, export not included) come from the latest
    run's manifest, else from typical timings.
    """
    seconds = dict(TYPICAL_SECONDS)
    try:
        latest = json.loads((outputs / "latest" / "manifest.json").read_text(encoding="utf-8"))
        seconds.update({r["notebook"]: r["execute_seconds"] for r in latest["notebooks"]
                        if r.get("execute_seconds")})
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
