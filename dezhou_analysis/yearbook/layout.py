"""Where the numbers are in a yearbook sheet: the header row, long or wide layout, and in a wide
sheet which column holds which period and measure.

Yearbook tables as people keep them put a title and a unit line above the header, add a
`比上年增长(%)` column after each year (or a second header row `绝对数 | 比上年增长%` under a
merged year cell), and end with notes. Each value column is read with the period and measure
its header says; a column that says neither is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from dezhou_analysis.core.errors import Issue
from dezhou_analysis.core.periods import is_year_header, parse_period
from dezhou_analysis.core.text import one_to_one_table
from dezhou_analysis.core.units import canonical_unit

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("indicator_id", "id", "指标代码", "指标id", "代码", "指标编号"),
    "indicator": ("indicator", "指标", "指标名称", "项目", "名称", "name", "label",
                  "indicator_zh", "中文名称", "指标（中文）", "统计指标", "主要指标", "项目名称",
                  "指标名称（中文）", "indicator name"),
    "indicator_en": ("indicator_en", "indicator (english)", "英文名称", "english name", "指标（英文）"),
    "region": ("region", "地区", "区域", "城市", "地市", "area"),
    "year": ("year", "年份", "年度", "时间", "period", "期间", "年"),
    "value": ("value", "数值", "值", "数据", "数量", "取值", "绝对值", "绝对数", "指标值", "统计值", "数据值",
              "本年数", "本年"),
    "unit": ("unit", "单位", "计量单位", "units"),
    "source": ("source", "来源", "数据来源", "出处", "url"),
    "note": ("note", "notes", "备注", "说明", "注释", "注", "remark", "remarks"),
    "basis": ("basis", "口径", "统计口径"),
}
_HEADER_LOOKUP = {name: key for key, names in HEADER_SYNONYMS.items() for name in names}
MISSING = {"", "-", "—", "–", "/", "…", "...", "..", "na", "n/a", "nan", "none", "null", "无",
           "暂无", "——", "x"}
_SHEET_UNIT = re.compile(r"单位\s*[:：]\s*(?P<unit>\S+)|unit\s*[:：]\s*(?P<unit2>\S+)", re.IGNORECASE)
_GROWTH_CUE = re.compile(r"比上年|同比|增长|增速|增幅|增减|growth|change", re.IGNORECASE)
_POINTS_CUE = re.compile(r"百分点|pp\b|p\.p\.", re.IGNORECASE)
_LEVEL_CUE = re.compile(r"绝对数|绝对值|总量|总额|数值|数量|金额|实绩|本年|本期|全年|^值$|value|level",
                        re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass
class Record:
    """One value cell with everything its row and column say about it."""
    file: str
    sheet: str | None
    row: int
    label: str
    indicator_id: str
    region: str
    period: object
    value: object
    unit: str
    source: str
    note: str
    basis: str
    columns: dict[str, str]  # field -> column name as written, for messages
    measure: str = ""  # set by the column (growth_yoy, pp_change); "" means as the label says
    sheet_unit: str = ""  # from a `单位：亿元` line above the header: the last resort


@dataclass(frozen=True)
class ValueColumn:
    index: int
    period: object  # the text naming the period (2019, 2019年, 2018H1…)
    measure: str
    name: str  # as written, for messages


@dataclass
class TableRead:
    records: list[Record] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def header_key(cell: object) -> str | None:
    if cell is None:
        return None
    text = str(cell).translate(one_to_one_table()).strip().lower()
    # `指 标`, `年  份`: spaces that centre a Chinese header are not part of it
    text = re.sub(r"\s+", "" if re.search(r"[\u4e00-\u9fff]", text) else " ", text)
    return _HEADER_LOOKUP.get(text)


def _column_measure(text: str) -> str | None:
    """growth_yoy / pp_change for a growth header, "" for a level header, None otherwise."""
    if _GROWTH_CUE.search(text):
        return "pp_change" if _POINTS_CUE.search(text) else "growth_yoy"
    if _LEVEL_CUE.search(text):
        return ""
    return None


def wide_columns(header: list[object], keys: list[str | None],
                 subheader: list[object] | None) -> tuple[list[ValueColumn], list[str], bool]:
    """The value columns of a wide header, the names of columns left out, and whether the row
    below the header is a second header row (`绝对数 | 比上年增长%` under a merged year)."""
    first = next((i for i, c in enumerate(header) if keys[i] is None and present(c)
                  and is_year_header(c)), None)
    if first is None:
        return [], [], False
    sub = [str(c).strip() if present(c) else "" for c in (subheader or [])]
    sub_measures = [_column_measure(t) if t else None for t in sub]
    two_rows = (not any(present(c) for c, k in zip(subheader or [], keys, strict=False)
                        if k in ("indicator", "indicator_id"))
                and any(m is not None for m in sub_measures[first:]))
    columns: list[ValueColumn] = []
    ignored: list[str] = []
    period: object = None  # the year of the column (a merged year cell spans those after it)
    latest: object = None  # the latest year so far: what a bare 比上年增长 column is about
    latest_year = 0
    for index in range(first, len(header)):
        cell = header[index]
        if keys[index] is not None:
            continue
        text = str(cell).strip() if present(cell) else ""
        if text and is_year_header(cell):
            period = cell
            year = parse_period(cell).year  # the year a header names, whatever its century
            if year > latest_year:
                latest, latest_year = cell, year
            measure: str | None = ""
        elif text:
            measure = _column_measure(text)
            years = _YEAR.findall(text)
            if measure is None or len(years) > 1:
                ignored.append(text)
                continue
            period = years[0] if years else latest
        else:
            measure = ""  # under a merged year cell
        if two_rows:
            below = sub[index] if index < len(sub) else ""
            if below:
                if sub_measures[index] is None:
                    ignored.append(f"{text or period} / {below}")
                    continue
                measure = sub_measures[index] or measure
            elif not text:
                continue
        elif not text:
            continue
        name = " / ".join(t for t in (text or str(period), sub[index] if two_rows and index < len(sub)
                                      else "") if t)
        columns.append(ValueColumn(index, period, measure or "", name))
    return columns, ignored, two_rows


_THIS_YEAR = {"本年", "本期", "本年数", "本期数", "本年实绩", "今年"}
_LAST_YEAR = {"上年", "上年同期", "上年数", "去年", "去年同期", "上年同期数"}


def _title_year(cells: list[object]) -> int | None:
    """The one year a title line above the header names (`2022年德州市国民经济主要指标`)."""
    texts = [str(c) for c in cells if present(c)]
    if len(texts) != 1:
        return None
    years = set(_YEAR.findall(texts[0]))
    return int(years.pop()) if len(years) == 1 else None


def _relative_years(cells: list[object], title_year: int | None) -> list[object]:
    """本年 / 上年 columns under a title that names the year: that year and the one before."""
    if title_year is None:
        return cells
    out = []
    for cell in cells:
        text = re.sub(r"\s+", "", str(cell)) if present(cell) else ""
        out.append(f"{title_year}年" if text in _THIS_YEAR else
                   f"{title_year - 1}年" if text in _LAST_YEAR else cell)
    return out


@dataclass
class Header:
    """Where a sheet's header is and what stands above it."""
    position: int  # index into the sheet's rows
    layout: str  # long | wide | by_year
    sheet_unit: str  # from a `单位：亿元` line above the header
    title_year: int | None  # the one year a title line names (for 本年 / 上年 columns)


def find_header(rows: list[tuple[int, list[object]]]) -> Header | None:
    """The header in the first 20 rows: long (label, year and value columns), wide (label and
    year columns) or by year (a year column and one column per indicator)."""
    sheet_unit, title_year = "", None
    for position, (_row_no, cells) in enumerate(rows[:20]):
        cells = _relative_years(cells, title_year)
        keys = [header_key(c) for c in cells]
        layout = _layout_of(cells, keys)
        if layout:
            return Header(position, layout, sheet_unit, title_year)
        for cell in cells:
            m = _SHEET_UNIT.search(str(cell or ""))
            if m:
                sheet_unit = canonical_unit(m.group("unit") or m.group("unit2"))
        title_year = _title_year(cells) or title_year
    return None


def _layout_of(cells: list[object], keys: list[str | None]) -> str | None:
    has_label = "indicator" in keys or "indicator_id" in keys
    if has_label and "year" in keys and "value" in keys:
        return "long"
    if has_label and any(present(c) and keys[i] is None and is_year_header(c) for i, c in enumerate(cells)):
        return "wide"
    named = any(present(c) and keys[i] is None for i, c in enumerate(cells))
    if "year" in keys and not has_label and "value" not in keys and named:
        return "by_year"  # 年份 | 地区生产总值（亿元） | …: a row per year
    return None


def _no_header(file: str, sheet: str | None, rows: list[tuple[int, list[object]]], out: TableRead) -> None:
    if not any(isinstance(c, (int, float)) or re.fullmatch(r"\s*-?\d+(\.\d+)?\s*%?", str(c or ""))
               for _, cells in rows for c in cells if present(c)):
        out.warnings.append(Issue(file, "sheet skipped: no header row and no numbers "
                                        "(a notes sheet?)", sheet=sheet, severity="warning"))
        return
    out.issues.append(Issue(file, "no header row found in the first 20 rows: expected a "
                                  "column 指标/indicator and either 年份/year + 数值/value "
                                  "(long layout) or one column per year such as 2019 or "
                                  "2019年 (wide layout)", sheet=sheet))


@dataclass
class Sheet:
    """A sheet with its header read: the column of each field and the rows below the header."""
    file: str
    sheet: str | None
    header: list[object]
    keys: list[str | None]
    columns: dict[str, int]
    names: dict[str, str]
    body: list[tuple[int, list[object]]]
    sheet_unit: str

    def cell(self, cells: list[object], key: str) -> object:
        index = self.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def text(self, cells: list[object], key: str) -> str:
        value = self.cell(cells, key)
        return "" if value is None else str(value).strip()

    @property
    def label_column(self) -> str:
        return self.names.get("indicator", self.names.get("indicator_id", "indicator"))

    def column_names(self, value: str, year: str, indicator: str | None = None) -> dict[str, str]:
        """Field → column name as written, for messages."""
        return {"value": value, "year": year, "indicator": indicator or self.label_column,
                "indicator_id": self.names.get("indicator_id", "indicator_id"),
                "unit": self.names.get("unit", "unit"), "region": self.names.get("region", "region")}

    def common(self, row_no: int, cells: list[object]) -> dict:
        """The fields a row gives every value in it."""
        return dict(file=self.file, sheet=self.sheet, row=row_no, label=self.text(cells, "indicator"),
                    indicator_id=self.text(cells, "indicator_id"), region=self.text(cells, "region"),
                    unit=self.text(cells, "unit"), sheet_unit=self.sheet_unit,
                    source=self.text(cells, "source"), note=self.text(cells, "note"),
                    basis=self.text(cells, "basis"))


def read_table(file: str, sheet: str | None, rows: list[tuple[int, list[object]]]) -> TableRead:
    """Find the header in the first 20 rows and turn every value cell into a Record."""
    out = TableRead()
    found = find_header(rows)
    if found is None:
        _no_header(file, sheet, rows, out)
        return out
    header = _relative_years(rows[found.position][1], found.title_year)
    keys = [header_key(c) for c in header]
    columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key and key not in columns:
            columns[key] = index
    names = {key: str(header[i]).strip() for key, i in columns.items()}
    table = Sheet(file, sheet, header, keys, columns, names, rows[found.position + 1:], found.sheet_unit)
    if found.layout == "long":
        _long_records(table, out)
    elif found.layout == "by_year":
        _by_year_records(table, out)
    else:
        _wide_records(table, rows[found.position][1], rows[found.position][0], out)
    return out


def _long_records(table: Sheet, out: TableRead) -> None:
    """indicator | region | year | value | unit | source | note: one record per row."""
    columns = table.column_names(table.names.get("value", "value"), table.names.get("year", "year"))
    for row_no, cells in table.body:
        if not any(present(c) for c in cells):
            continue
        common = table.common(row_no, cells)
        named = common["label"] or common["indicator_id"]
        if not present(table.cell(cells, "year")) and not present(table.cell(cells, "value")):
            if named:
                out.warnings.append(Issue(table.file, f"row without year or value skipped "
                                                      f"({named[:40]!r}: a note?)",
                                          row=row_no, sheet=table.sheet, severity="warning"))
            continue
        if not named:
            out.issues.append(Issue(table.file, "a value without an indicator", row=row_no,
                                    column=table.label_column, sheet=table.sheet))
            continue
        out.records.append(Record(period=table.cell(cells, "year"), value=table.cell(cells, "value"),
                                  columns=columns, **common))


def _by_year_records(table: Sheet, out: TableRead) -> None:
    """年份 | 地区生产总值（亿元） | …: one record per filled indicator cell of a year's row."""
    for row_no, cells in table.body:
        if not any(present(c) for c in cells):
            continue
        if not present(table.cell(cells, "year")):
            out.warnings.append(Issue(table.file, "row without a year skipped (a note?)", row=row_no,
                                      sheet=table.sheet, severity="warning"))
            continue
        common = table.common(row_no, cells)
        for index, head in enumerate(table.header):
            if table.keys[index] is not None or not present(head) or index >= len(cells) \
                    or not present(cells[index]) or str(cells[index]).strip().lower() in MISSING:
                continue
            name = str(head).strip()
            out.records.append(Record(**{**common, "label": name}, period=table.cell(cells, "year"),
                                      value=cells[index],
                                      columns=table.column_names(name, table.names["year"], name)))


def _wide_records(table: Sheet, written: list[object], header_row_no: int, out: TableRead) -> None:
    """指标 | 2020年 | 2021年 | 比上年增长(%): one record per filled year (or growth) cell."""
    subheader = table.body[0][1] if table.body else None
    value_columns, ignored, two_rows = wide_columns(table.header, table.keys, subheader)
    # 本年 as the file says it, for messages and provenance
    value_columns = [replace(c, name=f"{written[c.index]} ({c.name})")
                     if c.index < len(written) and str(written[c.index]).strip() != str(table.header[c.index]).strip()
                     else c for c in value_columns]
    body = table.body[1:] if two_rows else table.body
    for name in ignored:
        out.warnings.append(Issue(table.file, f"column {name!r} left out: its header names no single "
                                              "year and no level or growth measure", row=header_row_no,
                                  sheet=table.sheet, severity="warning"))
    for row_no, cells in body:
        values = [column for column in value_columns
                  if column.index < len(cells) and present(cells[column.index])
                  and str(cells[column.index]).strip().lower() not in MISSING]
        common = table.common(row_no, cells)
        if not (common["label"] or common["indicator_id"]):
            if values:
                out.issues.append(Issue(table.file, "values without an indicator", row=row_no,
                                        column=table.label_column, sheet=table.sheet))
            continue
        for column in values:
            unit = {"growth_yoy": "%", "pp_change": "个百分点"}.get(column.measure, common["unit"])
            out.records.append(Record(**{**common, "unit": unit}, period=column.period,
                                      value=cells[column.index], measure=column.measure,
                                      columns=table.column_names(column.name, column.name)))
