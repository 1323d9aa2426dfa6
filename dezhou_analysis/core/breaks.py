"""Statistical breaks: GDP is revised after an economic census, population after a population census.

Each value carries a `basis`; a trend is never fitted straight through a break without saying so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from dezhou_analysis.core.indicators import Indicator


@dataclass(frozen=True)
class Break:
    family: str
    first_year_new_basis: int
    basis_before: str
    basis_after: str
    description_zh: str
    description_en: str


@lru_cache(maxsize=1)
def breaks() -> dict[str, Break]:
    text = resources.files("dezhou_analysis.package_data").joinpath(
        "statistical_breaks.csv").read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        out[row["family"]] = Break(row["family"], int(row["first_year_new_basis"]),
                                   row["basis_before"], row["basis_after"],
                                   row["description_zh"], row["description_en"])
    return out


def break_for(indicator: Indicator | None) -> Break | None:
    if indicator is None or not indicator.break_family:
        return None
    return breaks().get(indicator.break_family)


_POST = re.compile(r"post[- ]?(?:\w+[- ])?census|census[- ]revised|revised after|after the .*census|"
                   r"普查后|普查口径|修订后|普查.{0,6}修订|经普后|七普|第七次(?:全国)?人口普查|"
                   r"第四次(?:全国)?经济普查", re.IGNORECASE)
_PRE = re.compile(r"pre[- ]?(?:\w+[- ])?census|before the .*census|unrevised|not revised|"
                  r"普查前|修订前|原口径|未经?(?:普查)?修订|七普前|经普前", re.IGNORECASE)


def basis_from_note(note: str) -> str | None:
    """The statistical basis a note states ("revised after the census", 未经普查修订)."""
    if not note:
        return None
    if _PRE.search(note):  # first: 未经普查修订 and 七普前 also contain the words of the other
        return "pre-census"
    if _POST.search(note):
        return "post-census"
    return None


def default_basis(indicator: Indicator | None, year: int | None) -> str:
    brk = break_for(indicator)
    if brk is None or year is None:
        return ""
    return brk.basis_after if year >= brk.first_year_new_basis else brk.basis_before


def basis_key(indicator: Indicator | None, basis: str) -> str:
    """The basis splits a cell in two only for indicators with a known statistical break."""
    return basis if indicator is not None and indicator.break_family else ""
