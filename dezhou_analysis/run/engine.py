"""Notebooks run in a few kernels that import the stack once, not in a fresh kernel each.

Starting a kernel and importing numpy, pandas, matplotlib, seaborn, statsmodels and this package
costs seconds, more than most notebooks take to run. The pool starts `size` kernels (while the
data phase runs) with everything imported, and gives every kernel notebook after notebook. On
Linux the kernels are forked from one process that did the imports once (`forker`); elsewhere,
or when forking would not start what the kernel spec says, each kernel imports for itself. Before
each notebook `kernel_state.restore` puts the kernel back as it was after the imports, so a
notebook's outputs do not depend on which kernel ran it or what ran there before.

Each kernel belongs to one thread for its whole life: the thread starts it, feeds it and shuts
it down on every way out (normal end, exception, the runner's SIGTERM via SystemExit). On Linux
the kernel is also bound to that thread with PR_SET_PDEATHSIG, so a runner killed with SIGKILL
takes its kernels with it. A kernel that timed out or died is replaced by a fresh one.

papermill still runs each notebook (parameters cell, cell metadata, error cells); the pool only
hands it a kernel that is already running, through a papermill engine registered by name.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dezhou_analysis.run.forker import BOUND_EXEC, STACK_IMPORTS, Forker

POOL_ENGINE = "dezhou-pool"

#: run in every kernel before its first notebook; in a forked kernel the imports are done already
WARM_UP = STACK_IMPORTS + """\
from dezhou_analysis.run import kernel_state
kernel_state.snapshot({project!r})
"""
RESET = "from dezhou_analysis.run import kernel_state; kernel_state.restore({cwd!r})"


class KernelError(RuntimeError):
    """A kernel that would not start or warm up."""


def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class BoundKernelManager(AsyncKernelManager):
        """A kernel manager whose kernels die with the thread that started them (Linux), and
        come from the forker when there is one."""

        forker: Forker | None = None

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            stand_in = self.forker.stand_in(cmd) if self.forker is not None else None
            if stand_in is not None:
                return stand_in
            if not sys.platform.startswith("linux"):
                return cmd  # elsewhere ipykernel's own parent polling ends orphaned kernels
            return [sys.executable, "-I", "-S", "-c", BOUND_EXEC, str(os.getpid()), *cmd]

    return BoundKernelManager


@dataclass
class Job:
    """One notebook for the pool: papermill's arguments and where its partial output goes."""
    name: str
    source: str
    output_notebook: str
    parameters: dict
    cwd: str
    cell_timeout: int
    log: str


class PooledKernel:
    """One running kernel with the stack imported, driven from one thread and its event loop."""

    def __init__(self, kernel_name: str, project_dir: Path, cwd: Path, log_path: Path | None,
                 forker: Forker | None = None, startup_timeout: int = 120):
        self.kernel_name = kernel_name
        self.healthy = True
        self.loop = asyncio.get_event_loop()
        self.km = _manager_class()(kernel_name=kernel_name)
        self.km.forker = forker
        self.kc = None
        self.pid: int | None = None
        log = open(log_path, "ab") if log_path else None  # noqa: SIM115 (kept open by the kernel)
        try:
            self.loop.run_until_complete(self.km.start_kernel(
                cwd=str(cwd), stdout=log, stderr=log,
                extra_arguments=["--HistoryManager.hist_file=:memory:"]))
        finally:
            if log:
                log.close()  # the kernel holds its own copy of the descriptor
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            self.loop.run_until_complete(self.kc.wait_for_ready(timeout=startup_timeout))
            reply = self.run_code(WARM_UP.format(project=str(project_dir)), timeout=startup_timeout,
                                  user_expressions={"pid": "__import__('os').getpid()"})
            self.pid = int(reply["user_expressions"]["pid"]["data"]["text/plain"])
        except BaseException:
            self.healthy = False
            self.shutdown()
            raise

    def run_code(self, code: str, timeout: float = 120, user_expressions: dict | None = None) -> dict:
        """Run code silently and return the reply's content; a failure is a KernelError naming
        the exception."""
        reply = self.loop.run_until_complete(self.kc.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda msg: None,
            user_expressions=user_expressions or {}))
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")
        return content

    def run_notebook(self, job: Job) -> dict:
        """Reset the kernel and run one notebook in it; never raises (the record says)."""
        import papermill as pm
        started = time.perf_counter()
        record = {"notebook": job.name, "status": "ok", "error": None}
        cpu = self.cpu_seconds()
        try:
            self.run_code(RESET.format(cwd=job.cwd))
            with open(job.log, "w", encoding="utf-8") as log:
                pm.execute_notebook(
                    job.source, job.output_notebook, parameters=job.parameters,
                    engine_name=POOL_ENGINE, kernel_name=self.kernel_name,
                    request_save_on_cell_execute=False, progress_bar=False, log_output=False,
                    execution_timeout=job.cell_timeout, stdout_file=log, stderr_file=log,
                    km=self.km, kc=self.kc, partial_path=job.output_notebook)
        except pm.PapermillExecutionError as exc:
            record["status"] = "failed"
            record["error"] = {**cell_in_source(job.output_notebook, exc.cell_index),
                               "execution_count": exc.exec_count, "ename": exc.ename,
                               "evalue": str(exc.evalue)[:500]}
        except Exception as exc:  # timeouts, dead kernels, a failed reset
            self.healthy = False
            record["status"] = "failed"
            record["error"] = {**cell_in_source(job.output_notebook, failing_cell(job.output_notebook)),
                               "execution_count": None, "ename": type(exc).__name__,
                               "evalue": str(exc).splitlines()[0][:500] if str(exc) else ""}
        record["execute_seconds"] = round(time.perf_counter() - started, 2)
        if cpu is not None and self.cpu_seconds() is not None:
            record["execute_cpu_seconds"] = round(self.cpu_seconds() - cpu, 2)
        return record

    def cpu_seconds(self) -> float | None:
        """CPU time the kernel has used so far (None once it is gone).

        Wall time says little on a machine shared with other work; the manifest records both."""
        import psutil
        if self.pid is None:
            return None
        try:
            times = psutil.Process(self.pid).cpu_times()
        except psutil.Error:
            return None
        return times.user + times.system

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            self.loop.run_until_complete(self.km.shutdown_kernel(now=not self.healthy))
        except Exception:  # already dead, or would not stop: make sure the process is gone
            self.kill()

    def kill(self) -> None:
        """SIGKILL the kernel's process (a forked kernel's stand-in: the kernel follows it);
        safe from any thread."""
        process = getattr(self.km.provisioner, "process", None) if self.km.provisioner else None
        if process is not None and process.poll() is None:
            process.kill()


class KernelPool:
    """`size` kernels, each owned by one thread, fed from one queue of notebooks.

    Start it early (the kernels warm up while the caller works), `submit` jobs, `close` it (also
    as a context manager). `on_done(job, record)` is called from the kernel's thread.
    """

    def __init__(self, size: int, kernel_name: str, project_dir: Path, cwd: Path,
                 log_path: Path | None = None):
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._kernels: dict[str, PooledKernel] = {}
        self._args = (kernel_name, project_dir, cwd, log_path)
        # before the threads: the forker imports the stack while the kernels are being launched
        self._forker = Forker.for_kernel(kernel_name, log_path)
        self._threads = [threading.Thread(target=self._serve, name=f"dezhou-kernel-{i}", daemon=True)
                         for i in range(max(1, size))]
        for thread in self._threads:
            thread.start()

    def __len__(self) -> int:
        return len(self._threads)

    def submit(self, job: Job, on_done: Callable[[Job, dict], None]) -> None:
        self._jobs.put((job, on_done))

    def no_more_jobs(self) -> None:
        """Each kernel shuts down as soon as it finds the queue empty."""
        for _ in self._threads:
            self._jobs.put(None)

    def close(self) -> None:
        """Let every kernel finish its notebooks, then shut them all down and wait for that."""
        self.no_more_jobs()
        for thread in self._threads:
            thread.join()
        self._close_forker()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.abort()

    def abort(self) -> None:
        """The caller gave up (an exception, SIGTERM): drop what has not started, kill the
        kernels (their threads then see dead kernels and end) and wait a little for that."""
        _drain(self._jobs)
        self.no_more_jobs()
        with self._lock:
            running = list(self._kernels.values())
        for kernel in running:
            kernel.kill()
        for thread in self._threads:
            thread.join(timeout=10)
        self._close_forker()

    def _close_forker(self) -> None:
        if self._forker is not None:
            self._forker.close()

    def _serve(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        register_engine()  # imports papermill here, not in the caller's thread
        kernel, problem = self._start()
        try:
            while (item := self._jobs.get()) is not None:
                job, on_done = item
                if kernel is None:
                    kernel, problem = self._start()
                if kernel is None:
                    record = {"notebook": job.name, "status": "failed", "execute_seconds": 0.0,
                              "error": {"cell": None, "source": "", "execution_count": None,
                                        "ename": type(problem).__name__, "evalue": str(problem)[:500]}}
                else:
                    record = kernel.run_notebook(job)
                    if not kernel.healthy:  # timed out or died: a fresh kernel for the next one
                        kernel.shutdown()
                        kernel, problem = None, None
                on_done(job, record)
        finally:
            if kernel is not None:
                kernel.shutdown()
            asyncio.get_event_loop().close()

    def _start(self) -> tuple[PooledKernel | None, Exception | None]:
        """A warm kernel: forked when the pool has a forker; launched as the spec says when
        there is none or a forked one would not start (the log says why)."""
        forker = self._forker if self._forker is not None and self._forker.alive() else None
        try:
            kernel = PooledKernel(*self._args, forker=forker)
        except Exception as exc:  # a missing kernel spec, a failing import: each job says so
            if forker is None:
                return None, exc
            try:
                kernel = PooledKernel(*self._args)
            except Exception as again:
                return None, again
        with self._lock:
            self._kernels[threading.current_thread().name] = kernel
        return kernel, None


def _drain(jobs: queue.Queue) -> None:
    while True:
        try:
            jobs.get_nowait()
        except queue.Empty:
            return


_registered = threading.Lock()


def register_engine() -> None:
    """papermill's engine that runs a notebook in a kernel the pool already started."""
    from papermill.engines import NBClientEngine, papermill_engines
    with _registered:
        if POOL_ENGINE in papermill_engines._engines:
            return

        class PooledEngine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, km=None, kc=None,
                                         partial_path=None, log_output=False, stdout_file=None,
                                         stderr_file=None, start_timeout=60,
                                         execution_timeout=None, **kwargs):
                from papermill.clientwrap import PapermillNotebookClient
                from papermill.iorw import write_ipynb
                from papermill.log import logger
                client = PapermillNotebookClient(
                    nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                    kernel_name=kernel_name, log=logger, log_output=log_output,
                    stdout_file=stdout_file, stderr_file=stderr_file)
                client.kc = kc
                try:
                    return client.execute()
                except BaseException:  # keep what ran, so the failing cell can be named
                    if partial_path:
                        write_ipynb(nb_man.nb, partial_path)
                    raise

        papermill_engines.register(POOL_ENGINE, PooledEngine)


def cell_in_source(path: str, executed_index: int | None) -> dict:
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


def failing_cell(path: str) -> int | None:
    """The cell that was running when a notebook stopped (timeout, dead kernel): the partial
    notebook is written when it stops, so it is the last cell that started."""
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
