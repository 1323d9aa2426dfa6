"""The suite's own error types: every failure a user can cause is one of these, with a place."""

from __future__ import annotations

from dataclasses import dataclass


class DezhouError(Exception):
    """Base of every error the suite raises on purpose; the CLI prints it without a traceback."""


@dataclass(frozen=True)
class Issue:
    """One problem found in an input, located as precisely as the input allows."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    severity: str = "error"  # error | warning

    def where(self) -> str:
        from dezhou_analysis.core.rawfiles import shown  # file names: control characters escaped
        parts = [shown(self.file)]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


class DocumentError(DezhouError):
    """A source document cannot be read (empty, binary, undecodable, missing sidecar…)."""


class InputError(DezhouError):
    """One or more problems in user data; carries every issue, not just the first."""

    def __init__(self, issues: list[Issue], summary: str | None = None):
        self.issues = list(issues)
        head = summary or f"{len(self.issues)} problem(s) found"
        super().__init__(head + "\n" + "\n".join(f"  - {i}" for i in self.issues))


class UnitError(DezhouError):
    """A unit is unknown or cannot be converted to the one asked for."""


class ParameterError(DezhouError):
    """A run parameter is unknown, of the wrong type or out of range."""
