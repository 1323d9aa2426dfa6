"""Yearbook files in: CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX, long or wide, Chinese or
English headers. Every problem is reported with its file, sheet, row and column, all at once.

Nothing is dropped quietly: a row either becomes an observation, or an exclusion with its
reason, or an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from dezhou_analysis.breaks import basis_from_note, basis_key, default_basis
from dezhou_analysis.errors import InputError, Issue
from dezhou_analysis.indicators import Indicator, Registry, default_registry
from dezhou_analysis.parsing.context import canonical_region
from dezhou_analysis.parsing.normalize import one_to_one_table
from dezhou_analysis.parsing.numbers import agree, decimals
from dezhou_analysis.periods import Period, PeriodError, is_year_header, parse_period
from dezhou_analysis.units import canonical_unit, compatible, convert, known_unit

SUPPORTED = (".csv", ".xlsx", ".xlsm", ".tsv", ".txt")
IGNORED_SUFFIXES = (".yml", ".yaml", ".md")

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("indicator_id", "id", "指标代码", "指标id", "代码", "指标编号"),
    "indicator": ("indicator", "指标", "指标名称", "项目", "名称", "name", "label",
                  "indicator_zh", "中文名称", "指标（中文）"),
    "indicator_en": ("indicator_en", "indicator (english)", "英文名称", "english name", "指标（英文）"),
    "region": ("region", "地区", "区域", "城市", "地市", "area"),
    "year": ("year", "年份", "年度", "时间", "period", "期间", "年"),
    "value": ("value", "数值", "值", "数据", "数量", "取值"),
    "unit": ("unit", "单位", "计量单位", "units"),
    "source": ("source", "来源", "数据来源", "出处", "url"),
    "note": ("note", "notes", "备注", "说明", "注释", "注", "remark", "remarks"),
    "basis": ("basis", "口径", "统计口径"),
}
_HEADER_LOOKUP = {name: key for key, names in HEADER_SYNONYMS.items() for name in names}
_MISSING = {"", "-", "—", "–", "/", "…", "...", "..", "na", "n/a", "nan", "none", "null", "无",
            "暂无", "——", "x"}
_FOOTNOTE = re.compile(r"(?<=\d)\s*(?:\*+|[①②③④⑤⑥⑦⑧⑨⑩]|\[\d+\]|（注\d*）|\(注\d*\))$")
_UNIT_IN_LABEL = re.compile(r"^(?P<label>.+?)\s*[（(](?P<unit>[^（）()]{1,10})[)）]\s*$")
_SHEET_UNIT = re.compile(r"单位\s*[:：]\s*(?P<unit>\S+)|unit\s*[:：]\s*(?P<unit2>\S+)", re.IGNORECASE)
GROWTH_MEASURES = ("growth_yoy", "growth_avg")


@dataclass
class YearbookResult:
    observations: list[dict] = field(default_factory=list)
    exclusions: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    def extend(self, other: YearbookResult) -> None:
        self.observations.extend(other.observations)
        self.exclusions.extend(other.exclusions)
        self.issues.extend(other.issues)
        self.warnings.extend(other.warnings)
        self.files.extend(other.files)

    def raise_for_issues(self) -> None:
        if self.issues:
            raise InputError(self.issues, f"{len(self.issues)} problem(s) in yearbook data")


@dataclass
class _Record:
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


# ---------------------------------------------------------------------------------------------
# file level

def yearbook_files(directory: str | Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
                  and p.suffix.lower() not in IGNORED_SUFFIXES)


def read_yearbooks(paths: list[str | Path], registry: Registry | None = None,
                   default_region: str = "", sheet: str | None = None,
                   today: dt.date | None = None) -> YearbookResult:
    """Read every file; collect all problems rather than stopping at the first."""
    registry = registry or default_registry()
    result = YearbookResult()
    for path in paths:
        result.extend(read_yearbook(path, registry, default_region, sheet, today))
    _check_duplicates(result, registry)
    return result


def read_yearbook(path: str | Path, registry: Registry | None = None, default_region: str = "",
                  sheet: str | None = None, today: dt.date | None = None) -> YearbookResult:
    registry = registry or default_registry()
    path = Path(path)
    result = YearbookResult()
    suffix = path.suffix.lower()
    if not path.exists():
        result.issues.append(Issue(str(path), "no such file"))
        return result
    if suffix not in SUPPORTED:
        hint = " (save it as .xlsx)" if suffix in (".xls", ".ods", ".numbers") else ""
        result.issues.append(Issue(path.name, f"unsupported file type {suffix!r}{hint}; "
                                              "expected .csv or .xlsx"))
        return result
    meta = _sidecar(path)
    region = meta.get("region") or default_region
    try:
        tables = _read_xlsx(path, sheet) if suffix in (".xlsx", ".xlsm") else [
            (None, _read_csv(path, result))]
    except _FileProblem as exc:
        result.issues.append(Issue(path.name, str(exc)))
        return result
    if not tables:
        result.issues.append(Issue(path.name, "no data: the file has no rows"))
    for sheet_name, rows in tables:
        records = _records(path.name, sheet_name, rows, result)
        for record in records:
            _validate(record, registry, region, result, today or dt.date.today())
    result.files.append({"file": path.name, "records": sum(1 for o in result.observations)})
    return result


class _FileProblem(Exception):
    pass


def _sidecar(path: Path) -> dict:
    import yaml
    side = path.with_name(path.stem + ".meta.yml")
    if not side.exists():
        return {}
    try:
        meta = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def decode_csv_bytes(data: bytes, name: str) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise _FileProblem("the file is binary (NUL bytes), not a CSV text; expected UTF-8 or "
                           "GB18030 text, or an .xlsx workbook")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise _FileProblem("cannot decode as UTF-8 or GB18030")


def _read_csv(path: Path, result: YearbookResult) -> list[tuple[int, list[object]]]:
    data = path.read_bytes()
    if not data.strip():
        raise _FileProblem("the file is empty; expected a header row and data rows")
    text, encoding = decode_csv_bytes(data, path.name)
    if encoding != "utf-8":
        result.warnings.append(Issue(path.name, f"decoded as {encoding.upper()} (not UTF-8)",
                                     severity="warning"))
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(i, row) for i, row in enumerate(reader, start=1)]


def _read_xlsx(path: Path, sheet: str | None) -> list[tuple[str, list[tuple[int, list[object]]]]]:
    import zipfile

    from openpyxl import load_workbook
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _FileProblem(f"cannot open as an .xlsx workbook ({type(exc).__name__}); "
                           "is it an .xls or a renamed file? Save it as .xlsx") from exc
    try:
        names = workbook.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise _FileProblem(f"no sheet {sheet!r}; sheets are {names}")
            names = [sheet]
        tables = []
        for name in names:
            ws = workbook[name]
            rows = [(i, [_excel_value(c) for c in cells]) for i, cells in
                    enumerate(ws.iter_rows(min_row=1), start=1)]
            if any(any(_present(v) for v in values) for _, values in rows):
                tables.append((name, rows))
        return tables
    finally:
        workbook.close()


def _excel_value(cell) -> object:
    """A cell's value; a number shown as a percentage (0.0682 formatted 0.00%) reads as 6.82%."""
    value = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return f"{value * 100:.10g}%"
    return value


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


# ---------------------------------------------------------------------------------------------
# table level: header detection, long and wide layouts

def _header_key(cell: object) -> str | None:
    if cell is None:
        return None
    text = str(cell).translate(one_to_one_table()).strip().lower()
    text = re.sub(r"\s+", " ", text)
    return _HEADER_LOOKUP.get(text)


def _records(file: str, sheet: str | None, rows: list[tuple[int, list[object]]],
             result: YearbookResult) -> list[_Record]:
    sheet_unit = ""
    header_at = None
    layout = None
    for position, (_row_no, cells) in enumerate(rows[:20]):
        keys = [_header_key(c) for c in cells]
        periods = [i for i, c in enumerate(cells) if _present(c) and keys[i] is None and is_year_header(c)]
        has_label = "indicator" in keys or "indicator_id" in keys
        if has_label and "year" in keys and "value" in keys:
            header_at, layout = position, "long"
            break
        if has_label and periods:
            header_at, layout = position, "wide"
            break
        for cell in cells:
            m = _SHEET_UNIT.search(str(cell or ""))
            if m:
                sheet_unit = canonical_unit(m.group("unit") or m.group("unit2"))
    if header_at is None:
        if not any(isinstance(c, (int, float)) or re.fullmatch(r"\s*-?\d+(\.\d+)?\s*%?", str(c or ""))
                   for _, cells in rows for c in cells if _present(c)):
            result.warnings.append(Issue(file, "sheet skipped: no header row and no numbers "
                                               "(a notes sheet?)", sheet=sheet, severity="warning"))
            return []
        result.issues.append(Issue(file, "no header row found in the first 20 rows: expected a "
                                         "column 指标/indicator and either 年份/year + 数值/value "
                                         "(long layout) or one column per year such as 2019 or "
                                         "2019年 (wide layout)", sheet=sheet))
        return []
    header_row_no, header = rows[header_at]
    keys = [_header_key(c) for c in header]
    columns: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key and key not in columns:
            columns[key] = index
    names = {key: str(header[i]).strip() for key, i in columns.items()}
    period_columns = [(i, header[i]) for i, c in enumerate(header)
                      if layout == "wide" and _present(c) and keys[i] is None and is_year_header(c)]

    def cell(cells: list[object], key: str) -> object:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def text(cells: list[object], key: str) -> str:
        value = cell(cells, key)
        return "" if value is None else str(value).strip()

    records: list[_Record] = []
    for row_no, cells in rows[header_at + 1:]:
        if not any(_present(c) for c in cells):
            continue
        label = text(cells, "indicator")
        indicator_id = text(cells, "indicator_id")
        common = dict(file=file, sheet=sheet, row=row_no, label=label, indicator_id=indicator_id,
                      region=text(cells, "region"), unit=text(cells, "unit") or sheet_unit,
                      source=text(cells, "source"), note=text(cells, "note"),
                      basis=text(cells, "basis"))
        if layout == "long":
            if not _present(cell(cells, "year")) and not _present(cell(cells, "value")):
                if label or indicator_id:
                    result.warnings.append(Issue(file, f"row without year or value skipped "
                                                       f"({(label or indicator_id)[:40]!r}: a note?)",
                                                 row=row_no, sheet=sheet, severity="warning"))
                continue
            if not (label or indicator_id):
                if any(_present(cell(cells, k)) for k in ("value", "year")):
                    result.issues.append(Issue(file, "a value without an indicator",
                                               row=row_no, column=names.get("indicator", "indicator"),
                                               sheet=sheet))
                continue
            records.append(_Record(period=cell(cells, "year"), value=cell(cells, "value"),
                                   columns={"value": names.get("value", "value"),
                                            "year": names.get("year", "year"),
                                            "indicator": names.get("indicator", names.get("indicator_id", "indicator")),
                                            "unit": names.get("unit", "unit"),
                                            "region": names.get("region", "region")},
                                   **common))
        else:
            values = [(i, head) for i, head in period_columns
                      if i < len(cells) and _present(cells[i])
                      and str(cells[i]).strip().lower() not in _MISSING]
            if not (label or indicator_id):
                if values:
                    result.issues.append(Issue(file, "values without an indicator", row=row_no,
                                               column=names.get("indicator", "indicator"), sheet=sheet))
                continue
            for index, head in values:
                records.append(_Record(period=head, value=cells[index],
                                       columns={"value": str(head).strip(), "year": str(head).strip(),
                                                "indicator": names.get("indicator", names.get("indicator_id", "indicator")),
                                                "unit": names.get("unit", "unit"),
                                                "region": names.get("region", "region")},
                                       **common))
    return records


# ---------------------------------------------------------------------------------------------
# record level

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
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text).replace(" ", "")
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text):
        return float(text), unit, warning
    return None, unit, warning


_LABEL_PREFIX = re.compile(r"^(?:[#＃*]+|其中[:：]?|\d{1,2}[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")


def clean_label(label: str) -> str:
    """Yearbook row labels carry indentation marks: `  #第一产业`, `其中：工业`, `1.`."""
    text = label.strip().strip("\u3000")
    previous = None
    while previous != text:
        previous = text
        text = _LABEL_PREFIX.sub("", text).strip()
    return text


def _validate(record: _Record, registry: Registry, default_region: str,
              result: YearbookResult, today: dt.date) -> None:
    where = dict(row=record.row, sheet=record.sheet)
    label_text = record.indicator_id or record.label
    label, label_unit = clean_label(record.label), ""
    m = _UNIT_IN_LABEL.match(label)
    if m and known_unit(m.group("unit")):
        label, label_unit = m.group("label"), canonical_unit(m.group("unit"))
    found = registry.match_with_measure(record.indicator_id) if record.indicator_id else None
    if found is None and label:
        found = registry.match_with_measure(label)
    if found is None:
        near = registry.nearest(label or record.indicator_id)
        hint = f"; nearest known: {', '.join(near)}" if near else ""
        result.issues.append(Issue(record.file, f"unknown indicator {label_text!r}{hint} "
                                   "(add it as an alias in indicators.csv if it is one of these)",
                                   column=record.columns["indicator"], **where))
        return
    indicator, measure = found
    measure = measure or "level"
    try:
        period = parse_period(record.period)
    except PeriodError as exc:
        result.issues.append(Issue(record.file, str(exc), column=record.columns["year"], **where))
        return
    if not 1949 <= period.year <= today.year:
        result.issues.append(Issue(record.file, f"year {period.year} is out of range "
                                   f"(expected 1949–{today.year})", column=record.columns["year"],
                                   **where))
        return
    if isinstance(record.value, str) and record.value.strip().lower() in _MISSING:
        result.exclusions.append(_exclusion(record, "no value (blank or dash)"))
        return
    if isinstance(record.value, str) and ":" in record.value.translate(one_to_one_table()) and indicator.parts:
        _split_structure(record, indicator, period, registry, default_region, result, today)
        return
    number, text_unit, warning = parse_number(record.value)
    if number is None:
        result.issues.append(Issue(record.file, f"value {record.value!r} is not a number; expected "
                                   "digits such as 3140.2 (a % sign is allowed)",
                                   column=record.columns["value"], **where))
        return
    if warning:
        result.warnings.append(Issue(record.file, warning, column=record.columns["value"],
                                     severity="warning", **where))
    unit = canonical_unit(record.unit or text_unit or label_unit)
    target_unit = "%" if measure in GROWTH_MEASURES else indicator.unit
    if not unit:
        if measure in GROWTH_MEASURES:
            unit = "%"
        elif indicator.unit or indicator.kind == "index":
            unit = indicator.unit
        else:
            result.issues.append(Issue(record.file, f"unit missing for {indicator.name_zh} and the "
                                       "registry has none to supply", column=record.columns["unit"],
                                       **where))
            return
    if not known_unit(unit):
        result.issues.append(Issue(record.file, f"unknown unit {unit!r}; expected one such as "
                                   f"{target_unit or '%'}", column=record.columns["unit"], **where))
        return
    if not compatible(unit, target_unit):
        result.issues.append(Issue(record.file, f"unit {unit!r} cannot be converted to "
                                   f"{target_unit!r}, the unit of {indicator.id} "
                                   f"({indicator.name_zh}{'' if measure == 'level' else ', ' + measure})",
                                   column=record.columns["unit"], **where))
        return
    value = convert(number, unit, target_unit)
    problem = _impossible(indicator, measure, value)
    if problem:
        result.issues.append(Issue(record.file, problem, column=record.columns["value"], **where))
        return
    written = record.region.strip()
    if written in ("全市", "本市", "我市", "市"):
        written = ""
    region = canonical_region(written or default_region)
    if not region:
        result.issues.append(Issue(record.file, "region missing and no default region (set "
                                   "`region:` in the file's .meta.yml sidecar)",
                                   column=record.columns["region"], **where))
        return
    basis = record.basis or basis_from_note(record.note) or default_basis(indicator, period.year)
    result.observations.append(_observation(record, indicator, measure, period, value,
                                            target_unit, region, basis))


def _impossible(indicator: Indicator, measure: str, value: float) -> str:
    if measure != "level":
        return ""
    if indicator.kind == "share" and not 0 <= value <= 100:
        return f"{value:g} is impossible for a share ({indicator.name_zh}); expected 0–100"
    if indicator.kind in ("count", "level") and value < 0:
        return f"{value:g} is negative; {indicator.name_zh} cannot be negative"
    return ""


def _observation(record: _Record, indicator: Indicator, measure: str, period: Period,
                 value: float, unit: str, region: str, basis: str) -> dict:
    detail = record.file + (f", sheet {record.sheet}" if record.sheet else "") + \
        f", row {record.row}, column {record.columns['value']}"
    return {"indicator_id": indicator.id, "region": region, "year": period.year,
            "value": value, "unit": unit, "measure": measure, "basis": basis,
            "source": f"yearbook:{record.file}", "source_detail": detail,
            "note": record.note, "period": period.label, "period_kind": period.kind,
            "label": record.label or record.indicator_id, "origin": record.source,
            "_row": (record.file, record.sheet, record.row)}


def _exclusion(record: _Record, reason: str) -> dict:
    detail = record.file + (f", sheet {record.sheet}" if record.sheet else "") + f", row {record.row}"
    return {"source": f"yearbook:{record.file}", "source_detail": detail,
            "indicator": record.label or record.indicator_id, "year": str(record.period),
            "value": "" if record.value is None else str(record.value), "reason": reason}


def _split_structure(record: _Record, indicator: Indicator, period: Period, registry: Registry,
                     default_region: str, result: YearbookResult, today: dt.date) -> None:
    parts = [p.strip() for p in str(record.value).translate(one_to_one_table()).split(":")]
    if len(parts) != len(indicator.parts):
        result.issues.append(Issue(record.file, f"{record.value!r} has {len(parts)} parts; "
                                   f"{indicator.name_zh} has {len(indicator.parts)}",
                                   row=record.row, column=record.columns["value"], sheet=record.sheet))
        return
    for part_id, text in zip(indicator.parts, parts, strict=True):
        part = registry.get(part_id)
        sub = _Record(**{**record.__dict__, "indicator_id": part_id, "label": part.name_zh,
                         "value": text, "unit": "%"})
        _validate(sub, registry, default_region, result, today)


def _check_duplicates(result: YearbookResult, registry: Registry) -> None:
    """The same cell twice in one file: identical → exclusion; within rounding → keep the more
    precise; else an error. Across files a later file revises an earlier one (see panel)."""
    seen: dict[tuple, dict] = {}
    kept = []
    for obs in result.observations:
        basis = basis_key(registry.indicators.get(obs["indicator_id"]), obs["basis"])
        key = (obs["source"], obs["indicator_id"], obs["region"], obs["period"], obs["measure"], basis)
        first = seen.get(key)
        if first is None:
            seen[key] = obs
            kept.append(obs)
            continue
        if agree(first["value"], obs["value"]):
            winner, loser = (first, obs) if decimals(first["value"]) >= decimals(obs["value"]) else (obs, first)
            reason = ("duplicate of " if first["value"] == obs["value"] else
                      "agrees within rounding with ") + winner["source_detail"]
            result.exclusions.append(_obs_exclusion(loser, reason))
            if winner is obs:
                kept[kept.index(first)] = obs
                seen[key] = obs
            continue
        file, sheet, row = obs["_row"]
        result.issues.append(Issue(file, f"the same cell twice with different values: "
                                   f"{first['value']:g} ({first['source_detail']}) and "
                                   f"{obs['value']:g} for {obs['indicator_id']} {obs['region']} "
                                   f"{obs['period']}", row=row, sheet=sheet))
    result.observations = kept


def _obs_exclusion(obs: dict, reason: str) -> dict:
    return {"source": obs["source"], "source_detail": obs["source_detail"],
            "indicator": obs["label"], "year": obs["period"], "value": f"{obs['value']:g}",
            "reason": reason}
