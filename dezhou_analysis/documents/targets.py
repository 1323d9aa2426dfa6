"""Targets → plan_targets rows, from indicator tables and from the narrative.

When the narrative restates a table target with a qualifier ("60%以上" for a table cell "60"),
the table row takes the narrative's kind and says where it came from (kind_source).
"""

from __future__ import annotations

import re
from functools import partial

from dezhou_analysis.core.indicators import Indicator, Registry
from dezhou_analysis.documents.facts import Fact
from dezhou_analysis.documents.labels import stated_measure
from dezhou_analysis.documents.sources import Document
from dezhou_analysis.documents.tables import IndicatorTable, TableRow


def full_unit(unit: str, indicator: Indicator | None) -> str:
    """A bare magnitude (过百亿) takes the registry's currency: 亿 → 亿元."""
    if unit in ("亿", "万亿", "万") and indicator is not None and indicator.unit.endswith("元"):
        return unit + "元"
    return unit


def table_row_indicator(row: TableRow, registry: Registry) -> tuple[Indicator | None, str]:
    """The row's indicator and, for a label such as 地区生产总值增长, the growth measure."""
    parent = registry.match(row.label)
    if parent is None and not row.qualifier:
        found = registry.match_with_measure(row.label)
        return found if found else (None, "")
    if not row.qualifier:
        return parent, ""
    if parent is not None:
        child = registry.child(parent.id, row.qualifier)
        if child is not None:
            return child, ""
    return (registry.match(row.qualifier + row.label) or registry.match(row.label + row.qualifier)), ""


def _direction(indicator: Indicator | None, base: float | None, target: float | None,
               text: str = "") -> str:
    if indicator is not None and indicator.direction:
        return indicator.direction
    if base is not None and target is not None and base != target:
        return "increase" if target > base else "decrease"
    if any(word in text for word in ("降低", "下降", "减少", "控制")):
        return "decrease"
    return "increase"


def table_target_rows(table: IndicatorTable, doc: Document, registry: Registry) -> list[dict]:
    rows = []
    for row in table.rows:
        indicator, growth = table_row_indicator(row, registry)
        target = partial(_table_target, row, table, doc, indicator, growth)
        stated = [y for y in table.target_years
                  if row.cells.get(y) is not None and row.cells[y].kind != "missing"]
        has_growth = row.growth is not None and row.growth.value is not None
        if not stated and table.target_years and not has_growth:
            # no value under any target year (`— —  〔省下达〕`): kept, as a target without a number
            text = re.sub(r"[〔〕\[\]［］]", "", row.other) or "—"
            rows.append(target(table.target_years[-1], None, None, "qualitative", text, False,
                               "table: no value under the target year"
                               + (f" ({text})" if text != "—" else "")))
        for year in stated:
            cell = row.cells[year]
            malformed = cell.kind == "malformed"
            rows.append(target(year, cell.value, cell.high, "" if malformed else cell.kind, cell.text,
                               cell.cumulative,
                               "malformed cell: kept as text" if malformed else "table"))
        if has_growth and table.target_years:
            rows.append(_growth_target(row, table, doc, indicator, growth))
    return rows


def _growth_target(row: TableRow, table: IndicatorTable, doc: Document, indicator: Indicator | None,
                   growth: str) -> dict:
    """The 年均增长〔累计〕 cell as a target of the table's last year: an average growth rate, or
    in brackets the change over the whole period; for a rate (城镇调查失业率 | <5.5) the level
    the rate is to keep."""
    cell = row.growth
    rate = indicator is not None and indicator.kind in ("share", "rate") and not growth
    reduction = indicator is not None and indicator.id.endswith("_reduction")
    out = _table_target(row, table, doc, indicator, "" if rate or reduction else "growth_avg",
                        table.target_years[-1], cell.value, cell.high, cell.kind, cell.text,
                        cell.cumulative, "table: growth column")
    if cell.cumulative and rate:  # 常住人口城镇化率 | 52.3 | 58 | 〔5.7〕: points over the period
        out.update({"target_measure": "pp_change", "unit": "个百分点"})
    elif cell.cumulative and not reduction:
        out["target_measure"] = "abs_change" if not growth else "growth_avg"
    return out


def _table_target(row: TableRow, table: IndicatorTable, doc: Document, indicator: Indicator | None,
                  growth: str, year: int, value: float | None, high: float | None, kind: str,
                  text: str, cumulative: bool, kind_source: str) -> dict:
    """One plan_targets row from a table row and what one of its target cells says."""
    label = row.label + (f"·{row.qualifier}" if row.qualifier else "")
    unit = "%" if growth else row.unit or (indicator.unit if indicator else "")
    base = row.cells.get(table.base_year)
    return {
        "indicator_id": indicator.id if indicator else "",
        "name_zh": indicator.name_zh if indicator else label,
        "name_en": indicator.name_en if indicator else "",
        "category": row.category or (indicator.category if indicator else ""),
        "unit": unit, "base_year": table.base_year,
        "base_value": base.value if base else None, "target_year": year,
        "target_value": value, "target_high": high, "target_kind": kind,
        "target_measure": "growth_avg" if growth else stated_measure(indicator, unit),
        "target_text": text,
        "direction": _direction(indicator, base.value if base else None, value, label),
        "every_year": False, "cumulative": "累计" in row.label or cumulative,
        "attribute": re.sub(r"\s+", "", row.attribute),
        "region": doc.region or "", "label": label, "source_section": "table",
        "source_doc": doc.name, "source_line": row.line_no, "source_quote": row.raw.strip(),
        "kind_source": kind_source,
    }


def text_target_rows(facts: list[Fact], doc: Document, base_year: int | None,
                     base_values: dict[tuple[str, int], tuple[float, str]]) -> list[dict]:
    rows = []
    for fact in facts:
        if fact.kind != "target" or fact.value is None or fact.is_derived:
            continue
        indicator = fact.indicator
        measure = fact.measure if fact.measure in ("growth_avg", "growth_yoy", "multiple") else (
            "share" if fact.measure == "share" else ("count" if fact.measure == "count" else "level"))
        if measure == "growth_yoy":
            measure = "growth_avg"  # a growth rate set as a goal is a rate to keep each year
        base_value, base_unit = (None, "")
        # 比2020年翻一番: the base is the year the target is a multiple of
        base = fact.reference_year if measure == "multiple" else base_year
        if indicator is not None and base is not None and measure != "growth_avg":
            base_value, base_unit = base_values.get((indicator.id, base), (None, ""))
            if base_unit and base_unit != fact.unit:
                base_value = None
        rows.append({
            "indicator_id": indicator.id if indicator else "",
            "name_zh": indicator.name_zh if indicator else fact.label,
            "name_en": indicator.name_en if indicator else "",
            "category": indicator.category if indicator else "",
            "unit": full_unit(fact.unit, indicator),
            "base_year": base if measure != "growth_avg" else None,
            "base_value": base_value, "target_year": fact.year, "target_value": fact.value,
            "target_high": fact.high, "target_kind": fact.qualifier,
            "target_measure": measure,
            "target_text": re.sub(r"\*\*|<[^>]*>", "", fact.extra.get("raw_text", fact.text)),
            "direction": _direction(indicator, base_value, fact.value, fact.label),
            "every_year": fact.every_year, "cumulative": "累计" in fact.label or "累计" in fact.quote,
            "region": fact.region, "label": fact.label, "source_section": "text",
            "source_doc": doc.name, "source_line": fact.line, "source_quote": fact.quote,
            "kind_source": "text",
        })
    return rows


def reconcile_table_kinds(table_rows: list[dict], text_rows: list[dict]) -> None:
    """A table's bare number takes the qualifier the narrative gives the same target."""
    for row in table_rows:
        if row["target_kind"] != "point" or not row["indicator_id"]:
            continue
        for text in text_rows:
            if (text["indicator_id"] == row["indicator_id"]
                    and text["target_year"] == row["target_year"]
                    and text["target_value"] is not None and row["target_value"] is not None
                    and abs(text["target_value"] - row["target_value"]) < 1e-9
                    and text["target_kind"] not in ("point", "")):
                row["target_kind"] = text["target_kind"]
                row["kind_source"] = (f"text: {text['source_doc']}:{text['source_line']} "
                                      f"({text['target_text']})")
                break
