"""Parse a folder of documents into the two published tables and a summary of what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from dezhou_analysis.core.contracts import conform, empty_frame
from dezhou_analysis.core.errors import DezhouError, DocumentError, InputError, Issue
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.documents.flat_tables import flat_tables
from dezhou_analysis.documents.normalize import normalise
from dezhou_analysis.documents.pipe_tables import pipe_table_rows, table_lines
from dezhou_analysis.documents.scanner import review_year, scan_document
from dezhou_analysis.documents.sources import (
    DOCUMENT_SUFFIXES,
    Document,
    list_documents,
    load_document,
)
from dezhou_analysis.documents.statements import derived_rows, fact_row, table_observation_rows
from dezhou_analysis.documents.tables import find_tables
from dezhou_analysis.documents.targets import (
    reconcile_table_kinds,
    table_target_rows,
    text_target_rows,
)

#: fields a table row gives every number it holds but only targets publish (预期性/约束性)
TARGET_ONLY = ("attribute",)


@dataclass
class ParseResult:
    targets: pd.DataFrame
    observations: pd.DataFrame
    documents: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    # numbers whose indicator cannot be named, with their sentences (plan_unmatched.csv)
    set_aside: pd.DataFrame = field(default_factory=lambda: empty_frame("plan_unmatched"))

    @property
    def unmatched(self) -> pd.DataFrame:
        frames = []
        for name, frame in (("target", self.targets), ("observation", self.observations)):
            part = frame[frame["indicator_id"] == ""][["label", "source_doc", "source_line"]].copy()
            part.insert(0, "table", name)
            frames.append(part)
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> dict:
        return {
            "documents": len(self.documents),
            "targets": len(self.targets),
            "targets_from_table": int((self.targets["source_section"] == "table").sum()),
            "targets_from_text": int((self.targets["source_section"] == "text").sum()),
            "observations": len(self.observations),
            "derived_observations": int(self.observations["is_derived"].sum()),
            "unmatched_labels": len(self.unmatched),
            "warnings": len(self.warnings),
        }


class DocumentRows(NamedTuple):
    """What one document gives: rows of each table, warnings, and what was left out."""

    targets: list[dict]
    observations: list[dict]
    warnings: list[str]
    skipped: dict[str, int]
    set_aside: list[dict]


def parse_document(doc: Document, registry: Registry) -> DocumentRows:
    """Target rows, observation rows, warnings, skip counts and set-aside numbers for one document."""
    raw_lines = doc.text.split("\n")
    flattened, flat_lines = flat_tables(raw_lines)
    piped = table_lines(raw_lines) | flat_lines
    # the narrative does not re-read a table's cells; blank lines keep the numbering
    norm = normalise("\n".join("" if i in piped else line for i, line in enumerate(raw_lines))
                     if piped else doc.text)
    tables = find_tables(norm.raw_lines) + flattened
    warnings = list(doc.warnings)
    base_year = tables[0].base_year if tables else None
    table_targets: list[dict] = []
    observations: list[dict] = []
    for table in tables:
        table_targets.extend(table_target_rows(table, doc, registry))
        observations.extend(table_observation_rows(table, doc, registry))
        warnings.extend(f"{doc.name}:{line}: {message}" for line, message in table.warnings)
    scan = scan_document(doc, norm, registry, base_year=base_year)
    pipe_targets, pipe_observations = pipe_table_rows(doc, [r.rstrip("\r") for r in raw_lines],
                                                      registry, review_year(doc))
    table_targets.extend(pipe_targets)
    observations.extend(pipe_observations)
    statements = [f for f in scan.facts if f.kind == "statement"]
    observations.extend(fact_row(f, doc) for f in statements)
    observations.extend(derived_rows(statements, doc))
    base_values = {(row["indicator_id"], row["year"]): (row["value"], row["unit"])
                   for row in observations
                   if row["indicator_id"] and row["region"] == (doc.region or "")
                   and not row["is_derived"] and row["measure"] in ("level", "share", "count")}
    plan_base = base_year if base_year is not None else (
        scan_base_year(doc) if doc.kind == "plan" else None)
    text_targets = text_target_rows(scan.facts, doc, plan_base, base_values)
    reconcile_table_kinds(table_targets, text_targets)
    set_aside = [{**row, "source_doc": doc.name} for row in scan.unmatched]
    return DocumentRows(table_targets + text_targets, observations, warnings, scan.skipped, set_aside)


def scan_base_year(doc: Document) -> int | None:
    from dezhou_analysis.documents.context import plan_period
    period = plan_period(doc)
    return period[0] - 1 if period else None


def _other_files(directory: str | Path) -> list[Path]:
    """Files beside the documents that are neither documents nor their sidecars (a PDF, a .docx)."""
    return sorted(p for p in Path(directory).iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower()
                  not in (*DOCUMENT_SUFFIXES, ".yml", ".yaml"))


def parse_documents(directory: str | Path, registry: Registry | None = None) -> ParseResult:
    registry = registry or default_registry()
    paths = list_documents(directory)
    if not paths:
        raise DocumentError(f"{directory}: no documents (*.txt, *.md) to parse")
    issues: list[Issue] = []
    targets: list[dict] = []
    observations: list[dict] = []
    warnings: list[str] = [f"{p.name}: not read — only text files (.txt, .md) are parsed; save "
                           "its text as .txt beside it" for p in _other_files(directory)]
    skipped: dict[str, int] = {}
    set_aside: list[dict] = []
    documents = []
    for path in paths:
        try:
            doc = load_document(path)
        except DocumentError as exc:
            issues.append(Issue(path.name, str(exc).removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")))
            continue
        try:
            rows = parse_document(doc, registry)
        except DezhouError:
            raise
        except Exception as exc:  # a parser defect must name the document, not crash bare
            raise DocumentError(f"{path.name}: could not be parsed ({type(exc).__name__}: {exc})") from exc
        targets.extend(rows.targets)
        observations.extend(rows.observations)
        warnings.extend(rows.warnings)
        set_aside.extend(rows.set_aside)
        for reason, count in rows.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + count
        documents.append({"file": doc.name, "md5": doc.md5, "encoding": doc.encoding,
                          "kind": doc.kind, "region": doc.region or "",
                          "date": str(doc.date or ""), "title": doc.meta.get("title", ""),
                          "title_en": doc.meta.get("title_en", "")})
    if issues:
        raise InputError(issues, f"{len(issues)} document(s) cannot be read; nothing was written")
    return ParseResult(conform(pd.DataFrame(targets), "plan_targets"),
                       conform(pd.DataFrame(observations), "plan_observations", TARGET_ONLY),
                       documents, warnings, skipped, conform(pd.DataFrame(set_aside), "plan_unmatched"))


def parse_text(text: str, name: str = "document.txt", meta: dict | None = None,
               registry: Registry | None = None) -> ParseResult:
    """Parse one text held in memory (used by tests and by users exploring in a notebook)."""
    import hashlib

    from dezhou_analysis.documents.sources import infer_metadata
    data = text.encode("utf-8")
    info = infer_metadata(text)
    info.update(meta or {})
    doc = Document(path=Path(name), name=name, text=text, encoding="utf-8",
                   md5=hashlib.md5(data).hexdigest(), meta=info)
    rows = parse_document(doc, registry or default_registry())
    return ParseResult(conform(pd.DataFrame(rows.targets), "plan_targets"),
                       conform(pd.DataFrame(rows.observations), "plan_observations", TARGET_ONLY), [],
                       rows.warnings, rows.skipped,
                       conform(pd.DataFrame(rows.set_aside), "plan_unmatched"))
