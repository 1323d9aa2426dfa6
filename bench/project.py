"""A fresh copy of the project for a benchmark: the shipped notebooks and raw data, nothing
computed yet (no data/processed, no run cache), so a run in it starts from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fresh_project(target: Path) -> Path:
    for name in ("data/raw", "notebooks"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    (target / "data" / "processed").mkdir()
    return target
