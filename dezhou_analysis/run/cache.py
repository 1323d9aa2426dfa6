"""What a run can take from earlier runs: a notebook's outputs are reused while nothing it
depends on has changed, and the run says why each notebook ran or was reused.

A notebook depends on its code and kernel (cell sources, kernelspec), its injected parameters,
its inputs by content (every file under data/raw and data/processed, by sha256; helper modules
beside the notebooks), the package (version and a digest of its source, so an edited checkout
re-executes) and the environment (Python and the installed distributions with their versions).
The key is the sha256 of all of that; the parts are kept beside the outputs so that the next
run can say what changed. The run folder a notebook writes to (`output_dir`) is not part of the
key: it is where outputs go, not what they are.

Everything lives under `outputs/.cache/`. An entry is a folder built under a temporary name and
renamed into place when complete, so a killed run leaves whole entries or none, and the entries
of the notebooks that finished before the kill are used by the next run. Old entries are pruned:
a few per notebook are kept, the most recently used first.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from dezhou_analysis import __version__
from dezhou_analysis.core.files import sha256_file, write_text_atomic

#: bump when the layout of an entry or the meaning of a key changes
CACHE_FORMAT = 1
#: entries kept per notebook (and per kind for data tables and index pages)
KEEP = 3
ENTRY_FILE = "entry.json"


def canonical(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def digest(data: object) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def tree_digests(root: Path, folder: Path) -> dict[str, str]:
    """sha256 of every file under folder (dot files and caches left out), by path from root."""
    found = {}
    if not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = sha256_file(path)
    return found


def package_fingerprint() -> dict:
    """The package's version and a digest of its source (code, templates, package data)."""
    folder = Path(__file__).resolve().parents[1]
    return {"version": __version__, "source": digest(tree_digests(folder, folder))}


def environment_fingerprint(kernel_name: str) -> dict:
    """Python, the kernel's name and every installed distribution with its version."""
    distributions = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        distributions.update(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return {"python": sys.version.split()[0], "kernel": kernel_name,
            "distributions": digest(sorted(distributions))}


def notebook_fingerprint(path: Path) -> str:
    """What execution depends on in a notebook file: its cells' types and sources and its
    kernel; saved outputs, cell ids and metadata that papermill clears do not count."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [(c.get("cell_type"), "".join(c.get("source", "")),
              sorted(c.get("metadata", {}).get("tags", []))) for c in nb.get("cells", [])]
    meta = nb.get("metadata", {})
    return digest({"cells": cells, "kernelspec": meta.get("kernelspec", {}).get("name"),
                   "language": meta.get("language_info", {}).get("name")})


@dataclass
class RunInputs:
    """What every notebook of a run shares: its inputs by content, its code and environment."""
    inputs: dict[str, str]
    helpers: dict[str, str]
    package: dict
    environment: dict

    @classmethod
    def measure(cls, root: Path, notebooks: Path, kernel_name: str,
                package: dict | None = None) -> RunInputs:
        inputs = {**tree_digests(root, root / "data" / "raw"),
                  **tree_digests(root, root / "data" / "processed")}
        helpers = {p.relative_to(root).as_posix(): sha256_file(p)
                   for p in sorted(notebooks.glob("*.py")) if p.is_file()}
        return cls(inputs, helpers, package or package_fingerprint(),
                   environment_fingerprint(kernel_name))

    def notebook_parts(self, source: Path, parameters: dict) -> dict:
        """Everything a notebook's outputs depend on; its digest is the notebook's key."""
        return {"format": CACHE_FORMAT, "notebook": notebook_fingerprint(source),
                "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
                "inputs": self.inputs, "helpers": self.helpers, "package": self.package,
                "environment": self.environment}


def what_changed(before: dict | None, now: dict) -> str:
    """Why a notebook runs, in words: what differs from the last time it was made."""
    if before is None:
        return "no earlier run"
    said = []
    if before.get("format") != now["format"]:
        said.append("cache format changed")
    if before.get("notebook") != now["notebook"]:
        said.append("notebook changed")
    old, new = before.get("parameters", {}), now["parameters"]
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if changed:
        said.append("parameters changed: " + ", ".join(
            f"{k} {old.get(k, '—')!r} → {new.get(k, '—')!r}" for k in changed))
    for part, label in (("inputs", "inputs"), ("helpers", "helper modules")):
        old, new = before.get(part, {}), now[part]
        names = sorted(set(old) | set(new), key=lambda n: (n.startswith("data/processed/"), n))
        files = [f"{name} ({'new' if name not in old else 'removed' if name not in new else 'changed'})"
                 for name in names if old.get(name) != new.get(name)]  # raw files first: the cause
        if files:
            more = f" and {len(files) - 5} more" if len(files) > 5 else ""
            said.append(f"{label} changed: {', '.join(files[:5])}{more}")
    if before.get("package") != now["package"]:
        said.append("package changed")
    if before.get("environment") != now["environment"]:
        said.append("environment changed")
    return "; ".join(said) or "outputs missing"


@dataclass
class Entry:
    """A complete cache entry: a folder of files laid out as in a run folder, and its record."""
    folder: Path
    meta: dict

    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p.name != ENTRY_FILE)

    def copy_into(self, target: Path) -> None:
        for path in self.files():
            destination = target / path.relative_to(self.folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


class RunCache:
    """The cache folder: entries (folders of outputs) and small texts, each written atomically.

    force: lookups find nothing (everything is made again) while new entries are still stored.
    """

    def __init__(self, root: Path, force: bool = False):
        self.root = Path(root)
        self.force = force
        self.used: set[Path] = set()

    # ---- entries: folders of files -----------------------------------------------------------

    def _folder(self, kind: str, key: str, name: str = "") -> Path:
        return self.root / kind / (f"{name}-{key}" if name else key)

    def lookup(self, kind: str, key: str, name: str = "") -> Entry | None:
        if self.force:
            return None
        folder = self._folder(kind, key, name)
        try:
            meta = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self._mark_used(folder)
        return Entry(folder, meta)

    def latest(self, kind: str, name: str) -> Entry | None:
        """The most recently made or used entry for a notebook (to say what changed since)."""
        folders = sorted(self.root.joinpath(kind).glob(f"{name}-*"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for folder in folders:
            try:
                return Entry(folder, json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return None

    def store(self, kind: str, key: str, files: dict[str, Path], meta: dict,
              name: str = "") -> Path | None:
        """Copy files (path in the entry → source) into a new entry; None if it could not be
        written (a full disk costs the cache, never the run)."""
        final = self._folder(kind, key, name)
        partial = final.parent / f".partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            for relative, source in files.items():
                target = partial / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            partial.mkdir(parents=True, exist_ok=True)
            write_text_atomic(partial / ENTRY_FILE, json.dumps(meta, ensure_ascii=False, indent=1,
                                                              sort_keys=True, default=str))
            if final.exists():
                shutil.rmtree(final)
            os.rename(partial, final)
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
            return None
        self._mark_used(final)
        return final

    def _mark_used(self, folder: Path) -> None:
        self.used.add(folder)
        try:
            os.utime(folder)
        except OSError:
            pass

    # ---- small texts: declared parameters, index pages, fonts, the data phase ---------------

    def read_text(self, kind: str, key: str) -> str | None:
        if self.force:
            return None
        try:
            text = (self.root / kind / key).read_text(encoding="utf-8")
        except OSError:
            return None
        self._mark_used(self.root / kind / key)
        return text

    def write_text(self, kind: str, key: str, text: str) -> None:
        try:
            write_text_atomic(self.root / kind / key, text)
        except OSError:
            return
        self._mark_used(self.root / kind / key)

    # ---- housekeeping ------------------------------------------------------------------------

    def prune(self, keep: int = KEEP) -> None:
        """Remove leftovers of killed runs and all but the `keep` most recent entries of each
        notebook and kind; what this run used is always kept."""
        if not self.root.is_dir():
            return
        for kind in (p for p in self.root.iterdir() if p.is_dir()):
            groups: dict[str, list[Path]] = {}
            for item in kind.iterdir():
                if item.name.startswith(".partial-"):
                    if not _alive(item.name.split("-")[1]):
                        shutil.rmtree(item, ignore_errors=True)
                    continue
                group = item.name.rsplit("-", 1)[0] if "-" in item.name else ""
                groups.setdefault(group, []).append(item)
            for items in groups.values():
                items.sort(key=lambda p: p.stat().st_mtime, reverse=True)
                for old in items[keep:]:
                    if old in self.used:
                        continue
                    if old.is_dir():
                        shutil.rmtree(old, ignore_errors=True)
                    else:
                        old.unlink(missing_ok=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")
