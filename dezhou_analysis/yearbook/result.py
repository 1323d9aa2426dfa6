"""What reading yearbook files gives: observations, the rows set aside with their reasons, the
problems (what `validate` lists and exits 1 on) and warnings.

A row that cannot be used never stops the reading: it is set aside, into `exclusions` (with its
file, sheet, row, column, reason and, for an unknown label, the nearest known names and the
registry line that would bring it in) and, as a problem, into `issues`. Rows left out for a
reason that is no problem (a blank cell, an identical duplicate) are exclusions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dezhou_analysis.core.errors import InputError, Issue
from dezhou_analysis.yearbook.layout import Record

#: exclusion kinds; only SET_ASIDE and FILE_SKIPPED are problems (validate exits 1 on them)
SET_ASIDE = "set aside"
FILE_SKIPPED = "file skipped"
NO_VALUE = "no value"
DUPLICATE = "duplicate"
SUPERSEDED = "superseded"
PROBLEM_KINDS = (SET_ASIDE, FILE_SKIPPED)


@dataclass
class YearbookResult:
    observations: list[dict] = field(default_factory=list)
    exclusions: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    def extend(self, other: YearbookResult) -> None:
        self.observations.extend(other.observations)
        self.exclusions.extend(other.exclusions)
        self.issues.extend(other.issues)
        self.warnings.extend(other.warnings)
        self.files.extend(other.files)

    def raise_for_issues(self) -> None:
        if self.issues:
            raise InputError(self.issues, f"{len(self.issues)} problem(s) in yearbook data")

    @property
    def set_aside(self) -> list[dict]:
        """The exclusions that are problems: rows set aside and files skipped."""
        return [e for e in self.exclusions if e.get("kind") in PROBLEM_KINDS]

    def set_row_aside(self, record: Record, column_key: str, reason: str, nearest: str = "",
                      suggestion: str = "") -> None:
        """Set one row aside: an exclusion that says where and why, and a problem for validate."""
        column = record.columns.get(column_key, column_key)
        message = reason + (f"; {suggestion}" if suggestion else "")
        self.issues.append(Issue(record.file, message, row=record.row, column=column,
                                 sheet=record.sheet))
        self.exclusions.append(exclusion(record, reason, SET_ASIDE, column, nearest, suggestion))

    def skip_file(self, name: str, reason: str, sheet: str | None = None) -> None:
        """A file (or sheet) that cannot be read at all: said, and the other files go on."""
        self.issues.append(Issue(name, reason, sheet=sheet))
        self.exclusions.append({
            "source": f"yearbook:{name}", "source_detail": name + (f", sheet {sheet}" if sheet else ""),
            "file": name, "sheet": sheet or "", "row": None, "column": "", "indicator": "",
            "year": "", "value": "", "kind": FILE_SKIPPED, "reason": reason, "nearest": "",
            "suggestion": ""})


def where(file: str, sheet: str | None, row: int | None) -> str:
    return file + (f", sheet {sheet}" if sheet else "") + (f", row {row}" if row is not None else "")


def exclusion(record: Record, reason: str, kind: str, column: str = "", nearest: str = "",
              suggestion: str = "") -> dict:
    return {"source": f"yearbook:{record.file}", "source_detail": where(record.file, record.sheet, record.row),
            "file": record.file, "sheet": record.sheet or "", "row": record.row, "column": column,
            "indicator": record.label or record.indicator_id, "year": str(record.period),
            "value": "" if record.value is None else str(record.value), "kind": kind,
            "reason": reason, "nearest": nearest, "suggestion": suggestion}


def observation_exclusion(obs: dict, reason: str, kind: str) -> dict:
    """An observation left out after it was read (a duplicate, a value another one replaced)."""
    file, sheet, row = obs.get("_row") or (obs["source"], None, None)
    return {"source": obs["source"], "source_detail": obs["source_detail"], "file": file,
            "sheet": sheet or "", "row": row, "column": "", "indicator": obs.get("label", obs["indicator_id"]),
            "year": obs["period"], "value": f"{obs['value']:g}", "kind": kind, "reason": reason,
            "nearest": "", "suggestion": ""}
