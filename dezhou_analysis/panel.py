"""One observation panel: plan values and yearbook values, one row per cell, each with its source.

Precedence: a yearbook value over a plan value; a later yearbook file over an earlier one; within
the plan, the indicator table over the narrative and a stated value over a derived one. Where two
sources disagree beyond rounding, both values are listed in conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dezhou_analysis.core.breaks import basis_key, default_basis
from dezhou_analysis.core.contracts import conform
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.core.rounding import agree, decimals
from dezhou_analysis.core.units import UnitError, convert
from dezhou_analysis.yearbook.reader import YearbookResult

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
        # a file whose data reach later years is the later edition: its values revise earlier ones
        reach: dict[str, int] = {}
        for obs in yearbook.observations:
            reach[obs["source"]] = max(reach.get(obs["source"], 0), int(obs["year"]))
        files = sorted(reach, key=lambda name: (reach[name], name))
        order = {name: i for i, name in enumerate(files)}
        for obs in yearbook.observations:
            row = {k: v for k, v in obs.items() if not k.startswith("_")}
            row["_rank"] = (-1, -order[obs["source"]], -decimals(obs["value"]))
            candidates.append(row)
    kept: dict[tuple, dict] = {}
    conflicts: list[dict] = []
    for row in sorted(candidates, key=lambda r: r["_rank"]):
        key = cell_key(row, registry)
        best = kept.get(key)
        if best is None:
            kept[key] = row
            continue
        if agree(best["value"], row["value"]):
            if row["source"] != "plan":
                exclusions.append(_superseded(row, best, "agrees within rounding with"))
            continue
        conflicts.append({"indicator_id": row["indicator_id"], "region": row["region"],
                          "year": row["year"], "measure": row["measure"], "unit": row["unit"],
                          "kept_value": best["value"], "kept_source": f"{best['source']} ({best['source_detail']})",
                          "other_value": row["value"], "other_source": f"{row['source']} ({row['source_detail']})",
                          "difference": best["value"] - row["value"]})
        if row["source"] != "plan":
            exclusions.append(_superseded(row, best, "conflicts with (see conflicts.csv)"))
    for row in derive_ratios(list(kept.values()), registry):
        kept.setdefault(cell_key(row, registry), row)
    observations = pd.DataFrame(list(kept.values()))
    if len(observations):
        observations = observations.sort_values(
            ["indicator_id", "region", "measure", "year", "period", "basis", "source"]).reset_index(drop=True)
    conflict_frame = pd.DataFrame(conflicts)
    if len(conflict_frame):
        conflict_frame = conflict_frame.sort_values(["indicator_id", "region", "year", "measure"])
    exclusion_frame = pd.DataFrame(exclusions)
    if len(exclusion_frame):
        exclusion_frame = exclusion_frame.sort_values(["source", "source_detail", "indicator", "year"])
    return Panel(conform(observations, "observations", working=("label", "origin", "_rank")), conform(conflict_frame, "conflicts"),
                 conform(exclusion_frame, "exclusions"))


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
    return {"source": row["source"], "source_detail": row["source_detail"],
            "indicator": row.get("label", row["indicator_id"]), "year": row["period"],
            "value": f"{row['value']:g}", "reason": f"{how} {best['source']} ({best['source_detail']})"}
