"""Workbooks into rows: .xlsx with openpyxl, legacy .xls (still what many statistics bureaus
publish) with xlrd. The file's bytes, not its name, say which it is; an HTML table saved with an
.xls name (a common export of statistics web sites) is named as such.

Each sheet becomes (name, [(row number, [cell values])]); a number shown as a percentage
(0.0682 formatted 0.00%) reads as "6.82%", as the reader of the sheet sees it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from dezhou_analysis.core.rawfiles import check_workbook

Rows = list[tuple[int, list[object]]]

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class WorkbookError(Exception):
    """The file cannot be read as a workbook; the message says what it is instead."""


def read_workbook(path: Path, sheet: str | None = None) -> list[tuple[str, Rows]]:
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(_XLSX_MAGIC):
        check_workbook(path)
        tables = _read_xlsx(path, sheet)
    elif head.startswith(_XLS_MAGIC):
        tables = _read_xls(path, sheet)
    elif head.lstrip().lower().startswith((b"<", b"\xef\xbb\xbf<")):
        raise WorkbookError("this is a web page (HTML) saved with a spreadsheet name, not a "
                            "workbook; open it in Excel or WPS and save it as .xlsx")
    else:
        raise WorkbookError("not a workbook (its first bytes are neither .xlsx nor .xls); is it "
                            "a renamed file? Save it as .xlsx")
    return [(name, rows) for name, rows in tables if any(_present(v) for _, values in rows for v in values)]


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _select(names: list[str], sheet: str | None) -> list[str]:
    if sheet is None:
        return names
    if sheet not in names:
        raise WorkbookError(f"no sheet {sheet!r}; sheets are {names}")
    return [sheet]


def _percent(value: object, number_format: str) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in number_format:
        return f"{value * 100:.10g}%"
    return value


def _read_xlsx(path: Path, sheet: str | None) -> list[tuple[str, Rows]]:
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise WorkbookError(f"cannot open as an .xlsx workbook ({type(exc).__name__}); "
                            "is it damaged or a renamed file? Save it as .xlsx") from exc
    try:
        tables = []
        for name in _select(workbook.sheetnames, sheet):
            rows = [(i, [_percent(getattr(c, "value", None), getattr(c, "number_format", "") or "")
                         for c in cells])
                    for i, cells in enumerate(workbook[name].iter_rows(min_row=1), start=1)]
            tables.append((name, rows))
    finally:
        workbook.close()
    return _with_unsaved_formulas(path, tables) if _has_formulas(path) else tables


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any sheet holds a formula: a scan of the sheets' XML, so the second, slower
    load of the workbook happens only for the files that need it."""
    with zipfile.ZipFile(path) as archive:
        return any(_FORMULA_TAG.search(archive.read(name)) for name in archive.namelist()
                   if name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _with_unsaved_formulas(path: Path, tables: list[tuple[str, Rows]]) -> list[tuple[str, Rows]]:
    """A formula whose result was never saved (a file written by a script, not by Excel) reads
    as empty; put the formula itself in the cell so the reader reports it instead of losing it."""
    from openpyxl import load_workbook
    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        out = []
        for name, rows in tables:
            by_row = dict(enumerate(formulas[name].iter_rows(min_row=1, values_only=True), start=1))
            filled = []
            for number, values in rows:
                written = by_row.get(number, ())
                filled.append((number, [
                    FormulaCell(written[i]) if value is None and i < len(written)
                    and isinstance(written[i], str) and written[i].startswith("=") else value
                    for i, value in enumerate(values)]))
            out.append((name, filled))
        return out
    finally:
        formulas.close()


class FormulaCell(str):
    """The text of a formula whose result the file does not hold."""


def _read_xls(path: Path, sheet: str | None) -> list[tuple[str, Rows]]:
    import xlrd
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, OSError, AssertionError, IndexError, KeyError, ValueError) as exc:
        raise WorkbookError(f"cannot open as an .xls workbook ({type(exc).__name__}: "
                            f"{str(exc)[:80]}); save it as .xlsx") from exc
    try:
        tables = []
        for name in _select(book.sheet_names(), sheet):
            ws = book.sheet_by_name(name)
            rows = [(r + 1, [_xls_value(book, ws.cell(r, c)) for c in range(ws.ncols)])
                    for r in range(ws.nrows)]
            tables.append((name, rows))
        return tables
    finally:
        book.release_resources()


def _xls_value(book, cell) -> object:
    import xlrd
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        xf = book.xf_list[cell.xf_index]
        fmt = book.format_map.get(xf.format_key)
        value = int(cell.value) if float(cell.value).is_integer() else cell.value
        return _percent(value, fmt.format_str if fmt else "")
    return cell.value
