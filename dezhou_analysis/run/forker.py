"""Kernels forked from one process that has already imported the stack (Linux).

Every pooled kernel would otherwise import numpy, pandas, matplotlib, seaborn and statsmodels
itself: seconds of CPU per kernel, spent while the data phase needs the same CPUs. Instead the
runner starts one *forker* beside the data phase. It imports the stack once and, for each
kernel the pool asks for, forks a child that goes on to become an ordinary ipykernel. The
children share the imported modules; none of them imports anything again.

jupyter_client still launches and manages one process per kernel: a small stand-in
(`STAND_IN`) that asks the forker for a kernel, hands it its standard streams, working folder,
environment and command line, relays signals to it and exits with its status. Lifetimes stay
tied as before: the stand-in dies with the thread that started it (PR_SET_PDEATHSIG) and the
kernel with its stand-in (it waits on a pipe only the stand-in holds open), so a runner killed
with SIGKILL still takes every kernel with it.

The forker is used only where it starts what the kernel spec would have started: the same
interpreter and flags, running `-m ipykernel_launcher`. Anything else (another environment's
kernel, another platform) is launched as the spec says.

This module imports nothing heavy; the runner imports it, and `python -m` runs it as the forker.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

#: the imports every notebook makes (directly or on its way); the forker and each kernel run it
STACK_IMPORTS = """\
import numpy, pandas, matplotlib, matplotlib.pyplot, seaborn, openpyxl, IPython.display
import statsmodels.api, statsmodels.formula.api
import importlib, pkgutil, dezhou_analysis.reports
for _module in pkgutil.iter_modules(dezhou_analysis.reports.__path__):
    importlib.import_module("dezhou_analysis.reports." + _module.name)
"""

#: what the kernel itself needs before it can serve, imported by the forker too
KERNEL_IMPORTS = "import ipykernel.kernelapp, ipykernel.ipkernel, ipykernel_launcher, runpy\n"

#: ipykernel sets this before any import of matplotlib in a kernel; the forker imports it first
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

#: the first lines of a process launched for the runner (argv[1]: the starter's pid): it dies
#: with the thread that started it, or at once if that thread is already gone (Linux)
BOUND_TO_STARTER = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)\n"  # PR_SET_PDEATHSIG, SIGKILL
    "if os.getppid() != int(sys.argv[1]):\n"  # the starter died before the line above
    "    os._exit(1)\n"
)
#: a bound process that then becomes the command in argv[2:]
BOUND_EXEC = BOUND_TO_STARTER + "os.execvp(sys.argv[2], sys.argv[2:])\n"

#: the process jupyter_client launches instead of the kernel; stdlib only, so it starts in ms.
#: argv: the starter's pid, the forker's socket and pid, the module, the module's arguments
STAND_IN = BOUND_TO_STARTER + r"""
import json, signal, socket, time
path, forker, module, args = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
while True:
    try:
        conn.connect(path)
        break
    except OSError:
        try:
            os.kill(forker, 0)
        except OSError:
            sys.exit("dezhou-analysis: the kernel forker is gone")
        time.sleep(0.01)
kept, lifeline = os.pipe()
body = json.dumps({"module": module, "args": args, "cwd": os.getcwd(),
                   "env": dict(os.environ)}).encode()
socket.send_fds(conn, [len(body).to_bytes(8, "big")], [0, 1, 2, kept])
conn.sendall(body)
os.close(kept)
replies = conn.makefile("r")
line = replies.readline()
if not line.strip().isdigit():
    sys.exit("dezhou-analysis: the kernel forker did not start the kernel")
kernel = int(line)
for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
               signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(number, lambda n, _frame: os.kill(kernel, n))
status = replies.readline()
if status.strip().lstrip("-").isdigit():
    os._exit(int(status))
while True:  # the forker ended first: wait for the kernel itself
    try:
        os.kill(kernel, 0)
    except OSError:
        os._exit(1)
    time.sleep(0.1)
"""


class Forker:
    """The runner's handle on the forker process: start it, turn kernel commands into
    stand-in commands, stop it (also as a context manager)."""

    def __init__(self, interpreter: list[str], log_path: Path | None = None):
        self._folder = tempfile.mkdtemp(prefix="dezhou-forker-")
        self.socket_path = os.path.join(self._folder, "socket")
        self.interpreter = interpreter
        env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND") or INLINE_BACKEND}
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", BOUND_EXEC, str(os.getpid()),
                 *interpreter, "-m", __name__, self.socket_path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True)
        finally:
            if log_path:
                log.close()

    @classmethod
    def for_kernel(cls, kernel_name: str, log_path: Path | None = None) -> Forker | None:
        """A forker for the kernels of this spec, or None where kernels are launched as the
        spec says: not Linux, or the spec does not run ipykernel in this interpreter."""
        if not sys.platform.startswith("linux"):
            return None
        from jupyter_client.kernelspec import get_kernel_spec
        split = _module_command(list(get_kernel_spec(kernel_name).argv))
        if split is None or split[1] != "ipykernel_launcher" or not _same_program(split[0][0], sys.executable):
            return None
        return cls(split[0], log_path)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stand_in(self, cmd: list[str]) -> list[str] | None:
        """The command that gets the kernel `cmd` from the forker, or None when the forker
        would not start what `cmd` starts."""
        split = _module_command(cmd)
        if split is None or not self.alive():
            return None
        interpreter, module, args = split
        if module != "ipykernel_launcher" or interpreter[1:] != self.interpreter[1:] \
                or not _same_program(interpreter[0], self.interpreter[0]):
            return None
        return [sys.executable, "-I", "-S", "-c", STAND_IN, str(os.getpid()), self.socket_path,
                str(self.process.pid), module, *args]

    def close(self) -> None:
        """Stop the forker; kernels it made live on with their stand-ins."""
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        try:
            os.unlink(self.socket_path)
        except FileNotFoundError:
            pass
        os.rmdir(self._folder)

    def __enter__(self) -> Forker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _module_command(cmd: list[str]) -> tuple[list[str], str, list[str]] | None:
    """[interpreter and its flags], module, [module arguments] of `python [flags] -m module …`."""
    if "-m" not in cmd:
        return None
    at = cmd.index("-m")
    flags = cmd[1:at]
    if at + 1 >= len(cmd) or not all(flag.startswith("-X") for flag in flags):
        return None
    return cmd[:at], cmd[at + 1], cmd[at + 2:]


def _same_program(command: str, program: str) -> bool:
    """Whether `command` (after the PATH lookup and links) is `program`."""
    import shutil
    found = shutil.which(command)
    return found is not None and os.path.realpath(found) == os.path.realpath(program)


# --- inside the forker ----------------------------------------------------------------------

def serve(path: str) -> None:
    """Import the stack, then fork a kernel for every stand-in that connects, and tell each
    stand-in its kernel's pid and, when the kernel ends, its exit status."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    launched_in = os.getcwd()  # `-m` put it first on sys.path; a kernel puts its own folder there
    exec(compile(STACK_IMPORTS + KERNEL_IMPORTS, "<forker imports>", "exec"), {})
    woken, wake = os.pipe()
    for fd in (woken, wake):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    waiting: dict[int, socket.socket] = {}
    while True:
        readable, _, _ = select.select([listener, woken], [], [])
        if woken in readable:
            _drain(woken)
            _reap(waiting)
        if listener in readable:
            conn, _ = listener.accept()
            try:
                request, fds = _receive(conn)
            except (OSError, ValueError):
                conn.close()
                continue
            inherited = [listener.fileno(), woken, wake, conn.fileno(),
                         *(c.fileno() for c in waiting.values())]
            pid = os.fork()
            if pid == 0:
                _become_kernel(request, fds, inherited, launched_in)
            for fd in fds:
                os.close(fd)
            conn.sendall(f"{pid}\n".encode())
            waiting[pid] = conn


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One stand-in's request: its standard streams and lifeline, then its JSON body."""
    head, fds, _flags, _addr = socket.recv_fds(conn, 8, 4)
    if len(fds) != 4:
        for fd in fds:
            os.close(fd)
        raise ValueError("a stand-in must send four descriptors")
    head = _read_to(conn, 8, head)
    return json.loads(_read_to(conn, int.from_bytes(head, "big"))), fds


def _read_to(conn: socket.socket, size: int, data: bytes = b"") -> bytes:
    """`data` completed to `size` bytes from the connection."""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ValueError("the request ended early")
        data += chunk
    return data


def _reap(waiting: dict[int, socket.socket]) -> None:
    while waiting:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = waiting.pop(pid, None)
        if conn is not None:
            try:
                conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass
            conn.close()


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _become_kernel(request: dict, fds: list[int], inherited: list[int], launched_in: str) -> None:
    """In the forked child: take the stand-in's streams, folder, environment and command
    line, then run the kernel module as `python -m` would. Never returns."""
    code = 1
    try:
        os.setsid()  # signals for the forker's group are not the kernel's
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in inherited:
            os.close(fd)
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
            os.close(fd)
        threading.Thread(target=_end_with_stand_in, args=(fds[3],), daemon=True).start()
        os.chdir(request["cwd"])
        if sys.path and sys.path[0] == launched_in:
            sys.path[0] = request["cwd"]
        os.environ.clear()
        os.environ.update(request["env"])
        import runpy
        _settle_launcher_settings()
        sys.argv = [request["module"], *request["args"]]
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        import atexit
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def _settle_launcher_settings() -> None:
    """ipykernel reads its launcher's pid from the environment when it is imported, which in
    the forker was before there was a launcher: the kernel application is made with the value
    the environment now holds (the launcher module then finds that instance)."""
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))


def _end_with_stand_in(lifeline: int) -> None:
    """The stand-in holds the only write end of this pipe: when it ends, so does the kernel."""
    while True:
        try:
            if not os.read(lifeline, 1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    serve(sys.argv[1])
