"""One run at a time per project: runs and the data stages never mix their results.

Everything that writes `data/processed` or a run folder (`run`, `parse`, `panel`, `assess`)
holds an exclusive lock on `outputs/.run.lock` while it works. A second command started
meanwhile says that another is in progress (which, since when) and waits for it; with
`--wait 0` it stops at once instead. The lock belongs to the process (flock): a run killed
with SIGKILL releases it, and the next run removes the `.partial` folders the killed run left.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dezhou_analysis.core.errors import DezhouError

LOCK_NAME = ".run.lock"


class RunInProgress(DezhouError):
    """Another run of the same project holds the lock and did not finish in time."""


def lock_file(outputs: Path) -> Path:
    return Path(outputs) / LOCK_NAME


@contextmanager
def project_lock(outputs: Path, command: str, wait: float = 600.0,
                 say=lambda text: print(text, file=sys.stderr, flush=True)) -> Iterator[None]:
    """Hold the project's run lock for the block; wait up to `wait` seconds for another holder."""
    import fcntl
    path = lock_file(outputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd, fcntl):
            holder = _holder(path)
            if wait <= 0:
                raise RunInProgress(f"another run is in progress ({holder}); not started. "
                                    "Wait for it to finish or use --wait SECONDS")
            say(f"another run is in progress ({holder}); waiting up to {wait:.0f} s for it to finish")
            deadline = time.monotonic() + wait
            while not _try_lock(fd, fcntl):
                if time.monotonic() > deadline:
                    raise RunInProgress(f"another run is still in progress after {wait:.0f} s "
                                        f"({holder}); not started")
                time.sleep(0.25)
        _record_holder(fd, command)
        yield
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int, fcntl) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _record_holder(fd: int, command: str) -> None:
    record = {"pid": os.getpid(), "command": command,
              "since": dt.datetime.now().isoformat(timespec="seconds")}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)


def _holder(path: Path) -> str:
    try:
        record = json.loads(path.read_text(encoding="utf-8") or "{}")
        return f"`{record['command']}`, pid {record['pid']}, since {record['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"


def clean_stale_partials(*folders: Path) -> list[Path]:
    """Remove `.*.partial` folders a killed run left behind. Only call while holding the lock:
    then no other run can be writing into one of them."""
    removed = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for item in sorted(Path(folder).glob(".*.partial")):
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item, ignore_errors=True)
                removed.append(item)
    return removed
