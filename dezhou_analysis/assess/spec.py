"""A target as the assessment reads it: one per distinct statement, in the panel's units.

`unique_targets` merges repeated statements of the same target; `TargetSpec.read` converts the
target (and its base value) to the indicator's panel unit and says why when it cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from dezhou_analysis.core.indicators import Indicator, Registry
from dezhou_analysis.core.units import UnitError, convert

#: columns copied from the parsed target into its assessment row unchanged
IDENTITY_COLUMNS = ("target_id", "indicator_id", "name_zh", "name_en", "region", "unit",
                    "base_year", "base_value", "target_year", "target_value", "target_high",
                    "target_kind", "target_measure", "direction", "every_year", "target_text",
                    "source_section", "source_doc", "source_line")

READABLE_KINDS = ("point", "approx", "at_least", "at_most", "qualitative")


def number(value) -> float | None:
    """A float, or None for anything missing or not a number."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def home_region(targets: pd.DataFrame) -> str:
    """The region of the plan's own indicator table (its most frequent region)."""
    regions = targets.loc[targets["source_section"] == "table", "region"]
    return regions.mode().iloc[0] if len(regions) else ""


def unique_targets(targets: pd.DataFrame) -> list[dict]:
    """One target per (indicator, region, year, value, kind, measure); later statements are
    listed in `also_stated`, the table's row preferred. Ids T001… follow the home region first."""
    rows = targets.to_dict("records")
    rows.sort(key=lambda r: (r["source_section"] != "table", r["source_doc"], r["source_line"]))
    unique: dict[tuple, dict] = {}
    for row in rows:
        key = (row["indicator_id"] or row["label"], row["region"], row["target_year"],
               number(row["target_value"]), row["target_kind"], row["target_measure"],
               bool(row["every_year"]))
        if key in unique:
            unique[key]["also_stated"].append(f"{row['source_doc']}:{row['source_line']}")
        else:
            unique[key] = {**row, "also_stated": []}
    home = home_region(targets)
    ordered = sorted(unique.values(), key=lambda r: (r["region"] != home,
                                                       r["source_section"] != "table",
                                                       r["source_doc"], r["source_line"]))
    for i, row in enumerate(ordered, 1):
        row["target_id"] = f"T{i:03d}"
    return ordered


@dataclass
class TargetSpec:
    """A target in the panel's units.

    raw:        the parsed target (one of `unique_targets`)
    identity:   the row's descriptive columns, with the converted values where conversion worked
    problem:    why the target cannot be assessed at all (None when it can)
    """

    raw: dict
    identity: dict
    indicator: Indicator | None
    target_value: float | None = None
    target_high: float | None = None
    base_value: float | None = None
    panel_unit: str = ""
    problem: str | None = None

    @property
    def kind(self) -> str:
        return self.raw["target_kind"]

    @property
    def target_year(self) -> int:
        return int(self.raw["target_year"])

    @property
    def region(self) -> str:
        return self.raw["region"]

    @property
    def every_year(self) -> bool:
        return bool(self.raw["every_year"])

    @property
    def base_year(self) -> int | None:
        base = number(self.raw["base_year"])
        return int(base) if base is not None else None

    @property
    def direction(self) -> str:
        """The target's own direction, else the indicator's; a plan's bare number is one to reach."""
        return self.raw["direction"] or self.indicator.direction or "increase"

    @classmethod
    def read(cls, target: dict, registry: Registry) -> TargetSpec:
        identity = {column: target.get(column) for column in IDENTITY_COLUMNS}
        identity["also_stated"] = "; ".join(target["also_stated"])
        indicator = registry.indicators.get(target["indicator_id"] or "")
        spec = cls(target, identity, indicator)
        if indicator is None:
            spec.problem = f"label {target['label']!r} is not in the indicator registry"
        elif target["target_kind"] not in READABLE_KINDS:
            spec.problem = f"target could not be read ({target['target_text']!r})"
        else:
            spec._convert()
        return spec

    def _convert(self) -> None:
        """Target and base value in the panel's unit (growth targets in %)."""
        target = self.raw
        self.panel_unit = "%" if target["target_measure"] == "growth_avg" else self.indicator.unit
        self.target_value = number(target["target_value"])
        self.target_high = number(target["target_high"])
        if self.target_value is not None:
            try:
                factor = convert(1.0, target["unit"] or self.panel_unit, self.panel_unit)
            except UnitError as exc:
                self.problem = f"target unit: {exc}"
                return
            self.target_value *= factor
            self.target_high = self.target_high * factor if self.target_high is not None else None
            self.identity.update(target_value=self.target_value, target_high=self.target_high,
                                 unit=self.panel_unit)
        base_value = number(target["base_value"])
        if base_value is not None and target["unit"]:
            try:
                base_value = convert(base_value, target["unit"], self.panel_unit)
            except UnitError:
                base_value = None
        self.base_value = self.identity["base_value"] = base_value
