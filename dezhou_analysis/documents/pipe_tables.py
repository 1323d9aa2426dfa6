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
from dezhou_analysis.core.text import one_to_one_table
from dezhou_analysis.core.units import known_unit
from dezhou_analysis.documents.context import PLAN_NAME, five_year_plan_years
from dezhou_analysis.documents.labels import indicator_named_by, stated_measure
from dezhou_analysis.documents.numbers import CELL_FOOTNOTE, CellValue, parse_cell
from dezhou_analysis.documents.sources import Document

_LONE = re.compile(r"^\s*\|[\s|]*$")
# the label column's header: 指标 in plans, 项目, and in bulletins' product tables 品种 or 产品名称
_LABEL_HEADER = re.compile(r"^(?:主要)?指标(?:名称)?$|^项目$|^(?:产品|行业)?名称$|^品种$|^产品$|^行业$")
_CATEGORY_HEADER = re.compile(r"^(?:指标)?(?:类别|领域|分类|维度|板块)$")
# what may stand before 指标 in a header: a category column, a row-number column (序号)
_LEADING_HEADER = re.compile(r"^(?:(?:指标)?(?:类别|领域|分类|维度|板块)|序号|编号)$")
_ATTRIBUTE = re.compile(r"^(?:预期性|约束性|/|—|-|／)$")
_UNIT_LINE = re.compile(r"^单位[:：]\s*(\S+)$")
_LABEL_UNIT = re.compile(r"^(?P<label>.+?)[（(](?P<unit>[^（()）]{1,8})[)）]$")
_PP = re.compile(r"^(?P<verb>提高|增加|上升|降低|下降|减少)?(?P<num>-?\d+(?:\.\d+)?)个?百分点$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_FIVE_YEAR = re.compile(PLAN_NAME)
# a bulletin's column heading: 绝对值(亿元), 绝对数, 比上年增长(%), 增长(%)
_VALUE_COLUMN = re.compile(r"(?:绝对值|绝对数|总量|数值|(?:比上年)?增长(?:速度)?|增速)(?:[（(][^（()）]{1,8}[)）])?")
_COLUMN_UNIT = re.compile(r"[（(](?P<unit>[^（()）]{1,8})[)）]$")


@dataclass
class Cell:
    text: str
    line: int  # 1-based raw line


def table_lines(raw_lines: list[str]) -> set[int]:
    """0-based indexes of the raw lines of pipe tables that have a header (the narrative skips
    them; pipes in prose without one stay prose)."""
    lines = _reading_lines(raw_lines)
    return {i for block in _blocks(lines) if _header_at(_rows(lines, block)) is not None
            for i in block}


def _reading_lines(raw_lines: list[str]) -> list[str]:
    """The lines as the table reader sees them: traditional characters as simplified ones (one
    for one, so positions hold), and a bulletin's table whose cells are set apart by tabs or runs
    of spaces (指标  绝对数（亿元）  比上年增长（%）) written with pipes."""
    lines = [raw.translate(one_to_one_table()) for raw in raw_lines]
    i = 0
    while i < len(lines):
        if not _spaced_header(lines[i]):
            i += 1
            continue
        k = i
        while k < len(lines) and len(cells := _SPACED.split(lines[k].strip())) >= 2 \
                and len(lines[k]) <= 80:
            lines[k] = "| " + " | ".join(cells) + " |"
            k += 1
        i = max(k, i + 1)
    return lines


_SPACED = re.compile(r"\t+|\s{2,}|\u3000+")


def _spaced_header(line: str) -> bool:
    """指标 then value or growth columns only, set apart by tabs or spaces (a header with year
    columns is an indicator table's, read by the table reader)."""
    if "|" in line:
        return False
    cells = [re.sub(r"\s+", "", c) for c in _SPACED.split(line.strip())]
    return len(cells) >= 2 and bool(_LABEL_HEADER.match(cells[0])) and all(
        _VALUE_COLUMN.fullmatch(c) or re.search(r"比重|占", c) for c in cells[1:])


def _blocks(raw_lines: list[str]) -> list[list[int]]:
    """Runs of lines holding pipes (with the unpiped cells between lone `|` lines), and tables
    a web page gave one cell per line."""
    piped = _piped_blocks(raw_lines)
    taken = {i for block in piped for i in block}
    return piped + [run for run in _cell_runs(raw_lines) if not taken & set(run)]


_SHORT_CELL = 40


def _cell_runs(raw_lines: list[str]) -> list[list[int]]:
    """类别 / 指标 / 2020年 / 2025年 / 年均增长 / 属性, each alone on its line, then the cells
    likewise: the run of short lines from the header on, blank lines skipped, up to a line of
    prose (long, or a sentence) or two blank lines."""
    runs: list[list[int]] = []
    i = 0
    while i < len(raw_lines):
        if not _opens_cell_table(raw_lines, i):
            i += 1
            continue
        run: list[int] = []
        blanks = 0
        k = i
        while k < len(raw_lines):
            text = raw_lines[k].strip()
            if not text:
                blanks += 1
                if blanks >= 2:
                    break
            elif "|" in text or len(text) > _SHORT_CELL or re.search(r"[。；]$", text):
                break
            else:
                blanks = 0
                run.append(k)
            k += 1
        if len(run) >= 8:
            runs.append(run)
        i = max(k, i + 1)
    return runs


def _opens_cell_table(raw_lines: list[str], i: int) -> bool:
    """A label header (指标, or 类别 then 指标) alone on its line, with a year cell soon after."""
    cells = [raw_lines[k].strip() for k in range(i, min(len(raw_lines), i + 12)) if raw_lines[k].strip()]
    if not cells or "|" in raw_lines[i]:
        return False
    first = re.sub(r"\s+", "", cells[0])
    if _CATEGORY_HEADER.match(first) and len(cells) > 1:
        first = re.sub(r"\s+", "", cells[1])
    return bool(_LABEL_HEADER.match(first)) and any(
        re.fullmatch(r"(?:19|20)\d{2}\s*年?\S{0,6}", c) or _VALUE_COLUMN.fullmatch(re.sub(r"\s+", "", c))
        for c in cells[1:6])


def _piped_blocks(raw_lines: list[str]) -> list[list[int]]:
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
    compact = CELL_FOOTNOTE.sub("", re.sub(r"\s+", "", text))
    return parse_cell(compact).kind not in ("malformed", "qualitative") or bool(
        _PP.match(compact) or _ATTRIBUTE.match(compact))


def _split_flat(cells: list[Cell]) -> list[list[Cell]]:
    """Cells in one stream: a label starts a row, the values after it fill it."""
    rows: list[list[Cell]] = []
    in_header = False
    width = 0  # the header's, once known, when it has a 属性 column that closes each row
    for k, cell in enumerate(cells):
        value = _is_value(cell.text)
        following = cells[k + 1] if k + 1 < len(cells) else None
        if _LABEL_HEADER.match(re.sub(r"\s+", "", cell.text)):
            rows.append([cell])
            in_header = True
        elif in_header and not value and following is not None and not _is_value(following.text):
            rows[-1].append(cell)  # 指 标 | 绝对数 | 比上年增长%: header cells until a label with values
            if "属性" in cell.text:
                in_header, width = False, len(rows[-1])
        elif not value and width and len(rows[-1]) >= 2 and len(rows[-1]) < width \
                and re.sub(r"\s+", "", rows[-1][-1].text) not in ("预期性", "约束性"):
            rows[-1].append(cell)  # 保持在合理区间: a qualitative cell of an open row, not a label
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
        # a merged category cell, a row number (1 | 地区生产总值 | …), or both, before the label
        excess = len(row) - width
        if 0 < excess < len(row) and not _is_value(row[excess].text) and all(
                not _is_value(c.text) or re.fullmatch(r"\d{1,3}[.、．]?", c.text.strip())
                for c in row[:excess]):
            del row[:excess]
    return out


@dataclass
class Column:
    index: int
    kind: str  # year | growth_yoy | growth_avg | current | attribute
    year: int | None
    target: bool
    unit: str = ""  # named in the heading: 绝对值(亿元)


def _columns(header: list[Cell], doc_year: int | None, table_year: int | None) -> list[Column]:
    """What each header cell after the label names."""
    out = []
    last_year = _last_header_year(header)
    for index, cell in enumerate(header[1:], 1):
        text = re.sub(r"\s+", "", cell.text)
        years = [int(y) for y in _YEAR.findall(text)]
        five = _FIVE_YEAR.search(text)
        target = "目标" in text or "预期" in text
        if "属性" in text:
            out.append(Column(index, "attribute", None, False))
        elif re.fullmatch(r"(?:计量)?单位", text):
            out.append(Column(index, "unit", None, False))
        elif "增长" in text or "增速" in text or re.fullmatch(r"年均[/／、]?(?:累计)?|[〔\[]?累计[〕\]]?", text):
            if five:
                year = five_year_plan_years(five.group("n"))[1]
            else:  # 年均增长〔累计〕 beside 2020年 | 2025年: the growth runs to the last of them
                year = years[-1] if years else (last_year or table_year)
            kind = "growth_avg" if "年均" in text else "growth_yoy"
            future = doc_year is not None and year is not None and year > doc_year
            out.append(Column(index, kind, year, target or future))
        elif years:
            future = doc_year is not None and years[-1] > doc_year
            out.append(Column(index, "year", years[-1], (target or future) and "完成" not in text))
        elif re.search(r"绝对数|绝对值|数值|总量|本年|全年", text):
            unit = _COLUMN_UNIT.search(text)
            out.append(Column(index, "current", table_year, False,
                              unit.group("unit") if unit and known_unit(unit.group("unit")) else ""))
        else:
            out.append(Column(index, "other", None, False))
    return out


def _last_header_year(header: list[Cell]) -> int | None:
    """The latest year a header's year columns name (2025 in 2020年 | 2025年 | 年均增长)."""
    years = [int(y) for cell in header[1:] if "增" not in cell.text
             for y in _YEAR.findall(re.sub(r"\s+", "", cell.text))]
    return max(years) if years else None


def _header_at(rows: list[list[Cell]]) -> int | None:
    """The header row: it opens with 指标 (or 项目), or with 类别 and then 指标 — the category
    cell is dropped from it, and `_aligned` drops it from the rows that carry it."""
    for index, row in enumerate(rows):
        lead = 0
        while lead < len(row) - 2 and _LEADING_HEADER.match(re.sub(r"\s+", "", row[lead].text)):
            lead += 1
        if lead and _LABEL_HEADER.match(re.sub(r"\s+", "", row[lead].text)):
            del row[:lead]
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
    # quotes are taken from the text as it stands
    lines = _reading_lines(raw_lines)
    for block in _blocks(lines):
        rows = _rows(lines, block)
        header = _header_at(rows)
        if header is None:
            continue
        table_year = _table_year(lines, block, rows, header) or review_year
        columns = _columns(rows[header], doc.year, table_year)
        unit = _sheet_unit(rows, header)
        added = _of_value_added(lines, block, rows, header)
        for row in _aligned(rows[header + 1:], len(rows[header])):
            for kind, record in _row_records(doc, registry, row, columns, unit, added):
                record["source_quote"] = _as_written(record["source_quote"], record["source_line"],
                                                     lines, raw_lines)
                (targets if kind == "target" else observations).append(record)
    return targets, observations


def _of_value_added(lines: list[str], block: list[int], rows: list[list[Cell]], header: int) -> bool:
    """A table of the product by sector (全区生产总值及其增长速度): its rows 工业, 金融业 are the
    sectors' value added."""
    title = [lines[block[0] - 1]] if block[0] > 0 else []
    title += [cell.text for row in rows[:header] for cell in row]
    return any(re.search(r"生产总值|增加值", text) for text in title)


def _as_written(quote: str, line: int, lines: list[str], raw_lines: list[str]) -> str:
    """The quote in the characters of the text (a traditional text keeps its own)."""
    if not 0 < line <= len(raw_lines):
        return quote
    at = raw_lines[line - 1].translate(one_to_one_table()).find(quote)
    return raw_lines[line - 1][at:at + len(quote)] if at >= 0 else quote


def _row_records(doc: Document, registry: Registry, row: list[Cell], columns: list[Column],
                 sheet_unit: str, value_added: bool = False) -> list[tuple[str, dict]]:
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
    if found is None and value_added and label and not label.endswith("增加值"):
        found = registry.match_with_measure(label + "增加值")
    indicator = found[0] if found else indicator_named_by(registry, label)
    row_measure = found[1] if found else ("growth" if re.search(r"(?:增长|增速)$", label) else "")
    attribute = next((re.sub(r"\s+", "", row[c.index].text) for c in columns
                      if c.kind == "attribute" and c.index < len(row)), "")
    unit = next((text for c in columns if c.kind == "unit" and c.index < len(row)
                 and known_unit(text := re.sub(r"\s+", "", row[c.index].text))), unit)
    out = []
    for column in columns:
        if column.kind in ("attribute", "unit", "other") or column.index >= len(row) or column.year is None:
            continue
        cell = row[column.index]
        if column.kind == "year" and re.search(r"(?:下降|降低|减少)$", label):
            continue  # 城市PM2.5下降 | 57.3: a level or the reduction? the column cannot tell
        value, measure, qualifier = _value(cell.text, column, indicator, unit or column.unit, row_measure)
        if value is None:
            continue
        kind = "target" if column.target else "observation"
        record = _record(doc, indicator, label, column.year, value, measure, unit or column.unit, cell,
                         attribute, kind)
        record["target_kind" if kind == "target" else "value_qualifier"] = qualifier
        if kind == "target":
            record["cumulative"] = measure in ("abs_change", "pp_change") or (
                measure == "level" and column.kind in ("growth_yoy", "growth_avg"))
        out.append((kind, record))
    return out


def _parsed(compact: str) -> CellValue:
    """The cell's value; `>7、力争投入强度高于…` gives its leading bound, a footnote mark is dropped."""
    parsed = parse_cell(CELL_FOOTNOTE.sub("", compact))
    if parsed.value is None:
        head = re.split(r"[、，,；;]", compact, maxsplit=1)[0]
        if head != compact and re.search(r"\d", head):
            parsed = parse_cell(CELL_FOOTNOTE.sub("", head))
    return parsed


def _value(text: str, column: Column, indicator, unit: str, row_measure: str = ""
           ) -> tuple[float | None, str, str]:
    """Value, measure and qualifier (point, at_least, at_most, approx) of one cell."""
    compact = re.sub(r"\s+", "", text)
    pp = _PP.match(compact)
    if pp:
        sign = -1 if pp.group("verb") in ("降低", "下降", "减少") else 1
        return sign * float(pp.group("num")), "pp_change", "point"
    parsed = _parsed(compact)
    if parsed.value is None:
        return None, "", ""
    kind = parsed.kind if parsed.kind in ("at_least", "at_most", "approx") else "point"
    reduction = indicator is not None and indicator.id.endswith("_reduction")
    rate = indicator is not None and indicator.kind in ("share", "rate") and not row_measure
    if parsed.cumulative and column.kind in ("growth_yoy", "growth_avg"):
        # 〔13.5〕 under 年均增长〔累计〕: the change over the whole period, in points for a rate
        return parsed.value, "level" if reduction else ("pp_change" if rate else "abs_change"), kind
    if column.kind in ("growth_yoy", "growth_avg") and not rate:
        return parsed.value, column.kind, kind
    if row_measure.startswith("growth"):
        return parsed.value, "growth_yoy", kind  # 国内生产总值增长（%） | 2.3: that year's growth
    return parsed.value, stated_measure(indicator, unit), kind


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
