"""Source documents: reading raw files safely and their `.meta.yml` sidecars.

Raw files are opened read-only and never changed. A document without a sidecar still parses
(its date and home region are then inferred from the text and a warning says so), because users
drop in texts of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from dezhou_analysis.core.errors import DocumentError
from dezhou_analysis.core.rawfiles import decode_bytes as _decode
from dezhou_analysis.core.rawfiles import read_raw_bytes, read_sidecar_file

DOCUMENT_SUFFIXES = (".txt", ".md", ".text")
SIDECAR_FIELDS = ("title", "issuer", "date", "document_number", "kind", "region",
                  "original_file", "md5")
# bulletin: a statistics bureau's 统计公报 — every number in it is an observation
DOCUMENT_KINDS = ("plan", "speech", "work_plan", "news", "report", "bulletin", "other")


@dataclass
class Document:
    path: Path
    name: str
    text: str
    encoding: str
    md5: str
    meta: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or "other")

    @property
    def date(self) -> dt.date | None:
        value = self.meta.get("date")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            match = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
            if match:
                year, month, day = match.groups()
                return dt.date(int(year), int(month or 1), int(day or 1))
        return None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def region(self) -> str | None:
        return self.meta.get("region") or None


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.yml")


def decode_bytes(data: bytes, label: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse binary data with a clear error."""
    return _decode(data, label, "expected plain text such as a PDF extraction saved as .txt")


def read_sidecar(path: Path) -> dict:
    return read_sidecar_file(path)


def load_document(path: str | Path) -> Document:
    path = Path(path)
    data = read_raw_bytes(path)
    text, encoding = decode_bytes(data, str(path))
    meta = read_sidecar(path)
    warnings = []
    if encoding != "utf-8":
        warnings.append(f"{path.name}: decoded as {encoding.upper()} (not UTF-8)")
    if not meta:
        warnings.append(f"{path.name}: no sidecar {sidecar_path(path).name}; "
                        "date, kind and home region are inferred from the text")
        meta = infer_metadata(text)
    else:
        for key, value in infer_metadata(text).items():
            meta.setdefault(key, value)
    return Document(path=path, name=path.name, text=text, encoding=encoding,
                    md5=hashlib.md5(data).hexdigest(), meta=meta, warnings=warnings)


_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})\b")
_HOME_REGION = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:市|县|区|省))(?:人民政府|委员会|新旧|国民经济|关于)")
_PLAN_TITLE = re.compile(r"规划|纲要|方案|计划")


def infer_metadata(text: str) -> dict:
    """Best guesses for documents that come without a sidecar: date, kind, home region, title."""
    head = text[:3000]
    meta: dict = {}
    first = next((line.strip(" *#") for line in text.splitlines() if line.strip(" *#")), "")
    if first:
        meta["title"] = first[:120]
    date = None
    for pattern, order in ((_DATE, (1, 2, 3)), (_ISO_DATE, (1, 2, 3)), (_DMY_DATE, (3, 2, 1))):
        match = pattern.search(head)
        if match:
            year, month, day = (match.group(i) for i in order)
            try:
                date = dt.date(int(year), int(month), int(day or 1))
            except ValueError:
                date = None
            if date:
                break
    if date:
        meta["date"] = date.isoformat()
    region = _HOME_REGION.search(head)
    if region:
        meta["region"] = region.group(1)
    if re.search(r"统计公报|統計公報", first):
        meta["kind"] = "bulletin"
    elif re.search(r"政府工作报告|政府工作報告", first):
        meta["kind"] = "report"
    elif _PLAN_TITLE.search(first) or _PLAN_TITLE.search(head[:300]):
        meta["kind"] = "plan"
    return meta


def list_documents(directory: str | Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise DocumentError(f"{directory}: no such documents folder")
    return sorted(p for p in directory.iterdir()
                  if not p.is_dir() and p.suffix.lower() in DOCUMENT_SUFFIXES
                  and not p.name.startswith("."))


def check_sidecar(path: Path) -> list[str]:
    """Problems with a document's sidecar: missing file, missing fields, wrong md5."""
    side = sidecar_path(path)
    if not side.exists():
        return [f"{path.name}: missing sidecar {side.name}"]
    meta = read_sidecar(path)
    problems = [f"{side.name}: missing field {name!r}" for name in SIDECAR_FIELDS
                if name not in meta and name != "document_number"]
    if "md5" in meta:
        actual = hashlib.md5(read_raw_bytes(path)).hexdigest()
        if str(meta["md5"]) != actual:
            problems.append(f"{side.name}: md5 {meta['md5']} does not match the file ({actual})")
    if meta.get("kind") and meta["kind"] not in DOCUMENT_KINDS:
        problems.append(f"{side.name}: kind {meta['kind']!r} is not one of {DOCUMENT_KINDS}")
    return problems
