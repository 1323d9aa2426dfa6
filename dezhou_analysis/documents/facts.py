"""What the narrative scanner finds: a `Quantity` read from a sentence, the `Fact` it becomes
(label, year, region, measure, provenance) and the `ScanResult` of a document, with the count of
numbers left out by reason.

Statements (what was) and targets (what shall be) share these types; `statements.py` and
`targets.py` turn facts into the two published tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dezhou_analysis.core.indicators import Indicator


@dataclass
class Quantity:
    start: int  # sentence-relative offsets of the whole quantity
    end: int
    num_start: int
    value: float
    unit: str
    qualifier: str  # point | approx | at_least | at_most
    text: str
    high: float | None = None
    parts: tuple[float, ...] = ()
    chinese: bool = False
    used: bool = False


@dataclass
class Fact:
    kind: str  # statement | target
    indicator: Indicator | None
    label: str
    region: str
    year: int | None
    value: float | None
    unit: str
    measure: str
    qualifier: str
    text: str
    line: int
    quote: str
    sentence: int  # sentence id inside the document (for same-sentence relations)
    position: int  # normalised offset of the number
    year_source: str = "stated"
    reference_year: int | None = None
    reference_region: str = ""
    high: float | None = None
    every_year: bool = False
    is_derived: bool = False
    derivation: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class ScanResult:
    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    unmatched: list[dict] = field(default_factory=list)  # numbers whose indicator cannot be named

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1



def fmt(value: float) -> str:
    """A value as a derivation writes it: no trailing zeros, ten significant digits."""
    return f"{value:.10g}"
