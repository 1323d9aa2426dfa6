"""Reading raw inputs safely: the one door every document, yearbook file and sidecar comes in by.

A raw file is read only if it is a regular file inside its data folder (a symlink that leads out
of it, a device or a named pipe is refused with a message), and only up to a size that the
README states: a small file must never be able to exhaust the machine. Sidecars are YAML read
with the safe loader, without aliases ("billion laughs") and under a size cap; a sidecar that
is not valid YAML is an error naming its file and line, never silently ignored.

Limits can be raised for one run with `--max-input-mb` (or DEZHOU_MAX_INPUT_MB in the
environment, which notebooks started by the runner inherit).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from dezhou_analysis.core.errors import DocumentError

#: megabytes one raw file may have unless raised (the README states this figure)
DEFAULT_FILE_MB = 256
#: megabytes all raw files of one run may have together, unless raised
DEFAULT_RUN_MB = 1024
#: kilobytes a `.meta.yml` sidecar may have (real ones are under 1 KB)
SIDECAR_KB = 64
LIMIT_VARIABLE = "DEZHOU_MAX_INPUT_MB"


class RawFileError(DocumentError):
    """A raw input cannot be read safely: not a regular file, outside its folder, too large,
    not decodable, or (for a sidecar) not valid YAML. The message names the file."""


@dataclass(frozen=True)
class InputLimits:
    """How much raw input one file and one run may bring; raised together by one figure."""

    file_mb: int = DEFAULT_FILE_MB
    run_mb: int = DEFAULT_RUN_MB

    @property
    def file_bytes(self) -> int:
        return self.file_mb << 20

    @property
    def run_bytes(self) -> int:
        return self.run_mb << 20

    @classmethod
    def current(cls) -> InputLimits:
        """The limits in force: DEZHOU_MAX_INPUT_MB raises the per-file cap (the run cap is
        four times it, never less than the default)."""
        raised = os.environ.get(LIMIT_VARIABLE, "").strip()
        if not raised:
            return cls()
        try:
            file_mb = max(1, int(raised))
        except ValueError as exc:
            raise RawFileError(f"{LIMIT_VARIABLE}={raised!r}: expected a whole number of "
                               "megabytes") from exc
        return cls(file_mb, max(DEFAULT_RUN_MB, 4 * file_mb))


def raise_limits(file_mb: int | None) -> None:
    """What `--max-input-mb N` does: every reader in this process and its notebooks uses N."""
    if file_mb is not None:
        if file_mb < 1:
            raise RawFileError(f"--max-input-mb {file_mb}: expected 1 or more")
        os.environ[LIMIT_VARIABLE] = str(file_mb)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(name: object) -> str:
    """A file name as messages show it: control and bidi characters escaped (`\\x1b`), so a
    name cannot rewrite the terminal or reorder the text around it."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(name))


def data_folder(path: Path) -> Path:
    """The folder a raw file must stay inside: the project's data/raw when the file is under
    one, else the folder the file was named in."""
    absolute = Path(os.path.abspath(path))
    for folder in absolute.parents:
        if folder.name == "raw" and folder.parent.name == "data":
            return folder
    return absolute.parent


def checked_path(path: str | Path, folder: Path | None = None) -> Path:
    """The real path of a raw file that is safe to open: a regular file that, after following
    any symlink, is still inside `folder` (by default its data folder). Raises RawFileError."""
    path = Path(path)
    folder = Path(os.path.realpath(folder or data_folder(path)))
    try:
        real = Path(os.path.realpath(path))
        info = os.stat(real)
    except OSError as exc:
        raise RawFileError(f"{shown(path.name)}: cannot read ({exc.strerror})") from exc
    if path.is_symlink() and folder not in real.parents:
        raise RawFileError(f"{shown(path.name)}: a link to {shown(real)}, outside the data folder "
                           f"{shown(folder)}; copy the file into the folder instead")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a named pipe" if stat.S_ISFIFO(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else
                "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file")
        raise RawFileError(f"{shown(path.name)}: {kind}, not a regular file; expected a data "
                           "file saved in the folder")
    return real


def read_raw_bytes(path: str | Path, folder: Path | None = None, limit: int | None = None) -> bytes:
    """The bytes of a raw file, read only if it passes `checked_path` and is under the size
    cap (the per-file limit unless `limit` says otherwise)."""
    path = Path(path)
    real = checked_path(path, folder)
    cap = InputLimits.current().file_bytes if limit is None else limit
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise RawFileError(f"{shown(path.name)}: cannot read ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since it was checked
            raise RawFileError(f"{shown(path.name)}: not a regular file")
        if size > cap:
            raise RawFileError(_too_large(path, size, cap))
        data = handle.read(cap + 1)
    if len(data) > cap:  # grew while being read
        raise RawFileError(_too_large(path, len(data), cap))
    return data


def _too_large(path: Path, size: int, cap: int) -> str:
    if path.name.endswith(".meta.yml"):
        return (f"{shown(path.name)}: {_amount(size)}, over the {_amount(cap)} limit for a "
                "sidecar; a sidecar holds a few fields such as title, date and region")
    return (f"{shown(path.name)}: {_amount(size)}, over the {_amount(cap)} limit for one input "
            f"file; raise it with --max-input-mb (or {LIMIT_VARIABLE}) if the file is meant to be "
            "this large")


def _amount(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 1 << 20 else f"{size / 1024:.0f} KB"


def check_run_size(paths: list[Path]) -> None:
    """All raw files of one run together must stay under the per-run limit."""
    cap = InputLimits.current().run_bytes
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue
    if total > cap:
        raise RawFileError(f"the input files add up to {total / 2**20:.0f} MB, over the "
                           f"{cap / 2**20:.0f} MB limit for one run; raise it with "
                           f"--max-input-mb (or {LIMIT_VARIABLE})")


# ---- workbooks ----------------------------------------------------------------------------------

#: cells one workbook may declare or hold per MB of the per-file limit (256 MB → 10 M cells)
CELLS_PER_MB = 40_000
#: how much larger than its compressed size a big sheet may unpack (real sheets: 5–30×)
MAX_COMPRESSION_RATIO = 100
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode("ascii"):
        number = number * 26 + ord(letter) - 64
    return number


def check_workbook(path: str | Path) -> None:
    """Refuse an .xlsx before it is parsed if it could exhaust memory: a sheet that declares
    more cells than the limit, holds more, unpacks to more than the per-run limit, or is
    compressed more than real sheets ever are. A damaged archive is left to the workbook
    reader, which names it."""
    import zipfile
    path = Path(path)
    limits = InputLimits.current()
    cap = limits.file_mb * CELLS_PER_MB
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")
                  and i.filename.endswith(".xml")]
        unpacked = sum(i.file_size for i in archive.infolist())
        if unpacked > limits.run_bytes:
            raise RawFileError(f"{shown(path.name)}: unpacks to {unpacked / 2**20:.0f} MB, over the "
                               f"{limits.run_mb} MB limit; raise it with --max-input-mb if this "
                               "workbook is meant to be this large")
        cells = 0
        for info in sheets:
            where = f"{shown(path.name)}: {info.filename.rsplit('/', 1)[-1]}"
            if info.file_size > 16 << 20 and info.file_size > MAX_COMPRESSION_RATIO * max(1, info.compress_size):
                raise RawFileError(f"{where}: compressed {info.file_size // max(1, info.compress_size)}"
                                   f" to 1 (real sheets are under {MAX_COMPRESSION_RATIO} to 1); "
                                   "not read, as it could exhaust memory — open it in Excel or WPS "
                                   "and save it again")
            cells += _sheet_cells(archive, info, where, cap)
            if cells > cap:
                raise RawFileError(f"{where}: more than {cap:,} cells in the workbook; raise the "
                                   "limit with --max-input-mb, or save the data as CSV")


def _sheet_cells(archive, info, where: str, cap: int) -> int:
    """Cells a sheet holds (counted while streaming its XML), after checking the dimension it
    declares: a reader pads every row to the declared width."""
    count, tail, head = 0, b"", b""
    with archive.open(info) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            if len(head) < 4096:
                head += block[:4096]
                _check_dimension(head, where, cap)
            chunk = tail + block
            count += len(_CELL_TAG.findall(chunk)) - len(_CELL_TAG.findall(tail))
            tail = chunk[-8:]
            if count > cap:
                break
    return count


def _check_dimension(head: bytes, where: str, cap: int) -> None:
    match = _DIMENSION.search(head)
    if not match or not match.group(3):
        return
    rows = int(match.group(4)) - int(match.group(2)) + 1
    columns = _column_number(match.group(3)) - _column_number(match.group(1)) + 1
    if rows * columns > cap:
        raise RawFileError(f"{where}: declares {rows:,} rows × {columns:,} columns "
                           f"({rows * columns:,} cells), over the limit of {cap:,}; not read — "
                           "delete the empty rows and columns (or save the data as CSV)")


# ---- text ---------------------------------------------------------------------------------------

def decode_bytes(data: bytes, label: str, binary_hint: str = "expected plain text") -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse binary data with a clear message.

    Returns (text, encoding name). Binary means NUL or many control bytes in the first 4 KB;
    later NUL bytes are left to `clean_text`.
    """
    at = f"{label}: " if label else ""
    if not data.strip():
        raise RawFileError(f"{at}the file is empty; expected a UTF-8 or GB18030 text")
    sample = data[:4096]
    if b"\x00" in sample or _control_ratio(sample) > 0.05:
        raise RawFileError(f"{at}the file looks binary (NUL or control bytes), {binary_hint}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    raise RawFileError(f"{at}cannot decode as UTF-8 or GB18030")


def _control_ratio(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return controls / max(1, len(sample))


#: characters a spreadsheet cell (XML 1.0) cannot hold: C0 controls other than tab, LF, CR
ILLEGAL_IN_CELLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> tuple[str, int]:
    """(text without the characters an .xlsx cell cannot hold, how many were removed)."""
    cleaned, count = ILLEGAL_IN_CELLS.subn("", value)
    return cleaned, count


def clean_rows(rows: list[tuple[int, list[object]]]) -> tuple[list[tuple[int, list[object]]], list[tuple[int, int]]]:
    """Rows of cells with control characters removed from text cells, and (row, column number)
    of every cell that had some, so the reader can warn about each."""
    changed: list[tuple[int, int]] = []
    out = []
    for number, values in rows:
        cells = list(values)
        for index, value in enumerate(cells):
            if isinstance(value, str) and ILLEGAL_IN_CELLS.search(value):
                cells[index] = type(value)(ILLEGAL_IN_CELLS.sub("", value)) \
                    if type(value) is not str else ILLEGAL_IN_CELLS.sub("", value)
                changed.append((number, index + 1))
        out.append((number, cells))
    return out, changed


def clean_tables(name: str, tables: list, warnings: list) -> list:
    """Sheets of rows with the characters no spreadsheet cell can hold (NUL, other C0
    controls) removed from text cells; each cleaned cell adds a warning naming file, sheet,
    row and column, so a run never fails at the end writing XLSX for a character in a note."""
    from dezhou_analysis.core.errors import Issue
    cleaned = []
    for sheet_name, rows in tables:
        rows, changed = clean_rows(rows)
        warnings.extend(Issue(shown(name), "control characters removed (an .xlsx cell cannot hold "
                              "them)", row=row, column=f"#{column}", sheet=sheet_name,
                              severity="warning") for row, column in changed)
        cleaned.append((sheet_name, rows))
    return cleaned


# ---- sidecars -----------------------------------------------------------------------------------

def sidecar_of(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.yml")


def read_sidecar_file(path: Path, folder: Path | None = None) -> dict:
    """The fields of a raw file's `.meta.yml` sidecar ({} when there is none).

    Safe by construction: the sidecar must pass `checked_path`, be under SIDECAR_KB, be valid
    UTF-8 YAML without aliases or tags outside the safe loader; anything else is a RawFileError
    naming the sidecar (and the line, where YAML says it).
    """
    side = sidecar_of(Path(path))
    if not (side.exists() or side.is_symlink()):
        return {}
    name = shown(side.name)
    data = read_raw_bytes(side, folder, limit=SIDECAR_KB << 10)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RawFileError(f"{name}: not UTF-8 text (byte {exc.start}); save the sidecar as UTF-8") from exc
    meta = _safe_yaml(text, name)
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise RawFileError(f"{name}: expected a mapping of fields such as title, date, kind, region")
    return meta


def _safe_yaml(text: str, name: str):
    """YAML through the safe loader, with aliases refused before anything is expanded."""
    import yaml

    class _NoAliases(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"an alias (*{event.anchor}) — aliases are not allowed in a sidecar",
                    event.start_mark)
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=_NoAliases)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as exc:
        # where the broken structure starts (an unclosed bracket), else where YAML gave up
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RawFileError(f"{name}: not valid YAML{where} ({problem}); expected plain "
                           "`field: value` lines") from exc
