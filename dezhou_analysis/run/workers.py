"""Workers that die with their parent: a run killed with SIGKILL or SIGTERM leaves nothing.

Notebook workers are forked processes; each starts a kernel. When the runner is killed its
workers would otherwise wait for work forever, each keeping its kernel alive. On Linux a worker
asks the kernel (the operating system's) to send it SIGKILL when its parent dies
(prctl PR_SET_PDEATHSIG); its notebook kernel, started by jupyter_client with JPY_PARENT_PID,
then sees its own parent gone and exits within a second. Elsewhere a watchdog thread polls the
parent's pid.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Initializer of every worker: end this process as soon as `parent_pid` is gone."""
    if sys.platform.startswith("linux") and _set_death_signal():
        if os.getppid() != parent_pid:  # the parent died before the signal was armed
            os._exit(1)
        return
    _start_watchdog(parent_pid)


def _set_death_signal() -> bool:
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _start_watchdog(parent_pid: int, every: float = 1.0) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every)
        os._exit(1)
    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
