"""Atomic writes and checksums: a crash never leaves a half-written output behind."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a frame is written, not by every user of digests
    import pandas as pd


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MB blocks (inputs may be large)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def md5_file(path: str | Path) -> str:
    """md5 of a file: what sidecars and manifests record for inputs."""
    return file_digest(path, "md5")


def sha256_file(path: str | Path) -> str:
    """sha256 of a file: what manifests record for outputs."""
    return file_digest(path, "sha256")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; it replaces `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text that is byte-identical for identical frames (fixed float format, LF endings).

    Text that a spreadsheet would run as a formula is neutralised (see `spreadsheet_safe`).
    """
    return spreadsheet_safe(frame).to_csv(index=False, lineterminator="\n",
                                          float_format=_float_format)


#: what makes a spreadsheet read a cell as a formula (OWASP, "CSV injection")
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?$")


def formula_like(value: object) -> bool:
    """Text a spreadsheet would evaluate: it starts with = + - @, a tab or a carriage return
    and is not simply a signed number (-3.5 stays a number)."""
    return (isinstance(value, str) and _FORMULA_START.match(value) is not None
            and _NUMBER.match(value) is None)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every formula-like text cell prefixed by a single quote, as OWASP
    recommends for CSV: Excel, WPS and LibreOffice then show the text and run nothing. Numbers
    and ordinary text are untouched, so tables without such cells are written byte for byte as
    before; the XLSX beside each CSV keeps the raw text (as a text cell)."""
    changed = {}
    for column in frame.columns:
        series = frame[column]
        if series.dtype.kind in "biufcmM":
            continue
        mask = series.map(formula_like).astype(bool)
        if mask.any():
            changed[column] = series.where(~mask, "'" + series.astype(object).astype(str))
    return frame.assign(**changed) if changed else frame


def _float_format(value: float) -> str:  # pandas passes floats only
    text = f"{value:.10g}"
    return text


def write_csv_atomic(target: str | Path, frame: pd.DataFrame) -> Path:
    return write_text_atomic(target, frame_to_csv_text(frame))


@contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Build a directory under a temporary name; swap it into place only when complete.

    The previous directory (if any) survives until the new one is whole, so a killed run
    leaves either the old or the new version, never a mixture.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
        replace_directory(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _backup_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def recover_directory(target: str | Path) -> None:
    """Undo a swap that was killed half-way: put the previous version back if the new is missing."""
    target = Path(target)
    backup = _backup_of(target)
    if backup.exists():
        if target.exists():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(backup, target)


def replace_directory(source: Path, target: Path) -> None:
    """Move `source` onto `target`; the old `target` is kept as a backup until the rename is done."""
    recover_directory(target)
    backup = _backup_of(target)
    if target.exists():
        os.replace(target, backup)
    os.replace(source, target)
    shutil.rmtree(backup, ignore_errors=True)


def update_directory(target: str | Path, files: dict[str, bytes]) -> Path:
    """Replace some files of a directory so that readers see all of them change or none.

    Everything else in the directory is carried over (hard-linked, so nothing is copied), dot
    files included. A directory that also holds subdirectories or links is not a folder of
    output files (a user's own folder given as --out): there each file is replaced on its own,
    atomically, and nothing else is touched.
    """
    target = Path(target)
    recover_directory(target)
    entries = list(target.iterdir()) if target.exists() else []
    if any(item.is_symlink() or not item.is_file() for item in entries):
        for name, data in files.items():
            write_bytes_atomic(target / name, data)
        return target
    with atomic_directory(target) as staging:
        for item in entries:
            if item.name not in files:
                _link_or_copy(item, staging / item.name)
        for name, data in files.items():
            (staging / name).write_bytes(data)
    return target


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


#: rows an Excel sheet holds, the header included
EXCEL_MAX_ROWS = 1_048_576


def _cell(value):
    """A value openpyxl can write: missing values empty, numpy scalars as Python numbers, text
    without the control characters a cell cannot hold."""
    import pandas as pd
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_parts(name: str, frame: pd.DataFrame, max_rows: int = EXCEL_MAX_ROWS - 1) -> list[tuple[str, pd.DataFrame]]:
    """A table as (sheet name, rows) parts that each fit one Excel sheet: a table over Excel's
    row limit continues on sheets `name (2)`, `name (3)`, … (its CSV holds it whole)."""
    if len(frame) <= max_rows:
        return [(name[:31], frame)]
    count = -(-len(frame) // max_rows)
    return [((name[:31] if i == 0 else f"{name[:24]} ({i + 1})"), frame.iloc[i * max_rows:(i + 1) * max_rows])
            for i in range(count)]


def _write_sheet(workbook, name: str, frame: pd.DataFrame) -> None:
    """One sheet, streamed (write-only mode, so a large table is not held as cell objects).
    Text is always a text cell: a note `=HYPERLINK(…)` shows as written and never runs."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    sheet = workbook.create_sheet(title=name)
    bold = Font(bold=True)
    header = []
    for column in frame.columns:
        cell = WriteOnlyCell(sheet, value=_cell(str(column)))
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    for record in frame.astype(object).itertuples(index=False):
        values = [_cell(v) for v in record]
        if any(isinstance(v, str) and v.startswith("=") for v in values):
            sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in values])
        else:
            sheet.append(values)


def _text_cell(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would make "=…" a formula
    return cell


def xlsx_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook whose bytes depend only on the data (no timestamps inside).

    A table longer than one sheet continues on further sheets, and a first sheet `about`
    says so."""
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    parts = [(name, part) for table, frame in frames.items() for name, part in sheet_parts(table, frame)]
    if len(parts) > len(frames):
        _write_sheet(workbook, "about", pd.DataFrame({"note": [
            f"{table}: {len(frame)} rows, more than one Excel sheet holds "
            f"({EXCEL_MAX_ROWS - 1} rows); continued on the following sheets. The CSV holds the "
            "whole table." for table, frame in frames.items() if len(frame) >= EXCEL_MAX_ROWS]}))
    for name, part in parts:
        _write_sheet(workbook, name, part)
    fixed = dt.datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "dezhou-analysis"
    raw = io.BytesIO()
    workbook.save(raw)
    return _stable_zip(raw.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The workbook's zip rewritten with fixed times and order, so equal data give equal bytes."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            stable = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            stable.compress_type = zipfile.ZIP_DEFLATED
            stable.external_attr = 0o644 << 16
            target.writestr(stable, data)
    return out.getvalue()
