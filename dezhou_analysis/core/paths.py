"""Where things live: the project folder and its conventional sub-folders."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def find_project_root(start: str | Path | None = None) -> Path:
    """The nearest folder upward holding pyproject.toml and data/raw (else the start folder).

    Notebooks run from notebooks/, the CLI from anywhere inside the project; both find the same
    root. DEZHOU_PROJECT_DIR overrides the search.
    """
    override = os.environ.get("DEZHOU_PROJECT_DIR")
    if override:
        return Path(override).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return here


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @classmethod
    def discover(cls, start: str | Path | None = None) -> ProjectPaths:
        return cls(find_project_root(start))

    @property
    def documents(self) -> Path:
        return self.root / "data" / "raw" / "documents"

    @property
    def yearbook(self) -> Path:
        return self.root / "data" / "raw" / "yearbook"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"
