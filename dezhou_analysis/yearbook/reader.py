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

from dezhou_analysis.core.breaks import basis_from_note, basis_key, default_basis
from dezhou_analysis.core.errors import InputError, Issue
from dezhou_analysis.core.indicators import Indicator, Registry, default_registry
from dezhou_analysis.core.periods import Period, PeriodError, parse_period, partial_period_in_note
from dezhou_analysis.core.rawfiles import (
    RawFileError,
    checked_path,
    clean_tables,
    decode_bytes,
    read_raw_bytes,
    read_sidecar_file,
    shown,
)
from dezhou_analysis.core.regions import canonical_region
from dezhou_analysis.core.rounding import agree, decimals
from dezhou_analysis.core.text import one_to_one_table
from dezhou_analysis.core.units import canonical_unit, compatible, convert, known_unit
from dezhou_analysis.yearbook.layout import MISSING, Record, read_table
from dezhou_analysis.yearbook.workbooks import FormulaCell, WorkbookError, read_workbook

SUPPORTED = (".csv", ".xlsx", ".xlsm", ".xls", ".tsv", ".txt")
WORKBOOKS = (".xlsx", ".xlsm", ".xls")
IGNORED_SUFFIXES = (".yml", ".yaml", ".md")
NOT_DATA = (".pdf", ".doc", ".docx", ".png", ".jpg", ".jpeg", ".gif", ".html", ".htm")

_FOOTNOTE = re.compile(r"(?<=\d)\s*(?:\*+|[①②③④⑤⑥⑦⑧⑨⑩]|\[\d+\]|（注\d*）|\(注\d*\))$")
_ASIDE = re.compile(r"\s*[（(][^（）()]{1,12}[)）]")
_UNIT_IN_LABEL = re.compile(r"^(?P<label>.+?)\s*[（(](?P<unit>[^（）()]{1,10})[)）]\s*$")
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


# ---------------------------------------------------------------------------------------------
# file level

def yearbook_files(directory: str | Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if not p.is_dir() and not p.name.startswith((".", "~$"))
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
    result.issues = _once(result.issues)
    result.warnings = _once(result.warnings)
    return result


def _once(issues: list[Issue]) -> list[Issue]:
    """A wide row repeats its row-level problem once per year column: say it once. The same
    problem on many rows (an unknown label in every year of a long file) is one line with the
    rows listed."""
    seen: set[str] = set()
    unique = [i for i in issues if not (str(i) in seen or seen.add(str(i)))]
    groups: dict[tuple, list[Issue]] = {}
    for issue in unique:
        groups.setdefault((issue.file, issue.sheet, issue.column, issue.message, issue.severity),
                          []).append(issue)
    out = []
    for issue in unique:
        group = groups[(issue.file, issue.sheet, issue.column, issue.message, issue.severity)]
        rows = [i.row for i in group if i.row is not None]
        if len(rows) < 3:
            out.append(issue)
        elif issue is group[0]:
            out.append(Issue(issue.file, f"{issue.message} — in {len(rows)} rows: {_row_ranges(rows)}",
                             column=issue.column, sheet=issue.sheet, severity=issue.severity))
    return out


def _row_ranges(rows: list[int]) -> str:
    """[2, 3, 4, 7] → "2–4, 7"."""
    rows = sorted(set(rows))
    spans, start, previous = [], rows[0], rows[0]
    for row in rows[1:] + [None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        spans.append(str(start) if start == previous else f"{start}–{previous}")
        if row is not None:
            start = previous = row
    return ", ".join(spans)


def read_yearbook(path: str | Path, registry: Registry | None = None, default_region: str = "",
                  sheet: str | None = None, today: dt.date | None = None) -> YearbookResult:
    registry = registry or default_registry()
    path = Path(path)
    result = YearbookResult()
    suffix = path.suffix.lower()
    if not path.exists():
        result.issues.append(Issue(str(path), "no such file"))
        return result
    if suffix in NOT_DATA:
        result.warnings.append(Issue(path.name, "left out: a document or picture, not a data file",
                                     severity="warning"))
        return result
    if suffix not in SUPPORTED:
        hint = " (save it as .xlsx)" if suffix in (".ods", ".numbers", ".et", ".wps") else ""
        result.issues.append(Issue(path.name, f"unsupported file type {suffix!r}{hint}; "
                                              "expected .csv, .xlsx or .xls"))
        return result
    try:
        meta = read_sidecar_file(path)
        checked_path(path)
        tables = read_workbook(path, sheet) if suffix in WORKBOOKS else [
            (None, _read_csv(path, result))]
    except (_FileProblem, WorkbookError, RawFileError) as exc:
        result.issues.append(Issue(shown(path.name), str(exc).removeprefix(f"{shown(path.name)}: ")))
        return result
    region = str(meta.get("region") or "") or default_region
    tables = clean_tables(path.name, tables, result.warnings)
    if not tables:
        result.issues.append(Issue(path.name, "no data: the file has no rows"))
    for sheet_name, rows in tables:
        table = read_table(path.name, sheet_name, rows)
        result.issues.extend(table.issues)
        result.warnings.extend(table.warnings)
        for record in table.records:
            _validate(record, registry, region, result, today or dt.date.today())
    result.files.append({"file": path.name, "records": sum(1 for o in result.observations)})
    return result


class _FileProblem(Exception):
    pass


def decode_csv_bytes(data: bytes, name: str) -> tuple[str, str]:
    return decode_bytes(data, "", "not a CSV text; expected UTF-8 or GB18030 text, or an .xlsx "
                                  "workbook")


def _read_csv(path: Path, result: YearbookResult) -> list[tuple[int, list[object]]]:
    data = read_raw_bytes(path)
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(i, row) for i, row in enumerate(reader, start=1)]
    except csv.Error as exc:  # e.g. a quote left open; the reader says where it gave up
        raise _FileProblem(f"cannot read as CSV near line {reader.line_num} ({exc}); "
                           "expected one row per line, fields with commas in double quotes") from exc


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
    text = re.sub(r"\s+", "", re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)).replace("\u2212", "-")
    if not unit:
        written = re.fullmatch(r"([-+]?[\d.]+)([^\d.%‰]{1,6})", text)
        if written and known_unit(written.group(2)):  # 3078.99亿元
            text, unit = written.group(1), canonical_unit(written.group(2))
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


def _validate(record: Record, registry: Registry, default_region: str,
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
    if found is None and _ASIDE.search(label):  # 研究与试验发展(R&D)经费支出, 地区生产总值(现价)
        found = registry.match_with_measure(_ASIDE.sub("", label))
    if found is None:
        near = registry.nearest(label or record.indicator_id)
        hint = f"; nearest known: {', '.join(near)}" if near else ""
        result.issues.append(Issue(record.file, f"unknown indicator {label_text!r}{hint} "
                                   "(add it to that indicator's aliases in dezhou_analysis/package_data/"
                                   "indicators.csv if it is one of "
                                   "these, or as a new row of its own if it is none)",
                                   column=record.columns["indicator"], **where))
        return
    indicator, measure = found
    if record.measure and measure:
        result.exclusions.append(_exclusion(record, f"a {record.measure} column on a row that is "
                                                    f"already a {measure} ({label_text})"))
        return
    measure = record.measure or measure or "level"
    try:
        period = parse_period(record.period)
    except PeriodError as exc:
        result.issues.append(Issue(record.file, str(exc), column=record.columns["year"], **where))
        return
    said = partial_period_in_note(period.year, record.note) if period.is_annual else None
    if said is not None:  # "first half only" beside 2018: a half-year value, never fitted as annual
        period = Period(said.year, said.kind, said.label, said.start_year, period.status)
        result.warnings.append(Issue(record.file, f"taken as {period.label}, not a whole year: the note "
                                     f"says {record.note[:40]!r}", column=record.columns["year"],
                                     severity="warning", **where))
    if not 1949 <= period.year <= today.year:
        result.issues.append(Issue(record.file, f"year {period.year} is out of range "
                                   f"(expected 1949–{today.year})", column=record.columns["year"],
                                   **where))
        return
    if isinstance(record.value, str) and record.value.strip().lower() in MISSING:
        result.exclusions.append(_exclusion(record, "no value (blank or dash)"))
        return
    if isinstance(record.value, str) and ":" in record.value.translate(one_to_one_table()) and indicator.parts:
        _split_structure(record, indicator, period, registry, default_region, result, today)
        return
    if isinstance(record.value, FormulaCell):
        result.issues.append(Issue(record.file, f"a formula ({record.value[:30]}) whose result the file "
                                   "does not hold; open the file in Excel or WPS and save it",
                                   column=record.columns["value"], **where))
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
    if text_unit and record.unit and canonical_unit(record.unit) != text_unit:
        result.issues.append(Issue(record.file, f"the value {record.value!r} says {text_unit} but the "
                                   f"unit column says {record.unit}; expected one unit",
                                   column=record.columns["value"], **where))
        return
    if label_unit and record.unit and canonical_unit(record.unit) != label_unit and not record.measure:
        result.issues.append(Issue(record.file, f"the label {record.label!r} says {label_unit} but the "
                                   f"unit column says {record.unit}; expected one unit",
                                   column=record.columns["unit"], **where))
        return
    unit = canonical_unit(text_unit or record.unit or label_unit or record.sheet_unit)
    target_unit = ("%" if measure in GROWTH_MEASURES else "个百分点" if measure == "pp_change"
                   else indicator.unit)
    if not unit:
        if measure in GROWTH_MEASURES or measure == "pp_change":
            unit = target_unit
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
    if written in ("全市", "本市", "我市", "市", "合计", "总计", "全市合计", "全市总计"):
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


def _observation(record: Record, indicator: Indicator, measure: str, period: Period,
                 value: float, unit: str, region: str, basis: str) -> dict:
    detail = record.file + (f", sheet {record.sheet}" if record.sheet else "") + \
        f", row {record.row}, column {record.columns['value']}"
    return {"indicator_id": indicator.id, "region": region, "year": period.year,
            "value": value, "unit": unit, "measure": measure, "basis": basis,
            "source": f"yearbook:{record.file}", "source_detail": detail,
            "note": "; ".join(t for t in (record.note, period.status) if t),
            "period": period.label, "period_kind": period.kind,
            "label": record.label or record.indicator_id, "origin": record.source,
            "_row": (record.file, record.sheet, record.row)}


def _exclusion(record: Record, reason: str) -> dict:
    detail = record.file + (f", sheet {record.sheet}" if record.sheet else "") + f", row {record.row}"
    return {"source": f"yearbook:{record.file}", "source_detail": detail,
            "indicator": record.label or record.indicator_id, "year": str(record.period),
            "value": "" if record.value is None else str(record.value), "reason": reason}


def _split_structure(record: Record, indicator: Indicator, period: Period, registry: Registry,
                     default_region: str, result: YearbookResult, today: dt.date) -> None:
    parts = [p.strip() for p in str(record.value).translate(one_to_one_table()).split(":")]
    if len(parts) != len(indicator.parts):
        result.issues.append(Issue(record.file, f"{record.value!r} has {len(parts)} parts; "
                                   f"{indicator.name_zh} has {len(indicator.parts)}",
                                   row=record.row, column=record.columns["value"], sheet=record.sheet))
        return
    for part_id, text in zip(indicator.parts, parts, strict=True):
        part = registry.get(part_id)
        sub = Record(**{**record.__dict__, "indicator_id": part_id, "label": part.name_zh,
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
