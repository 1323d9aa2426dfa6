"""The user's own extension of the indicator registry, kept in the project beside the yearbook
files (`data/raw/yearbook/indicators.local.csv`), never in the installed package.

One line per entry, with or without the header line `id,label,name_en,unit,direction,kind`:

- `gdp,全市地区生产总值` — the label is another wording of a known indicator (an alias);
- `rd_personnel_fte,R&D人员全时当量,R&D personnel (full-time equivalent),人年,increase,level`
  — a new indicator of its own (id, Chinese name, English name, unit, direction, kind).

A set-aside row's message prints the exact line to add, so one line brings it in on the next run.
A line that cannot be used is reported with its line number and the rest of the file still counts.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

from dezhou_analysis.core.errors import Issue
from dezhou_analysis.core.indicators import KINDS, Indicator, Registry, default_registry
from dezhou_analysis.core.units import known_unit

LOCAL_REGISTRY = "indicators.local.csv"
LOCAL_COLUMNS = ("id", "label", "name_en", "unit", "direction", "kind")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def local_registry_path(yearbook_dir: str | Path) -> Path:
    return Path(yearbook_dir) / LOCAL_REGISTRY


def project_registry(yearbook_dir: str | Path | None, base: Registry | None = None,
                     issues: list[Issue] | None = None) -> Registry:
    """The package registry plus the project's local lines (if the file exists). Problems in the
    local file are appended to `issues` when given; they never stop the run."""
    base = base or default_registry()
    path = local_registry_path(yearbook_dir) if yearbook_dir else None
    if path is None or not path.is_file():
        return base
    found: list[Issue] = []
    indicators = dict(base.indicators)
    for line_no, fields in _local_lines(path):
        problem = _apply_line(fields, indicators, base)
        if problem:
            found.append(Issue(path.name, problem, row=line_no))
    if issues is not None:
        issues.extend(found)
    return Registry(list(indicators.values()), list(base.suffixes))


def _local_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    text = path.read_text(encoding="utf-8-sig")
    rows = []
    for line_no, cells in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#") or (line_no == 1 and cells[0].lower() == "id"):
            continue
        rows.append((line_no, dict(zip(LOCAL_COLUMNS, cells + [""] * len(LOCAL_COLUMNS), strict=False))))
    return rows


def _apply_line(fields: dict[str, str], indicators: dict[str, Indicator], base: Registry) -> str:
    """Add one local line to `indicators`; the problem as text when it cannot be used."""
    indicator_id, label = fields["id"], fields["label"]
    if not indicator_id or not label:
        return f"expected at least an id and a label ({','.join(LOCAL_COLUMNS)})"
    known = indicators.get(indicator_id)
    if known is not None:  # another wording of a known indicator
        if label not in known.aliases and label != known.name_zh:
            indicators[indicator_id] = dataclasses.replace(known, aliases=(*known.aliases, label))
        return ""
    if not _ID.match(indicator_id):
        return (f"{indicator_id!r} is not a known id; a new id is lower-case letters, digits "
                "and _ (e.g. rd_personnel_fte)")
    unit, kind = fields["unit"], fields["kind"] or "level"
    if unit and not known_unit(unit):
        return f"unit {unit!r} is not a known unit"
    if kind not in KINDS:
        return f"kind {kind!r}: expected one of {', '.join(KINDS)}"
    if fields["direction"] not in ("", "increase", "decrease"):
        return f"direction {fields['direction']!r}: expected increase, decrease or empty"
    indicators[indicator_id] = Indicator(
        id=indicator_id, name_zh=label, name_en=fields["name_en"] or label, unit=unit,
        direction=fields["direction"], category="本地指标", kind=kind)
    return ""


def alias_line(indicator_id: str, label: str) -> str:
    """The local line that makes `label` a wording of `indicator_id`."""
    return _csv_line([indicator_id, label])


def new_indicator_line(label: str, unit: str) -> str:
    """The local line that defines `label` as a new indicator (the id and English name to fill in)."""
    return _csv_line(["new_id", label, "English name", unit, "increase", "level"])


def _csv_line(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\n') else c
                    for c in cells)
