"""Narrative statistics → plan_observations rows, with values implied by stated relations.

"比2016年提高8.4个百分点" states a change; the 2016 value it implies (63.4 − 8.4) is a row of
its own, marked derived and saying how it was computed, so a reader can check the arithmetic.
"""

from __future__ import annotations

from dezhou_analysis.core.indicators import Registry
from dezhou_analysis.core.rounding import decimals, round_like
from dezhou_analysis.documents.facts import Fact, fmt
from dezhou_analysis.documents.sources import Document
from dezhou_analysis.documents.tables import IndicatorTable
from dezhou_analysis.documents.targets import full_unit, table_row_indicator

LEVEL_MEASURES = ("level", "share", "count", "ratio_part")


def fact_row(fact: Fact, doc: Document) -> dict:
    indicator = fact.indicator
    return {
        "indicator_id": indicator.id if indicator else "",
        "name_zh": indicator.name_zh if indicator else fact.label,
        "label": fact.label, "region": fact.region, "year": fact.year, "value": fact.value,
        "unit": full_unit(fact.unit, indicator), "measure": fact.measure,
        "value_qualifier": fact.qualifier,
        "reference_year": fact.reference_year, "reference_region": fact.reference_region,
        "is_derived": fact.is_derived, "derivation": fact.derivation,
        "year_source": fact.year_source, "source_section": "text", "source_doc": doc.name,
        "source_line": fact.line, "source_quote": fact.quote,
    }


def _key(fact: Fact) -> tuple:
    return (fact.indicator.id if fact.indicator else fact.label, fact.region)


def derived_rows(facts: list[Fact], doc: Document) -> list[dict]:
    """Reference-year values implied by changes, multiples and increments."""
    levels: dict[tuple, list[Fact]] = {}
    for fact in facts:
        if fact.measure in LEVEL_MEASURES and fact.year is not None:
            levels.setdefault((*_key(fact), fact.year), []).append(fact)
    rows = []
    for fact in facts:
        if fact.measure not in ("pp_change", "multiple", "abs_change") or not fact.reference_year:
            continue
        if fact.reference_region:
            continue  # comparisons with other regions are derived where they are read
        candidates = levels.get((*_key(fact), fact.year), [])
        if not candidates:
            continue
        base = min(candidates, key=lambda c: (c.sentence != fact.sentence,
                                              abs(c.position - fact.position)))
        if fact.measure == "pp_change" and base.unit not in ("%", "‰") and base.measure != "ratio_part":
            continue  # 投资8350.2亿元，比上年提高4.5个百分点: the points are its growth rate's
        if fact.measure == "multiple":
            if not fact.value:
                continue
            value = round(base.value / fact.value, max(1, decimals(base.value)))
            how = f"{fmt(base.value)} ÷ {fmt(fact.value)} ({fact.year} value is {fmt(fact.value)}× {fact.reference_year})"
        else:
            value = round_like(base.value - fact.value, base.value, fact.value)
            sign = "−" if fact.value >= 0 else "+"
            how = (f"{fmt(base.value)} {sign} {fmt(abs(fact.value))} "
                   f"(change of {fmt(fact.value)} {fact.unit} since {fact.reference_year})")
        row = fact_row(fact, doc)
        row.update({"year": fact.reference_year, "value": value, "unit": base.unit,
                    "measure": "share" if base.measure == "ratio_part" else base.measure, "value_qualifier": "approx" if fact.measure == "multiple"
                    else base.qualifier, "reference_year": None, "is_derived": True,
                    "derivation": how, "year_source": "stated"})
        rows.append(row)
    return rows


def table_observation_rows(table: IndicatorTable, doc: Document, registry: Registry) -> list[dict]:
    """Base-year values of an indicator table are stated numbers too."""
    rows = []
    for row in table.rows:
        cell = row.cells.get(table.base_year)
        if cell is None or cell.value is None:
            continue
        indicator, growth = table_row_indicator(row, registry)
        label = row.label + (f"·{row.qualifier}" if row.qualifier else "")
        unit = "%" if growth else row.unit or (indicator.unit if indicator else "")
        kind = indicator.kind if indicator else ""
        measure = growth or ("share" if unit == "%" or kind in ("share", "rate") else (
            "count" if kind == "count" else "level"))
        rows.append({
            "indicator_id": indicator.id if indicator else "",
            "name_zh": indicator.name_zh if indicator else label, "label": label,
            "region": doc.region or "", "year": table.base_year, "value": cell.value,
            "unit": unit, "measure": measure, "value_qualifier": cell.kind if cell.kind in (
                "approx", "at_least", "at_most") else "point",
            "reference_year": None, "reference_region": "", "is_derived": False,
            "derivation": "", "year_source": "stated", "source_section": "table",
            "source_doc": doc.name, "source_line": row.line_no, "source_quote": row.raw.strip(),
        })
    return rows
