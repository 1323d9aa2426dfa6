"""One observation panel: plan values and yearbook values, one row per cell, each with its source.

Which value a cell keeps (the README states the same rule):
1. a yearbook value over a plan value;
2. among yearbook values, one whose source column (`source`/`来源`) names an official statistics
   source (a statistics bureau, its bulletin or yearbook) over one that does not;
3. then a later file over an earlier one (the file whose data reach later years is the later
   edition), then a later row of the same file over an earlier row;
4. within the plan, the indicator table over the narrative and a stated value over a derived one.
Values equal within rounding are one value (the more precise kept). Where two values disagree
beyond rounding, in one file or in two, both are listed in conflicts with their sources, rows and
the rule that chose between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dezhou_analysis.core.breaks import basis_key, default_basis
from dezhou_analysis.core.contracts import conform
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.core.rounding import agree, decimals
from dezhou_analysis.core.units import UnitError, convert
from dezhou_analysis.yearbook.reader import YearbookResult
from dezhou_analysis.yearbook.result import SUPERSEDED

#: a source column naming one of these is an official statistics source
OFFICIAL = re.compile(r"统计局|统计公报|统计年鉴|统计月报|统计信息网|调查队|国家统计|stats\.gov|tjj\.|"
                      r"bureau\s+of\s+statistics|statistical\s+(?:bulletin|yearbook|communiqu)", re.I)

PANEL_MEASURES = {"level": "level", "share": "level", "count": "level", "ratio_part": "level",
                  "growth_yoy": "growth_yoy", "growth_avg": "growth_avg"}


@dataclass
class Panel:
    observations: pd.DataFrame
    conflicts: pd.DataFrame
    exclusions: pd.DataFrame

    def series(self, indicator_id: str, region: str, measure: str = "level",
               up_to: int | None = None) -> pd.DataFrame:
        return annual_series(self.observations, indicator_id, region, measure, up_to)


def annual_series(observations: pd.DataFrame, indicator_id: str | None = None,
                  region: str | None = None, measure: str | None = "level",
                  up_to: int | None = None) -> pd.DataFrame:
    """The annual values of an indicator in a region, by year: the only values that any fit,
    growth rate or trend line reads. Partial years (2018H1) and spans (2017-2021) stay in the
    panel for the record but never enter a series. None for indicator_id, region or measure
    means any; up_to keeps years up to it."""
    frame = observations
    mask = frame["period_kind"] == "annual"
    if indicator_id is not None:
        mask &= frame["indicator_id"] == indicator_id
    if region is not None:
        mask &= frame["region"] == region
    if measure is not None:
        mask &= frame["measure"] == measure
    if up_to is not None:
        mask &= frame["year"] <= up_to
    return frame[mask].sort_values("year", kind="stable")


def plan_rows(plan_observations: pd.DataFrame, registry: Registry) -> tuple[list[dict], list[dict]]:
    """Plan observations as panel candidates (values only; relations stay in plan_observations)."""
    rows, exclusions = [], []
    for rec in plan_observations.to_dict("records"):
        measure = PANEL_MEASURES.get(rec["measure"])
        if not rec["indicator_id"] or measure is None or pd.isna(rec["year"]) or pd.isna(rec["value"]):
            continue
        indicator = registry.indicators.get(rec["indicator_id"])
        if indicator is None:
            continue
        target_unit = "%" if measure != "level" else indicator.unit
        try:
            value = convert(rec["value"], rec["unit"] or target_unit, target_unit)
        except UnitError as exc:
            exclusions.append({"source": "plan", "source_detail": f"{rec['source_doc']}:{rec['source_line']}",
                               "indicator": rec["label"], "year": str(rec["year"]),
                               "value": f"{rec['value']:g}", "reason": f"unit: {exc}"})
            continue
        detail = f"{rec['source_doc']}:{rec['source_line']}"
        if rec["is_derived"]:
            detail += f" (derived: {rec['derivation']})"
        rank = 0 if rec["source_section"] == "table" else (2 if rec["is_derived"] else 1)
        rows.append({"indicator_id": indicator.id, "region": rec["region"], "year": int(rec["year"]),
                     "value": value, "unit": target_unit, "measure": measure,
                     "basis": default_basis(indicator, int(rec["year"])), "source": "plan",
                     "source_detail": detail, "note": rec["derivation"] if rec["is_derived"] else "",
                     "period": str(int(rec["year"])), "period_kind": "annual",
                     "_rank": (0, rank, -decimals(value))})
    return rows, exclusions


def is_official(origin: object) -> bool:
    """Whether a row's source column names an official statistics source."""
    return bool(origin) and bool(OFFICIAL.search(str(origin)))


def yearbook_rows(yearbook: YearbookResult) -> list[dict]:
    """Yearbook observations as panel candidates, ranked by the module's rule (2 and 3)."""
    # a file whose data reach later years is the later edition: its values revise earlier ones
    reach: dict[str, int] = {}
    for obs in yearbook.observations:
        reach[obs["source"]] = max(reach.get(obs["source"], 0), int(obs["year"]))
    order = {name: i for i, name in enumerate(sorted(reach, key=lambda name: (reach[name], name)))}
    rows = []
    for obs in yearbook.observations:
        row = {k: v for k, v in obs.items() if not k.startswith("_")}
        position = obs.get("_row") or ("", None, 0)
        row["_position"] = position
        row["_rank"] = (-1, 0 if is_official(obs.get("origin")) else 1, -order[obs["source"]],
                        -(position[2] or 0), -decimals(obs["value"]))
        rows.append(row)
    return rows


def _rule(best: dict, other: dict) -> str:
    """In words, why `best` was kept over `other` (their ranks say it; this says it to a reader)."""
    if other["source"] == "plan":
        return "a yearbook value over the plan's" if best["source"] != "plan" else "the plan's table over its text"
    if best["_rank"][1] != other["_rank"][1]:
        return "an official statistics source over a secondary one"
    if best["source"] != other["source"]:
        return "a later file over an earlier one"
    if best["_rank"][3] != other["_rank"][3]:
        return "a later row over an earlier one"
    return "the more precise value"


def _described(row: dict) -> str:
    origin = f"; source: {row['origin']}" if row.get("origin") else ""
    return f"{row['source']} ({row['source_detail']}{origin})"


def _conflict(best: dict, row: dict) -> dict:
    return {"indicator_id": row["indicator_id"], "region": row["region"], "year": row["year"],
            "measure": row["measure"], "unit": row["unit"], "kept_value": best["value"],
            "kept_source": _described(best), "other_value": row["value"],
            "other_source": _described(row), "difference": best["value"] - row["value"],
            "rule": _rule(best, row)}


def choose(candidates: list[dict], registry: Registry) -> tuple[dict, list[dict], list[dict]]:
    """One row per cell by the module's rule; the conflicts, and the yearbook rows not kept."""
    kept: dict[tuple, dict] = {}
    conflicts: list[dict] = []
    exclusions: list[dict] = []
    for row in sorted(candidates, key=lambda r: r["_rank"]):
        key = cell_key(row, registry)
        best = kept.get(key)
        if best is None:
            kept[key] = row
            continue
        agrees = agree(best["value"], row["value"])
        if not agrees:
            conflicts.append(_conflict(best, row))
        if row["source"] != "plan":
            how = "agrees within rounding with" if agrees else "conflicts with (see conflicts.csv)"
            exclusions.append(_superseded(row, best, how))
    return kept, conflicts, exclusions


def build_panel(plan_observations: pd.DataFrame | None, yearbook: YearbookResult | None,
                registry: Registry | None = None) -> Panel:
    registry = registry or default_registry()
    candidates: list[dict] = []
    exclusions: list[dict] = list(yearbook.exclusions) if yearbook else []
    if plan_observations is not None and len(plan_observations):
        rows, excluded = plan_rows(plan_observations, registry)
        candidates.extend(rows)
        exclusions.extend(excluded)
    if yearbook is not None:
        candidates.extend(yearbook_rows(yearbook))
    kept, conflicts, superseded = choose(candidates, registry)
    exclusions.extend(superseded)
    for row in derive_ratios(list(kept.values()), registry):
        kept.setdefault(cell_key(row, registry), row)
    return Panel(_sorted(pd.DataFrame(list(kept.values())), "observations",
                         ["indicator_id", "region", "measure", "year", "period", "basis", "source"]),
                 _sorted(pd.DataFrame(conflicts), "conflicts", ["indicator_id", "region", "year", "measure"]),
                 _sorted(pd.DataFrame(exclusions), "exclusions", ["source", "row", "source_detail",
                                                                  "indicator", "year"]))


#: the panel builder's own columns, dropped when a table is written
WORKING_COLUMNS = ("label", "origin")


def _sorted(frame: pd.DataFrame, table: str, by: list[str]) -> pd.DataFrame:
    """The table in its contract's columns, sorted so that the same inputs give the same file."""
    frame = conform(frame, table, working=WORKING_COLUMNS)
    return frame.sort_values(by, kind="stable", na_position="first").reset_index(drop=True) if len(frame) else frame


def derive_ratios(rows: list[dict], registry: Registry) -> list[dict]:
    """Shares the data give only through their parts (budget revenue and GDP → revenue ÷ GDP).

    A derived value fills a gap; it never replaces a stated one. Both parts must be annual
    levels of the same year and region; the result says which two cells it came from.
    """
    levels = {(r["indicator_id"], r["region"], r["year"]): r for r in rows
              if r["measure"] == "level" and r["period_kind"] == "annual"}
    derived = []
    for ratio in registry:
        if not (ratio.numerator and ratio.denominator):
            continue
        num_unit, den_unit = registry.get(ratio.numerator).unit, registry.get(ratio.denominator).unit
        for (indicator_id, region, year), num in levels.items():
            if indicator_id != ratio.numerator:
                continue
            den = levels.get((ratio.denominator, region, year))
            if den is None or not den["value"] or (ratio.id, region, year) in levels:
                continue
            try:
                value = convert(num["value"], num_unit, den_unit) / den["value"] * 100
            except UnitError:
                continue
            basis = den["basis"] if den["basis"] else num["basis"]
            derived.append({
                "indicator_id": ratio.id, "region": region, "year": year,
                "value": round(value, 4), "unit": "%", "measure": "level", "basis": basis,
                "source": "derived",
                "source_detail": f"{ratio.numerator} ({num['source']}: {num['source_detail']}) ÷ "
                                 f"{ratio.denominator} ({den['source']}: {den['source_detail']}) × 100",
                "note": f"derived: {num['value']:g} / {den['value']:g}", "period": str(year),
                "period_kind": "annual"})
    return derived


def cell_key(row: dict, registry: Registry) -> tuple:
    """A panel cell; the basis splits cells only for indicators with a known statistical break."""
    basis = basis_key(registry.indicators.get(row["indicator_id"]), row["basis"])
    return (row["indicator_id"], row["region"], row["period"], row["measure"], basis)


def _superseded(row: dict, best: dict, how: str) -> dict:
    file, sheet, number = row.get("_position") or (row["source"], None, None)
    return {"source": row["source"], "source_detail": row["source_detail"], "file": file,
            "sheet": sheet or "", "row": number, "column": "",
            "indicator": row.get("label", row["indicator_id"]), "year": row["period"],
            "value": f"{row['value']:g}", "kind": SUPERSEDED,
            "reason": f"{how} {_described(best)}", "nearest": "", "suggestion": ""}
