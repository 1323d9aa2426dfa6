"""One value cell of a yearbook file into one observation, in named steps: which indicator the
label names, which period, which number, which unit, which region.

A step that finds the row unusable raises `SetAside` with the reason and the column it is about;
`read_record` then sets the row aside (see result.py) and the reading goes on with the next row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dezhou_analysis.core.breaks import basis_from_note, default_basis
from dezhou_analysis.core.errors import Issue
from dezhou_analysis.core.indicators import Indicator, Registry
from dezhou_analysis.core.periods import Period, PeriodError, parse_period, partial_period_in_note
from dezhou_analysis.core.regions import canonical_region
from dezhou_analysis.core.text import one_to_one_table
from dezhou_analysis.core.units import (
    canonical_unit,
    compatible,
    convert,
    convert_related,
    declared_relation,
    dimension,
    known_unit,
)
from dezhou_analysis.yearbook.layout import MISSING, Record
from dezhou_analysis.yearbook.registry import LOCAL_REGISTRY, alias_line, new_indicator_line
from dezhou_analysis.yearbook.result import NO_VALUE, YearbookResult, exclusion, where
from dezhou_analysis.yearbook.workbooks import FormulaCell

_FOOTNOTE = re.compile(r"(?<=\d)\s*(?:\*+|[①②③④⑤⑥⑦⑧⑨⑩]|\[\d+\]|（注\d*）|\(注\d*\))$")
_ASIDE = re.compile(r"\s*[（(][^（）()]{1,12}[)）]")
_UNIT_IN_LABEL = re.compile(r"^(?P<label>.+?)\s*[（(](?P<unit>[^（）()]{1,10})[)）]\s*$")
_LABEL_PREFIX = re.compile(r"^(?:[#＃*]+|其中[:：]?|\d{1,2}[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")
_HOME = ("全市", "本市", "我市", "市", "合计", "总计", "全市合计", "全市总计")
GROWTH_MEASURES = ("growth_yoy", "growth_avg")


class SetAside(Exception):
    """The row cannot be used: the reason, the column it is about, and what would fix it."""

    def __init__(self, reason: str, column: str, nearest: str = "", suggestion: str = ""):
        super().__init__(reason)
        self.reason, self.column, self.nearest, self.suggestion = reason, column, nearest, suggestion


@dataclass(frozen=True)
class RowContext:
    """What every row of a file is read against."""
    registry: Registry
    default_region: str
    today: dt.date
    usd_cny: dict[int, float]  # exchange rates from the file's sidecar, by year (0: any year)
    registry_file: str = LOCAL_REGISTRY


def read_record(record: Record, ctx: RowContext, result: YearbookResult) -> None:
    """The record as an observation, or set aside with its reason; never raises for bad data."""
    try:
        _read(record, ctx, result)
    except SetAside as aside:
        result.set_row_aside(record, aside.column, aside.reason, aside.nearest, aside.suggestion)


def _read(record: Record, ctx: RowContext, result: YearbookResult) -> None:
    indicator, measure, label_unit = match_indicator(record, ctx.registry)
    period = read_period(record, ctx.today, result)
    if isinstance(record.value, str) and record.value.strip().lower() in MISSING:
        result.exclusions.append(exclusion(record, "no value (blank or dash)", NO_VALUE))
        return
    if isinstance(record.value, str) and ":" in record.value.translate(one_to_one_table()) and indicator.parts:
        split_structure(record, indicator, ctx, result)
        return
    number, text_unit = read_number(record, result)
    unit, target_unit = units_of(record, indicator, measure, text_unit, label_unit)
    value, unit_note = to_target_unit(number, unit, target_unit, indicator, measure, period, ctx)
    problem = impossible(indicator, measure, value)
    if problem:
        raise SetAside(problem, "value")
    region = region_of(record, ctx.default_region)
    basis = record.basis or basis_from_note(record.note) or default_basis(indicator, period.year)
    result.observations.append(observation(record, indicator, measure, period, value, target_unit,
                                           region, basis, unit_note))


# -- indicator -----------------------------------------------------------------------------------

def clean_label(label: str) -> str:
    """Yearbook row labels carry indentation marks: `  #第一产业`, `其中：工业`, `1.`."""
    text = label.strip().strip("\u3000")
    previous = None
    while previous != text:
        previous = text
        text = _LABEL_PREFIX.sub("", text).strip()
    return text


def match_indicator(record: Record, registry: Registry) -> tuple[Indicator, str, str]:
    """(indicator, measure the label implies, unit written in the label) for a record."""
    label, label_unit = clean_label(record.label), ""
    m = _UNIT_IN_LABEL.match(label)
    if m and known_unit(m.group("unit")):
        label, label_unit = m.group("label"), canonical_unit(m.group("unit"))
    found = registry.match_with_measure(record.indicator_id) if record.indicator_id else None
    if found is None and label:
        found = registry.match_with_measure(label)
    if found is None and _ASIDE.search(label):  # 研究与试验发展(R&D)经费支出, 地区生产总值(现价)
        found = registry.match_with_measure(_ASIDE.sub("", label))
    if found is None:
        raise _unknown_indicator(record, label, label_unit, registry)
    indicator, measure = found
    if record.measure and measure:
        raise SetAside(f"a {record.measure} column on a row that is already a {measure} "
                       f"({label or record.indicator_id})", "indicator")
    return indicator, record.measure or measure or "level", label_unit


def _unknown_indicator(record: Record, label: str, label_unit: str, registry: Registry) -> SetAside:
    """The message for a label the registry does not know: the nearest names and the exact line
    of the project's own registry file that would bring the row in."""
    written = label or record.indicator_id
    column = "indicator" if label else "indicator_id"
    near = registry.nearest(written)
    unit = label_unit or canonical_unit(record.unit) or record.sheet_unit
    lines = []
    if near:
        nearest_id = registry.match(near[0]).id
        lines.append(f"if it is {near[0]}, add the line `{alias_line(nearest_id, written)}`")
    lines.append(f"if it is an indicator of its own, add `{new_indicator_line(written, unit)}`")
    suggestion = " or ".join(lines) + f" to data/raw/yearbook/{LOCAL_REGISTRY}"
    nearest = ", ".join(near)
    return SetAside(f"unknown indicator {written!r}" + (f" (nearest known: {nearest})" if near else ""),
                    column, nearest, suggestion)


# -- period --------------------------------------------------------------------------------------

def read_period(record: Record, today: dt.date, result: YearbookResult) -> Period:
    try:
        period = parse_period(record.period)
    except PeriodError as exc:
        raise SetAside(str(exc), "year") from exc
    said = partial_period_in_note(period.year, record.note) if period.is_annual else None
    if said is not None:  # "first half only" beside 2018: a half-year value, never fitted as annual
        period = Period(said.year, said.kind, said.label, said.start_year, period.status)
        result.warnings.append(Issue(record.file, f"taken as {period.label}, not a whole year: the note "
                                     f"says {record.note[:40]!r}", column=record.columns["year"],
                                     severity="warning", row=record.row, sheet=record.sheet))
    if not 1949 <= period.year <= today.year:
        raise SetAside(f"year {period.year} is out of range (expected 1949–{today.year})", "year")
    return period


# -- number and unit -----------------------------------------------------------------------------

def parse_number(value: object) -> tuple[float | None, str, str]:
    """(number, unit implied by the text, warning) for a cell; number None if not numeric."""
    if isinstance(value, bool):
        return None, "", ""
    if isinstance(value, (int, float)):
        return float(value), "", ""
    text = str(value).translate(one_to_one_table()).strip()
    warning = ""
    stripped = _FOOTNOTE.sub("", text)
    if stripped != text:
        warning = f"footnote marker removed from {text!r}"
        text = stripped
    unit = ""
    if text.endswith("%"):
        text, unit = text[:-1].strip(), "%"
    elif text.endswith("‰"):
        text, unit = text[:-1].strip(), "‰"
    text = re.sub(r"\s+", "", re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)).replace("\u2212", "-")
    if not unit:
        written = re.fullmatch(r"([-+]?[\d.]+)([^\d.%‰]{1,6})", text)
        if written and known_unit(written.group(2)):  # 3078.99亿元
            text, unit = written.group(1), canonical_unit(written.group(2))
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text):
        return float(text), unit, warning
    return None, unit, warning


def read_number(record: Record, result: YearbookResult) -> tuple[float, str]:
    if isinstance(record.value, FormulaCell):
        raise SetAside(f"a formula ({record.value[:30]}) whose result the file does not hold; open "
                       "the file in Excel or WPS and save it", "value")
    number, text_unit, warning = parse_number(record.value)
    if number is None:
        raise SetAside(f"value {record.value!r} is not a number; expected digits such as 3140.2 "
                       "(a % sign is allowed)", "value")
    if warning:
        result.warnings.append(Issue(record.file, warning, column=record.columns["value"],
                                     severity="warning", row=record.row, sheet=record.sheet))
    return number, text_unit


def units_of(record: Record, indicator: Indicator, measure: str, text_unit: str,
             label_unit: str) -> tuple[str, str]:
    """(unit the row is written in, unit of the panel for this indicator and measure)."""
    if text_unit and record.unit and canonical_unit(record.unit) != text_unit:
        raise SetAside(f"the value {record.value!r} says {text_unit} but the unit column says "
                       f"{record.unit}; expected one unit", "value")
    if label_unit and record.unit and canonical_unit(record.unit) != label_unit and not record.measure:
        raise SetAside(f"the label {record.label!r} says {label_unit} but the unit column says "
                       f"{record.unit}; expected one unit", "unit")
    unit = canonical_unit(text_unit or record.unit or label_unit or record.sheet_unit)
    target = ("%" if measure in GROWTH_MEASURES else "个百分点" if measure == "pp_change"
              else indicator.unit)
    if not unit:
        if measure in GROWTH_MEASURES or measure == "pp_change" or indicator.unit or indicator.kind == "index":
            return target, target
        raise SetAside(f"unit missing for {indicator.name_zh} and the registry has none to supply", "unit")
    if not known_unit(unit):
        raise SetAside(f"unknown unit {unit!r}; expected one such as {target or '%'}", "unit")
    return unit, target


def to_target_unit(number: float, unit: str, target: str, indicator: Indicator, measure: str,
                   period: Period, ctx: RowContext) -> tuple[float, str]:
    """(value in the panel's unit, note on how): within a family a conversion; a declared
    relation (人年 against 人) kept as written with its note; US dollars into yuan only at an
    exchange rate the file's sidecar gives."""
    if compatible(unit, target):
        return convert(number, unit, target), ""
    related = declared_relation(unit, target)
    if related:
        return convert_related(number, unit, target), f"{unit}: {related}"
    rate = ctx.usd_cny.get(period.year, ctx.usd_cny.get(0))
    if dimension(unit) == "money_usd" and dimension(target) == "money_cny" and rate:
        yuan = convert(number, unit, "美元") * rate
        return convert(yuan, "元", target), f"{number:g} {unit} at {rate:g} yuan per dollar"
    what = f"{indicator.name_zh}{'' if measure == 'level' else ', ' + measure}"
    hint = (" (give `usd_cny:` in the file's .meta.yml to convert at an exchange rate)"
            if dimension(unit) == "money_usd" else "")
    raise SetAside(f"unit {unit!r} cannot be converted to {target!r}, the unit of {indicator.id} "
                   f"({what}){hint}", "unit")


def impossible(indicator: Indicator, measure: str, value: float) -> str:
    if measure != "level":
        return ""
    if indicator.kind == "share" and not 0 <= value <= 100:
        return f"{value:g} is impossible for a share ({indicator.name_zh}); expected 0–100"
    if indicator.kind in ("count", "level") and value < 0:
        return f"{value:g} is negative; {indicator.name_zh} cannot be negative"
    return ""


def region_of(record: Record, default_region: str) -> str:
    written = record.region.strip()
    written = "" if written in _HOME else written
    region = canonical_region(written or default_region)
    if not region:
        raise SetAside("region missing and no default region (set `region:` in the file's "
                       ".meta.yml sidecar, or pass --region)", "region")
    return region


# -- results -------------------------------------------------------------------------------------

def observation(record: Record, indicator: Indicator, measure: str, period: Period, value: float,
                unit: str, region: str, basis: str, unit_note: str = "") -> dict:
    detail = where(record.file, record.sheet, record.row) + f", column {record.columns['value']}"
    return {"indicator_id": indicator.id, "region": region, "year": period.year,
            "value": value, "unit": unit, "measure": measure, "basis": basis,
            "source": f"yearbook:{record.file}", "source_detail": detail,
            "note": "; ".join(t for t in (record.note, period.status, unit_note) if t),
            "period": period.label, "period_kind": period.kind,
            "label": record.label or record.indicator_id, "origin": record.source,
            "_row": (record.file, record.sheet, record.row)}


def split_structure(record: Record, indicator: Indicator, ctx: RowContext,
                    result: YearbookResult) -> None:
    """`8.2:43.8:48.0` for the three-sector structure: one observation per part."""
    parts = [p.strip() for p in str(record.value).translate(one_to_one_table()).split(":")]
    if len(parts) != len(indicator.parts):
        raise SetAside(f"{record.value!r} has {len(parts)} parts; {indicator.name_zh} has "
                       f"{len(indicator.parts)}", "value")
    for part_id, text in zip(indicator.parts, parts, strict=True):
        part = ctx.registry.get(part_id)
        sub = Record(**{**record.__dict__, "indicator_id": part_id, "label": part.name_zh,
                         "value": text, "unit": "%"})
        read_record(sub, ctx, result)
