"""Indicator tables such as 表1: header `指标 单位 2017年 2022年`, category rows, numbered rows,
continuation rows, tabs or runs of spaces as separators, empty cells.

The years come from the header, never from an assumption about the plan period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dezhou_analysis.core.text import one_to_one_table
from dezhou_analysis.core.units import canonical_unit, known_unit
from dezhou_analysis.documents.numbers import CELL_FOOTNOTE, CellValue, parse_cell

_SPLIT = re.compile(r"\t| {2,}|\u3000{1,}")
_HEADER_LABEL = re.compile(r"^(主要)?(指标|指标名称|项目|名称|指\s*标)$")
_HEADER_UNIT = re.compile(r"^(计量)?单位$")
_HEADER_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年?\s*(?:[（(][^)）]*[)）])?\s*(?:年?目标|目标值|基期|规划目标|预期)?$")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_HEADER_ATTRIBUTE = re.compile(r"^(指标)?属性$|^类型$")
_HEADER_CATEGORY = re.compile(r"^(类别|指标类别|领域|分类|维度|板块)$")
# 年均增长〔累计〕, “十四五”年均增长, 年均/累计: the column of a 十四五 table that holds the growth
# (or the five-year total) a row aims at, beside its base-year and target-year columns
_HEADER_GROWTH = re.compile(r"年均|增速|增长|累计")
_CATEGORY = re.compile(r"^(?:[（(]\s*([一二三四五六七八九十]+)\s*[)）]|([一二三四五六七八九十]+)、)\s*(.+)$")
_CATEGORY_WORD = re.compile(r"^[\u4e00-\u9fff]{2,12}类$")
_ROW_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.、．]\s*(?!\d)")
_QUALIFIER_WORDS = re.compile(r"^(国家级|省级|市级|县级|区级|其中[:：]?.*|国家|省|市|县)$")
_GLUE = re.compile(r"^(?:年|年末|年底|左右|以上|以下|以内|及以上|及以下|上下)$")
_TITLE = re.compile(r"^\s*(表\s*\d+|附表\s*\d*)|指标表|指标体系|主要指标")


@dataclass
class TableRow:
    line_no: int          # 1-based raw line
    raw: str              # the raw line, verbatim
    number: str           # row number as printed ("13"), "" for continuation rows
    label: str            # indicator label as printed (without numbering)
    qualifier: str        # sub-label of a continuation row (国家级 / 省级 …)
    unit: str
    category: str
    cells: dict[int, CellValue]  # year -> parsed value
    attribute: str = ""   # 预期性 / 约束性 when the table has that column
    other: str = ""       # cells of other columns (年均增长〔累计〕…), as printed
    growth: CellValue | None = None  # the cell under a 年均增长〔累计〕 column, when there is one


@dataclass
class IndicatorTable:
    title: str
    title_line: int | None
    header_line: int
    years: list[int]
    rows: list[TableRow] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def base_year(self) -> int:
        return self.years[0]

    @property
    def target_years(self) -> list[int]:
        return self.years[1:]


def _cells(raw: str, mode: str = "wide") -> list[str]:
    """Cells split at tabs or runs of spaces; in "single" mode (PDF text) at any whitespace."""
    text = raw.translate(one_to_one_table()).rstrip()
    if mode == "single":
        cells: list[str] = []
        for token in text.split():
            if cells and _GLUE.match(token) and re.search(r"\d$", cells[-1]):
                cells[-1] += token  # PDF text splits `2017 年`, `8.5 左右`, `1000 以上`
            else:
                cells.append(token)
        return cells
    return [c.strip() for c in _SPLIT.split(text)]


def _year_of(cell: str) -> int | None:
    """A header cell naming one year: 2017年, 2020年（基期）, 基期（2020年）, 2025年目标."""
    match = _HEADER_YEAR.match(cell.strip())
    if match:
        return int(match.group(1))
    years = _ANY_YEAR.findall(cell)
    rest = _ANY_YEAR.sub("", cell)
    if len(years) == 1 and len(re.sub(r"[\s年（）()]", "", rest)) <= 8 and "增" not in rest:
        return int(years[0])
    return None


def _header(cells: list[str]) -> dict | None:
    label_col = unit_col = attribute_col = category_col = growth_col = None
    year_cols: dict[int, int] = {}
    for index, cell in enumerate(cells):
        compact = re.sub(r"\s+", "", cell)
        if label_col is None and _HEADER_LABEL.match(compact):
            label_col = index
        elif unit_col is None and _HEADER_UNIT.match(compact):
            unit_col = index
        elif _HEADER_ATTRIBUTE.match(compact):
            attribute_col = index
        elif category_col is None and _HEADER_CATEGORY.match(compact):
            category_col = index
        else:
            year = _year_of(cell)
            if year is not None:
                year_cols[index] = year
            elif growth_col is None and label_col is not None and _HEADER_GROWTH.search(compact) \
                    and len(compact) <= 16:
                growth_col = index
    if label_col is None or not year_cols:
        return None
    return {"label": label_col, "unit": unit_col, "years": year_cols, "attribute": attribute_col,
            "category": category_col, "growth": growth_col, "width": len(cells), "mode": "wide"}


def find_tables(raw_lines: list[str]) -> list[IndicatorTable]:
    """Every indicator table in a document, with rows located on their raw lines."""
    tables: list[IndicatorTable] = []
    index = 0
    while index < len(raw_lines):
        cells = _cells(raw_lines[index])
        header = _header(cells) if len(cells) >= 2 else None
        if header is None and re.search(r"指\s*标", raw_lines[index]) and _ANY_YEAR.search(raw_lines[index]):
            header = _header(_cells(raw_lines[index], "single"))
            if header is not None:
                header["mode"] = "single"
        if header is None:
            index += 1
            continue
        table, index = _read_table(raw_lines, index, header)
        tables.append(table)
    return tables


def _title_above(raw_lines: list[str], header_index: int) -> tuple[str, int | None]:
    for back in range(header_index - 1, max(-1, header_index - 4), -1):
        line = raw_lines[back].strip()
        if line and _TITLE.search(line):
            return line.strip("* "), back + 1
        if line:
            break
    return "", None


def _read_table(raw_lines: list[str], header_index: int, header: dict) -> tuple[IndicatorTable, int]:
    years = sorted(set(header["years"].values()))
    title, title_line = _title_above(raw_lines, header_index)
    table = IndicatorTable(title=title, title_line=title_line, header_line=header_index + 1,
                           years=years)
    category = ""
    parent: TableRow | None = None
    pending_label = ""
    index = header_index + 1
    width = header["width"]
    year_columns = sorted(header["years"].items())
    while index < len(raw_lines):
        raw = raw_lines[index]
        if not raw.strip():
            index += 1
            # a blank line inside a table is tolerated only if the table continues right after
            nxt = next((k for k in range(index, len(raw_lines)) if raw_lines[k].strip()), None)
            if nxt is None or not _looks_like_row(raw_lines[nxt], header["mode"]):
                break
            continue
        cells = _cells(raw, header["mode"])
        non_empty = [c for c in cells if c]
        first = non_empty[0] if non_empty else ""
        heading = _category_heading(cells, non_empty, header["mode"])
        if heading is not None:
            category = heading
            parent, pending_label = None, ""
            index += 1
            continue
        if len(non_empty) <= 1 and not _looks_like_row(raw, header["mode"]):
            # a label broken over lines, or the end of the table
            nxt = next((k for k in range(index + 1, len(raw_lines)) if raw_lines[k].strip()), None)
            if first and nxt is not None and _looks_like_row(raw_lines[nxt], header["mode"]) and len(first) < 80:
                pending_label += first
                index += 1
                continue
            break
        row = _row(index, raw, cells, width, header, year_columns, category, table)
        category = row.category
        if pending_label:
            if row.number or not row.label:
                row.label = (pending_label + row.label) if not row.number else row.label
            else:
                row.label = pending_label + row.label
            pending_label = ""
        if not row.label and parent is not None:
            row.label = parent.label
            row.number = ""
        elif row.label:
            parent = row
        table.rows.append(row)
        index += 1
    return table, index


def _category_heading(cells: list[str], non_empty: list[str], mode: str) -> str | None:
    """The name of a category row — `（一）质量效益类` alone on its line (in PDF text, a line
    without digits), or a bare `…类` — else None."""
    first = non_empty[0] if non_empty else ""
    match = _CATEGORY.match(first.replace(" ", ""))
    if match and (all(not c for c in cells[1:]) or len(non_empty) == 1
                  or (mode == "single" and not re.search(r"\d", "".join(non_empty)))):
        return match.group(3).strip()
    if len(non_empty) == 1 and _CATEGORY_WORD.match(first):
        return first
    return None


def _looks_like_row(raw: str, mode: str = "wide") -> bool:
    cells = [c for c in _cells(raw, mode) if c]
    if mode == "single":
        # a row of a whitespace-separated table ends in a value (or a qualitative phrase)
        return len(cells) >= 2 and bool(re.search(r"\d|稳定|持续|完成|—", cells[-1])) \
            or bool(_CATEGORY.match(raw.strip()))
    return len(cells) >= 2 or bool(_CATEGORY.match(raw.strip()))


def _right_anchored(cells: list[str], header: dict) -> list[str]:
    """Whitespace-split PDF rows: values are the rightmost cells, the unit just before them,
    the label everything else (its own spaces included)."""
    width = header["width"]
    first_value = min(header["years"])
    tail = width - first_value
    if len(cells) <= tail:
        return [""] * (width - len(cells)) + cells
    values = cells[-tail:]
    head = cells[:-tail]
    unit = ""
    if header["unit"] is not None and head and (known_unit(head[-1]) or head[-1] in ("万元/人", "人/万人")
                                                or re.fullmatch(r"国家级|省级|市级|县级", head[-1])):
        unit = head.pop()
    number = ""
    if header["label"] > 0 and head and re.fullmatch(r"\d{1,3}[.、．]?", head[0]):
        number = head.pop(0).rstrip(".、．") + "."
    joined = ""
    for token in head:
        glue = " " if joined and re.match(r"[A-Za-z0-9]", token) and re.search(r"[A-Za-z0-9]$", joined) else ""
        joined += glue + token
    label = (number + joined) if number else joined
    out = [""] * width
    out[header["label"]] = label
    if header["unit"] is not None:
        out[header["unit"]] = unit
    out[first_value:] = values
    return out


def _growth_cell(cell: str) -> CellValue:
    """A 年均增长 cell; `>7、力争投入强度高于“十三五”时期实际` gives its leading bound."""
    text = CELL_FOOTNOTE.sub("", cell.strip())
    parsed = parse_cell(text)
    head = re.split(r"[、，,；;]", text, maxsplit=1)[0]
    if parsed.value is None and head != text and re.search(r"\d", head):
        return parse_cell(head)
    return parsed


_LABEL_UNIT = re.compile(r"^(?P<label>.+?)[（(](?P<unit>[^（()）]{1,8})[)）]$")
_CATEGORY_THEN_NUMBER = re.compile(r"^(?P<category>[\u4e00-\u9fff]{2,8}?)(?P<number>\d{1,3})[.、．](?!\d)")


def _label_parts(label: str, unit: str, category: str, header: dict) -> tuple[str, str, str]:
    """A table without a 单位 column puts the unit in the label (城镇调查失业率（%）); a flattened
    table with a 类别 column runs the category into the first label of its group (经济发展1.国内
    生产总值增长): label, unit and category apart."""
    if header.get("category") is not None or header["mode"] == "single":
        match = _CATEGORY_THEN_NUMBER.match(label)
        if match:
            category, label = match.group("category"), label[match.end():]
        label = _ROW_NUMBER.sub("", label, count=1) if _ROW_NUMBER.match(label) else label
    match = _LABEL_UNIT.match(label)
    if match and not unit:
        written = match.group("unit")
        if known_unit(written) or written in ("%", "‰", "个", "人", "岁", "件", "年"):
            label, unit = match.group("label"), canonical_unit(written) if known_unit(written) else written
    return label, unit, category


def _lost_category(cells: list[str], header: dict) -> bool:
    """2.全员劳动生产率增长（%）\t2.5\t…: a numbered or unit-bearing indicator stands first
    in a row one cell short of a header that opens with its 类别 column."""
    first = cells[0].strip() if cells else ""
    return header.get("category") == 0 and header["label"] == 1 and bool(
        _ROW_NUMBER.match(first) or _LABEL_UNIT.match(re.sub(r"\s+", "", first)))


def _row(index: int, raw: str, cells: list[str], width: int, header: dict,
         year_columns: list[tuple[int, int]], category: str, table: IndicatorTable) -> TableRow:
    if header["mode"] == "single":
        cells = _right_anchored(cells, header)
    elif len(cells) < width and ("\t" not in raw or _lost_category(cells, header)):
        # runs of spaces collapse empty cells: the values are the rightmost cells; so do tabs
        # when the row's first cell is an indicator under a 类别 column it left empty
        cells = [""] * (width - len(cells)) + cells
    cells = cells + [""] * max(0, width - len(cells))
    label = cells[header["label"]].strip()
    unit_cell = cells[header["unit"]].strip() if header["unit"] is not None else ""
    number = ""
    match = _ROW_NUMBER.match(label)
    if match:
        number, label = match.group(1), label[match.end():].strip()
    label = re.sub(r"\s+", "", label) if re.search(r"[\u4e00-\u9fff]", label) else label
    qualifier = ""
    unit = ""
    if unit_cell:
        compact = re.sub(r"\s+", "", unit_cell)
        if known_unit(compact) or compact in ("万元/人", "人/万人"):
            unit = canonical_unit(compact)
        elif _QUALIFIER_WORDS.match(compact) or len(compact) <= 6:
            qualifier = compact
        elif not label:
            label = compact
    label, unit, category = _label_parts(label, unit, category, header)
    values: dict[int, CellValue] = {}
    for column, year in year_columns:
        cell = cells[column] if column < len(cells) else ""
        parsed = parse_cell(CELL_FOOTNOTE.sub("", cell.strip()))
        values[year] = parsed
        if parsed.kind == "malformed":
            table.warnings.append((index + 1, f"column {year}: cannot read {cell!r} as a number; "
                                              "the row is kept with its raw text"))
    attribute = cells[header["attribute"]].strip() if header["attribute"] is not None else ""
    if header.get("category") is not None and cells[header["category"]].strip():
        category = cells[header["category"]].strip()  # a 类别 column: it holds until the next
    named = {header["label"], header["unit"], header["attribute"], header.get("category"),
             *header["years"]}
    other = " ".join(c.strip() for i, c in enumerate(cells) if i not in named and c.strip())
    growth = None
    if header.get("growth") is not None and header["growth"] < len(cells):
        growth = _growth_cell(cells[header["growth"]])
    return TableRow(line_no=index + 1, raw=raw, number=number, label=label, qualifier=qualifier,
                    unit=unit, category=category, cells=values, attribute=attribute, other=other,
                    growth=growth)
