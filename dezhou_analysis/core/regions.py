"""The gazetteer: provinces, prefectures and districts with their short names and parents.

Every stage names regions the same way (滨州 → 滨州市), so a plan's figure and a yearbook's
figure for the same place meet in one panel cell.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    name: str
    short: str
    level: str
    parent: str


@lru_cache(maxsize=1)
def gazetteer() -> list[Region]:
    text = resources.files("dezhou_analysis.package_data").joinpath("regions.csv").read_text(
        encoding="utf-8")
    return [Region(**row) for row in csv.DictReader(text.splitlines())]


@lru_cache(maxsize=1)
def _region_pattern() -> tuple[re.Pattern, dict[str, Region]]:
    lookup: dict[str, Region] = {}
    for region in gazetteer():
        lookup.setdefault(region.name, region)
        if len(region.short) >= 2:
            lookup.setdefault(region.short, region)
    names = sorted(lookup, key=len, reverse=True)
    # a short name must not be the start of a longer word (e.g. 吉林 in 吉林省 is fine, 台州 ok)
    return re.compile("|".join(re.escape(n) for n in names)), lookup


AGGREGATES = ("全省", "全国", "全市", "全区", "全县", "本市", "我市", "我省", "我区")


def find_regions(text: str, levels: tuple[str, ...] = ("province", "prefecture")) -> list[tuple[int, int, Region]]:
    pattern, lookup = _region_pattern()
    found = []
    for m in pattern.finditer(text):
        region = lookup[m.group(0)]
        if region.level in levels:
            found.append((m.start(), m.end(), region))
    return found


def canonical_region(name: str) -> str:
    """滨州 → 滨州市; aggregates (全省, 全国) stay as written; unknown names stay as written."""
    name = name.strip()
    if name in AGGREGATES:
        return name
    _, lookup = _region_pattern()
    region = lookup.get(name) or lookup.get(name.rstrip("市县区省"))
    return region.name if region else name


def ancestors(name: str) -> set[str]:
    """The regions that contain `name` (a zone's city, a city's province)."""
    by_name = {r.name: r for r in gazetteer()}
    out: set[str] = set()
    region = by_name.get(canonical_region(name))
    while region is not None and region.parent and region.parent not in out:
        out.add(region.parent)
        region = by_name.get(region.parent)
    return out


def region_alternation() -> str:
    """Regex alternation of region names usable inside comparison patterns."""
    _, lookup = _region_pattern()
    names = sorted(set(lookup) | set(AGGREGATES), key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)
