"""Tables that web pages and PDF extraction flatten with pipes: one row per line
(`居民消费价格 | 2.5 |`), one cell per line ending in `|` with a lone `|` closing each row
(十四五 plans' 指标 | 2015年完成 | 2020年完成 | 年均增长 | 属性), or one cell per line between
lone `|` lines (a bulletin's 指标 | 绝对数 | 比上年增长%).

Each value is read with the line of its own cell, so provenance points at the number. A column
names a year (2020年完成, 2025年目标), a growth rate (比上年增长%, “十三五”年均增长) or the
table's own year (绝对数); a year after the document's date, or a column called 目标, holds
targets, the others observations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dezhou_analysis.core.indicators import Registry
from dezhou_analysis.core.units import known_unit
from dezhou_analysis.documents.context import five_year_plan_years
from dezhou_analysis.documents.labels import indicator_named_by
from dezhou_analysis.documents.numbers import parse_cell
from dezhou_analysis.documents.sources import Document

_LONE = re.compile(r"^\s*\|[\s|]*$")
_LABEL_HEADER = re.compile(r"^(?:主要)?指标(?:名称)?$|^项目$")
_ATTRIBUTE = re.compile(r"^(?:预期性|约束性|/|—|-|／)$")
_UNIT_LINE = re.compile(r"^单位[:：]\s*(\S+)$")
_LABEL_UNIT = re.compile(r"^(?P<label>.+?)[（(](?P<unit>[^（()）]{1,8})[)）]$")
_PP = re.compile(r"^(?P<verb>提高|增加|上升|降低|下降|减少)?(?P<num>-?\d+(?:\.\d+)?)个?百分点$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_FIVE_YEAR = re.compile(r"[“\"]?(十[一二三四五六七八九])五[”\"]?")


@dataclass
class Cell:
    text: str
    line: int  # 1-based raw line


def table_lines(raw_lines: list[str]) -> set[int]:
    """0-based indexes of the raw lines of pipe tables that have a header (the narrative skips
    them; pipes in prose without one stay prose)."""
    return {i for block in _blocks(raw_lines) if _header_at(_rows(raw_lines, block)) is not None
            for i in block}


def _blocks(raw_lines: list[str]) -> list[list[int]]:
    """Runs of lines holding pipes, with the unpiped cells between lone `|` lines."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for i, raw in enumerate(raw_lines):
        piped = "|" in raw
        between = (not piped and 0 < len(raw.strip()) <= 40 and i + 1 < len(raw_lines)
                   and _LONE.match(raw_lines[i + 1]) is not None)
        if piped or between:
            current.append(i)
        elif raw.strip():
            if len(current) >= 4:
                blocks.append(current)
            current = []
    if len(current) >= 4:
        blocks.append(current)
    return blocks


def _rows(raw_lines: list[str], block: list[int]) -> list[list[Cell]]:
    """The block's rows: a line with two cells or more is a row; otherwise cells accumulate
    until a lone `|` (when cells carry their own pipes) or a new label (when they do not)."""
    own_pipes = sum(1 for i in block if raw_lines[i].rstrip().endswith("|")
                    and not _LONE.match(raw_lines[i])) >= 2
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    for i in block:
        raw = raw_lines[i]
        if _LONE.match(raw):
            if own_pipes and current:
                rows.append(current)
                current = []
            continue
        cells = [Cell(p.strip(), i + 1) for p in raw.split("|") if p.strip()]
        if len(cells) >= 2:
            if current:
                rows.append(current)
                current = []
            rows.append(cells)
        else:
            current.extend(cells)
    if current:
        rows.append(current)
    if own_pipes:
        return rows
    return [row for flat in rows for row in _split_flat(flat)]


def _is_value(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return parse_cell(compact).kind not in ("malformed", "qualitative") or bool(
        _PP.match(compact) or _ATTRIBUTE.match(compact))


def _split_flat(cells: list[Cell]) -> list[list[Cell]]:
    """Cells in one stream: a label starts a row, the values after it fill it."""
    rows: list[list[Cell]] = []
    in_header = False
    for k, cell in enumerate(cells):
        value = _is_value(cell.text)
        following = cells[k + 1] if k + 1 < len(cells) else None
        if _LABEL_HEADER.match(re.sub(r"\s+", "", cell.text)):
            rows.append([cell])
            in_header = True
        elif in_header and not value and following is not None and not _is_value(following.text):
            rows[-1].append(cell)  # 指 标 | 绝对数 | 比上年增长%: header cells until a label with values
        elif not value or not rows:
            rows.append([cell])
            in_header = False
        else:
            rows[-1].append(cell)
    return rows


def _aligned(rows: list[list[Cell]], width: int) -> list[list[Cell]]:
    """Rows as wide as the header: a row that runs on past its 属性 cell (预期性/约束性) into the
    next label is split there; a merged category cell before the label (空气质量 | 城市PM2.5下降 |
    57.3 …) is dropped."""
    out: list[list[Cell]] = []
    for row in rows:
        current: list[Cell] = []
        for cell in row:
            if current and re.sub(r"\s+", "", current[-1].text) in ("预期性", "约束性") \
                    and not _is_value(cell.text):
                out.append(current)
                current = []
            current.append(cell)
        out.append(current)
    for row in out:
        if len(row) > width and len(row) >= 2 and not _is_value(row[0].text) \
                and not _is_value(row[1].text):
            del row[0]
    return out


@dataclass
class Column:
    index: int
    kind: str  # year | growth_yoy | growth_avg | current | attribute
    year: int | None
    target: bool


def _columns(header: list[Cell], doc_year: int | None, table_year: int | None) -> list[Column]:
    """What each header cell after the label names."""
    out = []
    for index, cell in enumerate(header[1:], 1):
        text = re.sub(r"\s+", "", cell.text)
        years = [int(y) for y in _YEAR.findall(text)]
        five = _FIVE_YEAR.search(text)
        target = "目标" in text or "预期" in text
        if "属性" in text:
            out.append(Column(index, "attribute", None, False))
        elif "增长" in text or "增速" in text:
            if five:
                year = five_year_plan_years(five.group(1))[1]
            else:
                year = years[-1] if years else table_year
            kind = "growth_avg" if "年均" in text else "growth_yoy"
            future = doc_year is not None and year is not None and year > doc_year
            out.append(Column(index, kind, year, target or future))
        elif years:
            future = doc_year is not None and years[-1] > doc_year
            out.append(Column(index, "year", years[-1], (target or future) and "完成" not in text))
        elif re.search(r"绝对数|绝对值|数值|总量|本年|全年", text):
            out.append(Column(index, "current", table_year, False))
        else:
            out.append(Column(index, "other", None, False))
    return out


def _header_at(rows: list[list[Cell]]) -> int | None:
    for index, row in enumerate(rows):
        if row and _LABEL_HEADER.match(re.sub(r"\s+", "", row[0].text)) and len(row) >= 2:
            return index
    return None


def _table_year(raw_lines: list[str], block: list[int], rows: list[list[Cell]], header: int) -> int | None:
    """The year a title above the header names (2022年全区生产总值及其增长速度)."""
    lines = [raw_lines[block[0] - 1]] if block[0] > 0 else []
    lines += [cell.text for row in rows[:header] for cell in row]
    for text in reversed(lines):
        match = _YEAR.search(text)
        if match:
            return int(match.group(1))
    return None


def _sheet_unit(rows: list[list[Cell]], header: int) -> str:
    for row in rows[:header + 1]:
        for cell in row:
            match = _UNIT_LINE.match(re.sub(r"\s+", "", cell.text))
            if match:
                return match.group(1)
    return ""


def pipe_table_rows(doc: Document, raw_lines: list[str], registry: Registry,
                    review_year: int | None) -> tuple[list[dict], list[dict]]:
    """Target rows and observation rows of every pipe table in the document."""
    targets: list[dict] = []
    observations: list[dict] = []
    for block in _blocks(raw_lines):
        rows = _rows(raw_lines, block)
        header = _header_at(rows)
        if header is None:
            continue
        table_year = _table_year(raw_lines, block, rows, header) or review_year
        columns = _columns(rows[header], doc.year, table_year)
        unit = _sheet_unit(rows, header)
        for row in _aligned(rows[header + 1:], len(rows[header])):
            for kind, record in _row_records(doc, registry, row, columns, unit):
                (targets if kind == "target" else observations).append(record)
    return targets, observations


def _row_records(doc: Document, registry: Registry, row: list[Cell], columns: list[Column],
                 sheet_unit: str) -> list[tuple[str, dict]]:
    if len(row) < 2 or _is_value(row[0].text):
        return []
    label = re.sub(r"\s+", "", row[0].text)
    label = re.sub(r"^(?:[一二三四五六七八九十]+、|其中[:：]|\d{1,2}[.、．])", "", label)
    unit = sheet_unit
    match = _LABEL_UNIT.match(label)
    if match and (known_unit(match.group("unit")) or match.group("unit") in ("%", "‰")):
        label, unit = match.group("label"), match.group("unit")
    label = re.sub(r"^累计", "", label) if registry.match(label) is None else label
    found = registry.match_with_measure(label) if label else None
    indicator = found[0] if found else indicator_named_by(registry, label)
    attribute = next((re.sub(r"\s+", "", row[c.index].text) for c in columns
                      if c.kind == "attribute" and c.index < len(row)), "")
    out = []
    for column in columns:
        if column.kind in ("attribute", "other") or column.index >= len(row) or column.year is None:
            continue
        cell = row[column.index]
        if column.kind == "year" and re.search(r"(?:下降|降低|减少)$", label):
            continue  # 城市PM2.5下降 | 57.3: a level or the reduction? the column cannot tell
        value, measure = _value(cell.text, column, indicator, unit)
        if value is None:
            continue
        kind = "target" if column.target else "observation"
        out.append((kind, _record(doc, indicator, label, column.year, value, measure, unit,
                                  cell, attribute, kind)))
    return out


def _value(text: str, column: Column, indicator, unit: str) -> tuple[float | None, str]:
    compact = re.sub(r"\s+", "", text)
    pp = _PP.match(compact)
    if pp:
        sign = -1 if pp.group("verb") in ("降低", "下降", "减少") else 1
        return sign * float(pp.group("num")), "pp_change"
    parsed = parse_cell(compact)
    if parsed.value is None:
        return None, ""
    if column.kind in ("growth_yoy", "growth_avg"):
        return parsed.value, column.kind
    if unit in ("%", "‰") or (indicator is not None and indicator.kind in ("share", "rate")):
        return parsed.value, "share"
    if indicator is not None and indicator.kind == "count":
        return parsed.value, "count"
    return parsed.value, "level"


def _record(doc: Document, indicator, label: str, year: int, value: float, measure: str,
            unit: str, cell: Cell, attribute: str, kind: str) -> dict:
    unit = "%" if measure in ("growth_yoy", "growth_avg") else (
        "个百分点" if measure == "pp_change" else unit)
    common = {
        "indicator_id": indicator.id if indicator else "",
        "name_zh": indicator.name_zh if indicator else label, "label": label,
        "region": doc.region or "", "unit": unit, "source_section": "table",
        "source_doc": doc.name, "source_line": cell.line, "source_quote": cell.text.strip(),
        "attribute": attribute,
    }
    if kind == "target":
        return {**common, "name_en": indicator.name_en if indicator else "",
                "category": indicator.category if indicator else "", "base_year": None,
                "base_value": None, "target_year": year, "target_value": value,
                "target_kind": "point", "target_measure": measure, "target_text": cell.text.strip(),
                "direction": (indicator.direction if indicator and indicator.direction else "increase"),
                "every_year": False, "cumulative": False, "kind_source": "table"}
    return {**common, "year": year, "value": value, "measure": measure,
            "value_qualifier": "point", "reference_year": None, "reference_region": "",
            "is_derived": False, "derivation": "", "year_source": "stated"}
