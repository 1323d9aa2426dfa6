"""Yearbook files in: CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX, long or wide, Chinese or
English headers. Every problem is reported with its file, sheet, row and column, all at once.

Nothing is dropped quietly, and nothing in one row stops the others: a row either becomes an
observation, or an exclusion with its reason (set aside: a problem `validate` lists; or a blank
or duplicate: no problem). Only a file that cannot be read at all is skipped, with a message,
and the other files are still read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from dezhou_analysis.core.breaks import basis_key
from dezhou_analysis.core.errors import Issue
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.core.rawfiles import (
    RawFileError,
    checked_path,
    clean_tables,
    decode_bytes,
    read_raw_bytes,
    read_sidecar_file,
    shown,
)
from dezhou_analysis.core.rounding import agree, decimals
from dezhou_analysis.yearbook.layout import read_table
from dezhou_analysis.yearbook.registry import LOCAL_REGISTRY
from dezhou_analysis.yearbook.result import (
    DUPLICATE,
    SET_ASIDE,
    YearbookResult,
    observation_exclusion,
)
from dezhou_analysis.yearbook.rows import RowContext, clean_label, parse_number, read_record
from dezhou_analysis.yearbook.workbooks import WorkbookError, read_workbook

__all__ = ["YearbookResult", "clean_label", "parse_number", "read_yearbook", "read_yearbooks",
           "yearbook_files", "decode_csv_bytes"]

SUPPORTED = (".csv", ".xlsx", ".xlsm", ".xls", ".tsv", ".txt")
WORKBOOKS = (".xlsx", ".xlsm", ".xls")
IGNORED_SUFFIXES = (".yml", ".yaml", ".md")
NOT_DATA = (".pdf", ".doc", ".docx", ".png", ".jpg", ".jpeg", ".gif", ".html", ".htm")


# ---------------------------------------------------------------------------------------------
# file level

def yearbook_files(directory: str | Path) -> list[Path]:
    """The data files of a yearbook folder: not sidecars, notes, hidden files or the project's
    own registry extension."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if not p.is_dir() and not p.name.startswith((".", "~$"))
                  and p.suffix.lower() not in IGNORED_SUFFIXES and p.name != LOCAL_REGISTRY)


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
    """One file: its sheets, their records, each record read or set aside."""
    registry = registry or default_registry()
    path = Path(path)
    result = YearbookResult()
    found = _tables(path, sheet, result)
    if found is None:
        return result
    tables, meta = found
    ctx = RowContext(registry, str(meta.get("region") or "") or default_region, today or dt.date.today(),
                     _exchange_rates(meta.get("usd_cny")))
    for sheet_name, rows in tables:
        table = read_table(path.name, sheet_name, rows)
        _layout_problems(table.issues, result)
        result.warnings.extend(table.warnings)
        for record in table.records:
            read_record(record, ctx, result)
    result.files.append({"file": path.name, "records": len(result.observations)})
    return result


def _tables(path: Path, sheet: str | None, result: YearbookResult) -> tuple[list, dict] | None:
    """The file's sheets as rows and its sidecar, or None when the file cannot be read at all
    (said in result)."""
    suffix = path.suffix.lower()
    if not path.exists():
        result.skip_file(str(path), "no such file")
        return None
    if suffix in NOT_DATA:
        result.warnings.append(Issue(path.name, "left out: a document or picture, not a data file",
                                     severity="warning"))
        return None
    if suffix not in SUPPORTED:
        hint = " (save it as .xlsx)" if suffix in (".ods", ".numbers", ".et", ".wps") else ""
        result.skip_file(path.name, f"unsupported file type {suffix!r}{hint}; expected .csv, .xlsx or .xls")
        return None
    try:
        meta = read_sidecar_file(path)
        checked_path(path)
        tables = read_workbook(path, sheet) if suffix in WORKBOOKS else [(None, _read_csv(path, result))]
    except (_FileProblem, WorkbookError, RawFileError) as exc:
        result.skip_file(shown(path.name), str(exc).removeprefix(f"{shown(path.name)}: "))
        return None
    tables = clean_tables(path.name, tables, result.warnings)
    if not tables:
        result.skip_file(path.name, "no data: the file has no rows")
    return tables, meta


def _layout_problems(issues: list[Issue], result: YearbookResult) -> None:
    """What the layout reader found: a sheet without a header is skipped, a row without a label
    set aside; both are problems."""
    for issue in issues:
        if issue.row is None:
            result.skip_file(issue.file, issue.message, issue.sheet)
            continue
        result.issues.append(issue)
        result.exclusions.append({
            "source": f"yearbook:{issue.file}", "source_detail": issue.where(), "file": issue.file,
            "sheet": issue.sheet or "", "row": issue.row, "column": issue.column or "",
            "indicator": "", "year": "", "value": "", "kind": SET_ASIDE, "reason": issue.message,
            "nearest": "", "suggestion": ""})


def _exchange_rates(value: object) -> dict[int, float]:
    """`usd_cny: 6.9` (any year) or `usd_cny: {2020: 6.8976, 2021: 6.4515}` from a sidecar."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {0: float(value)}
    if isinstance(value, dict):
        return {int(k): float(v) for k, v in value.items()
                if str(k).isdigit() and isinstance(v, (int, float))}
    return {}


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
# the same cell twice

def _check_duplicates(result: YearbookResult, registry: Registry) -> None:
    """The same cell twice in one file. Identical, or equal within rounding: the more precise is
    kept and the other dropped quietly (an exclusion, no problem). Different values are both
    kept: the panel chooses between them by its stated rule and lists the pair in conflicts.csv,
    as it does for two files. The same source giving two values is said as a warning."""
    seen: dict[tuple, list[dict]] = {}
    kept = []
    for obs in result.observations:
        basis = basis_key(registry.indicators.get(obs["indicator_id"]), obs["basis"])
        key = (obs["source"], obs["indicator_id"], obs["region"], obs["period"], obs["measure"], basis)
        earlier = seen.setdefault(key, [])
        same = next((first for first in earlier if agree(first["value"], obs["value"])), None)
        if same is None:
            _same_source_warning(earlier, obs, result)
            earlier.append(obs)
            kept.append(obs)
            continue
        winner, loser = (same, obs) if decimals(same["value"]) >= decimals(obs["value"]) else (obs, same)
        how = "duplicate of " if same["value"] == obs["value"] else "agrees within rounding with "
        result.exclusions.append(observation_exclusion(loser, how + winner["source_detail"], DUPLICATE))
        if winner is obs:
            kept[kept.index(same)] = obs
            earlier[earlier.index(same)] = obs
    result.observations = kept


def _same_source_warning(earlier: list[dict], obs: dict, result: YearbookResult) -> None:
    for first in earlier:
        if (first.get("origin") or "") != (obs.get("origin") or ""):
            continue
        file, sheet, row = obs["_row"]
        origin = f" ({obs['origin']})" if obs.get("origin") else ""
        result.warnings.append(Issue(
            file, f"the same cell twice with different values from the same source{origin}: "
                  f"{first['value']:g} ({first['source_detail']}) and {obs['value']:g} "
                  f"({obs['source_detail']}) for {obs['indicator_id']} {obs['region']} "
                  f"{obs['period']} ({obs['measure']}, {obs['unit']}); the later row is kept, "
                  "both are in conflicts.csv", row=row, sheet=sheet, severity="warning"))
