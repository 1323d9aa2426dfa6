"""Which data would let the suite assess the targets it cannot assess yet.

Every target the assessment marks "unable to assess" is traced to the registry indicators it
needs (the indicator itself, or its parts when it is a structure entered through them) and the
years between the plan's base year and the target year that have no value. Indicators are
ordered by how many targets their data would unlock, so a reader filling in a yearbook template
starts with the rows that matter most.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dezhou_analysis.core.indicators import Registry, default_registry

UNABLE = "unable to assess"
TEMPLATE_NAME = "data_needed_template.xlsx"


def _years_present(history) -> set[int]:
    if history is None or not len(history) or "year" not in history:
        return set()
    return {int(y) for y in history["year"].dropna()}


def _needed_years(row, horizon: int) -> range:
    first = row["base_year"] if pd.notna(row["base_year"]) else row["target_year"] - 5
    last = min(int(row["target_year"]), horizon)
    return range(int(first), last + 1)


def _indicators_for(indicator_id: str, registry: Registry) -> list[str]:
    """The indicators a reader fills in for this one: a structure's parts, else itself."""
    ind = registry.indicators.get(indicator_id)
    if ind is None:
        return [indicator_id]
    if ind.kind == "structure" and ind.parts:
        return [p for p in ind.parts if p in registry]
    return [indicator_id]


def year_ranges(years: list[int]) -> str:
    """2017, 2018, 2019, 2021 → "2017–2019, 2021"."""
    parts, run = [], []
    for year in sorted(set(years)):
        if run and year != run[-1] + 1:
            parts.append(run)
            run = []
        run.append(year)
    if run:
        parts.append(run)
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in parts)


def data_needed(assessment, registry: Registry | None = None,
                horizon: int | None = None) -> pd.DataFrame:
    """One row per indicator whose data would unlock targets: names and unit from the
    registry, the years missing, the targets unlocked; most targets first."""
    registry = registry or default_registry()
    as_of = assessment.as_of
    horizon = horizon or as_of or dt.date.today().year - 1
    needs: dict[str, dict] = {}
    frame = assessment.frame
    for row in frame[frame["status"] == UNABLE].to_dict("records"):
        result = assessment.results.get(row["target_id"])
        present = _years_present(getattr(result, "history", None))
        missing = [y for y in _needed_years(row, horizon) if y not in present]
        own = row["indicator_id"] if isinstance(row["indicator_id"], str) else ""
        for indicator_id in _indicators_for(own, registry) if own else [""]:
            key = indicator_id or f"?{row['name_zh']}"  # a label the registry does not know yet
            need = needs.setdefault(key, {"targets": [], "years": set(), "row": row})
            need["targets"].append(row["target_id"])
            need["years"].update(missing)
    rows = []
    for key, need in needs.items():
        ind = registry.indicators.get(key)
        row = need["row"]
        rows.append({
            "indicator_id": key if ind else "",
            "name_zh": ind.name_zh if ind else row["name_zh"],
            "name_en": ind.name_en if ind else (row["name_en"] if isinstance(row["name_en"], str)
                                                else "not yet in the indicator registry"),
            "unit": ind.unit if ind else (row["unit"] if isinstance(row["unit"], str) else ""),
            "missing_years": year_ranges(sorted(need["years"])),
            "n_targets": len(set(need["targets"])),
            "targets": ", ".join(sorted(set(need["targets"]))),
        })
    columns = ["indicator_id", "name_zh", "name_en", "unit", "missing_years", "n_targets", "targets"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["n_targets", "name_zh"], ascending=[False, True], ignore_index=True)


def write_needed_template(needed: pd.DataFrame, path: str | Path, region: str = "",
                          years: range | None = None) -> Path | None:
    """A fill-in template holding exactly the indicators the data-needed list names."""
    from dezhou_analysis.yearbook.template import write_template
    if needed.empty:
        return None
    years = years or range(2013, dt.date.today().year)
    fmt = "csv" if str(path).endswith(".csv") else "xlsx"
    ids = [i for i in needed["indicator_id"] if i]  # labels outside the registry cannot be filled in
    return write_template(path, fmt, years=years, region=region, indicators=ids)
