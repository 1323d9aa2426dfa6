"""Periods as people write them in yearbook files: 2019, 2019年, 2018H1, 2022Q1-3, 2017年1-10月,
上半年, 2017-2021, and in English: Jan-Oct 2017, 2017Jan-Oct, H1 2018, Q1-Q3 2022. Only plain
years are annual; the others are kept but never fitted as annual data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dezhou_analysis.core.text import one_to_one_table


@dataclass(frozen=True)
class Period:
    year: int          # the year the value belongs to (end year for spans)
    kind: str          # annual | partial | span
    label: str         # canonical text: 2019, 2018H1, 2022Q1-3, 2022M1-10, 2017-2021
    start_year: int | None = None
    status: str = ""   # what the header said of the figure: 快报, 初步核算, 修订…

    @property
    def is_annual(self) -> bool:
        return self.kind == "annual"


class PeriodError(ValueError):
    """The text is not a period this reader understands."""


_YEAR = r"((?:19|20)\d{2})"
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^{_YEAR}(?:\.0+)?\s*年?\s*(?:末|底|年末|年底|全年|年度)?$"), "annual"),
    (re.compile(rf"^{_YEAR}\s*年?\s*[-—–~至到]\s*{_YEAR}\s*年?$"), "span"),
    (re.compile(rf"^{_YEAR}\s*年?\s*(?:H|h)\s*([12])$"), "half"),
    (re.compile(rf"^{_YEAR}\s*年?\s*(上半年|下半年)$"), "half_zh"),
    (re.compile(rf"^{_YEAR}\s*年?\s*[Qq]\s*([1-4])(?:\s*[-—–~]\s*[Qq]?\s*([1-4]))?$"), "quarter"),
    (re.compile(rf"^{_YEAR}\s*年?\s*(前三季度|一季度|第一季度|前两季度|二季度|第二季度|三季度|第三季度|四季度|第四季度)$"), "quarter_zh"),
    (re.compile(rf"^{_YEAR}\s*年?\s*(\d{{1,2}})\s*[-—–~至到]\s*(\d{{1,2}})\s*月(?:份)?$"), "months"),
    (re.compile(rf"^{_YEAR}\s*年?\s*(\d{{1,2}})\s*月(?:份|末|底)?$"), "month"),
    (re.compile(rf"^{_YEAR}\s*[-/.]\s*(\d{{1,2}})$"), "month"),
]
# A figure's status written after its period: 2021年(快报), 2022年初步核算数, 2020r.
_STATUS = re.compile(r"[(（]?(快报数?|初步核算数?|初步数?|核实数?|最终核实数?|修订数?|修订后|调整后|"
                     r"(?<=\d)[pr])[)）]?$")
_NOT_OBSERVED = re.compile(r"预计|预测|计划|目标|规划")
_QUARTERS_ZH = {"前三季度": (1, 3), "一季度": (1, 1), "第一季度": (1, 1), "前两季度": (1, 2),
                "二季度": (2, 2), "第二季度": (2, 2), "三季度": (3, 3), "第三季度": (3, 3),
                "四季度": (4, 4), "第四季度": (4, 4)}


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# English periods, read after spaces are removed: year first or last, months or halves/quarters
_ENGLISH: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^{_MONTH}[-–—~]{_MONTH},?{_YEAR}$", re.I), "months_first"),
    (re.compile(rf"^{_YEAR}{_MONTH}[-–—~]{_MONTH}$", re.I), "months_last"),
    (re.compile(rf"^{_MONTH},?{_YEAR}$", re.I), "month_first"),
    (re.compile(rf"^([HQ])([1-4])(?:[-–—~][HQ]?([1-4]))?,?{_YEAR}$", re.I), "part_first"),
]


def _english_to_canonical(text: str) -> str | None:
    """`Jan-Oct2017` → `2017年1-10月`, `H12018` → `2018H1`, `Q1-Q32022` → `2022Q1-3`; None when
    the text is no English period."""
    for pattern, kind in _ENGLISH:
        m = pattern.match(text)
        if not m:
            continue
        if kind == "months_first":
            first, last, year = m.group(1), m.group(2), m.group(3)
        elif kind == "months_last":
            year, first, last = m.group(1), m.group(2), m.group(3)
        elif kind == "month_first":
            month = _MONTH_NAMES.index(m.group(1).lower()) + 1
            return f"{m.group(2)}年{month}月"
        else:
            letter, first, last, year = m.group(1).upper(), m.group(2), m.group(3), m.group(4)
            return f"{year}{letter}{first}" + (f"-{last}" if last and last != first else "")
        return f"{year}年{_MONTH_NAMES.index(first.lower()) + 1}-{_MONTH_NAMES.index(last.lower()) + 1}月"
    return None


def parse_period(value: object) -> Period:
    """A `Period` from a cell value (int, float or text); raises PeriodError with what was expected."""
    if isinstance(value, bool) or value is None:
        raise PeriodError("empty period; expected a year such as 2019 or 2019年")
    if isinstance(value, (dt.date, dt.datetime)):
        return Period(value.year, "annual", str(value.year))
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 1900 <= int(value) <= 2100:
            return Period(int(value), "annual", str(int(value)))
        raise PeriodError(f"{value!r} is not a year; expected a year such as 2019")
    text = str(value).translate(one_to_one_table()).strip().replace(" ", "")
    if not text:
        raise PeriodError("empty period; expected a year such as 2019 or 2019年")
    if _NOT_OBSERVED.search(text):
        raise PeriodError(f"{text!r} is an estimate or a plan figure, not an observation")
    status = _STATUS.search(text)
    if status and status.start() > 0:
        found = _parse_text(text[:status.start()])
        return Period(found.year, found.kind, found.label, found.start_year, status.group(1))
    return _parse_text(text)


def _parse_text(text: str) -> Period:
    text = _english_to_canonical(text) or text
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group(1))
        if kind == "annual":
            return Period(year, "annual", str(year))
        if kind == "span":
            end = int(m.group(2))
            if end <= year:
                raise PeriodError(f"span {text!r} ends before it starts")
            return Period(end, "span", f"{year}-{end}", start_year=year)
        if kind == "half":
            return Period(year, "partial", f"{year}H{m.group(2)}")
        if kind == "half_zh":
            return Period(year, "partial", f"{year}H{'1' if m.group(2) == '上半年' else '2'}")
        if kind == "quarter":
            first, last = m.group(2), m.group(3) or m.group(2)
            label = f"{year}Q{first}" if first == last else f"{year}Q{first}-{last}"
            return Period(year, "partial", label)
        if kind == "quarter_zh":
            first, last = _QUARTERS_ZH[m.group(2)]
            label = f"{year}Q{first}" if first == last else f"{year}Q{first}-{last}"
            return Period(year, "partial", label)
        if kind == "months":
            first, last = int(m.group(2)), int(m.group(3))
            if not (1 <= first <= last <= 12):
                raise PeriodError(f"months in {text!r} are out of order or out of 1-12")
            if (first, last) == (1, 12):
                return Period(year, "annual", str(year))
            return Period(year, "partial", f"{year}M{first}-{last}")
        if kind == "month":
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"month {month} in {text!r} is out of 1-12")
            return Period(year, "partial", f"{year}M{month}")
    if re.fullmatch(r"(上半年|下半年|前三季度|\d{1,2}[-—~]\d{1,2}月)", text):
        raise PeriodError(f"{text!r} has no year; write it as 2018年{text} or 2018H1")
    raise PeriodError(f"{text!r} is not a period; expected a year (2019, 2019年), a part of a "
                      "year (2018H1, 2022Q1-3, 2017年1-10月) or a span (2017-2021)")


def is_year_header(value: object) -> bool:
    """True for a wide-layout column header that names a period (2019, 2019年, 2018H1…)."""
    try:
        parse_period(value)
    except PeriodError:
        return False
    return True


# A partial period said in a note beside a plain year: "first half only", "上半年数据", "1-9月".
_NOTE_ZH = re.compile(r"上半年|下半年|前三季度|前两季度|第?[一二三四]季度|\d{1,2}\s*[-—–~至到]\s*\d{1,2}\s*月")
# bare codes (H1, Q1-3) count only at the start of a note: "article on Q1 data" says nothing
# about the value beside it, "H1 only" does
_NOTE_EN = [
    (re.compile(r"\bfirst\s+half\b|\bhalf[- ]year\b|^\s*H1\b", re.I), "H1"),
    (re.compile(r"\bsecond\s+half\b|^\s*H2\b", re.I), "H2"),
    (re.compile(r"\b(first\s+)?three\s+quarters\b|^\s*Q1\s*[-–~]\s*Q?3\b", re.I), "Q1-3"),
    (re.compile(r"\bfirst\s+quarter\b|^\s*Q1\b", re.I), "Q1"),
]
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                        "oct", "nov", "dec"), start=1)}
_NOTE_MONTHS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(?:-|–|—|to|through)\s*"
                          r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def partial_period_in_note(year: int, note: str) -> Period | None:
    """The part of `year` a note says a value covers, or None if it says none."""
    if not note:
        return None
    text = str(note).translate(one_to_one_table())
    fragment = None
    match = _NOTE_ZH.search(text)
    if match:
        fragment = f"年{match.group(0)}"
    months = _NOTE_MONTHS.search(text)
    if fragment is None and months:
        first, last = _MONTHS[months.group(1).lower()[:3]], _MONTHS[months.group(2).lower()[:3]]
        fragment = f"年{first}-{last}月"
    if fragment is None:
        fragment = next((part for pattern, part in _NOTE_EN if pattern.search(text)), None)
    if fragment is None:
        return None
    try:
        period = parse_period(f"{year}{fragment}")
    except PeriodError:
        return None
    return period if not period.is_annual else None
