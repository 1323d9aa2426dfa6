"""The data stages behind the CLI and the runner: parse → panel → assess, each writing its files
to data/processed atomically (all of a stage's files change together or not at all)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dezhou_analysis.core.contracts import data_dictionary
from dezhou_analysis.core.errors import InputError
from dezhou_analysis.core.files import frame_to_csv_text, update_directory, write_bytes_atomic
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.documents.reader import ParseResult, parse_documents
from dezhou_analysis.panel import Panel, build_panel
from dezhou_analysis.yearbook.reader import YearbookResult, read_yearbooks, yearbook_files


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame_to_csv_text(frame).encode("utf-8")


def home_region(parse: ParseResult) -> str:
    """The region of the plan documents (their sidecars say it), used as the yearbook default."""
    return _most_common_region([(d["kind"], d["region"]) for d in parse.documents])


def documents_home_region(directory: Path) -> str:
    """home_region without parsing: what `validate` uses, so it accepts what `run` accepts."""
    from dezhou_analysis.documents.sources import DocumentError, list_documents, load_document
    pairs = []
    for path in list_documents(directory):
        try:
            document = load_document(path)
        except DocumentError:
            continue
        pairs.append((document.meta.get("kind"), document.region))
    return _most_common_region(pairs)


def _most_common_region(kinds_and_regions: list[tuple[str | None, str | None]]) -> str:
    plans = [region for kind, region in kinds_and_regions if kind == "plan" and region]
    regions = plans or [region for _, region in kinds_and_regions if region]
    return max(sorted(set(regions)), key=regions.count) if regions else ""


def parse_files(parse: ParseResult) -> dict[str, bytes]:
    return {
        "plan_targets.csv": _csv_bytes(parse.targets),
        "plan_observations.csv": _csv_bytes(parse.observations),
        "plan_unmatched.csv": _csv_bytes(parse.set_aside),
        "data_dictionary.csv": _csv_bytes(data_dictionary()),
        "parse_summary.json": _json_bytes({
            "counts": parse.summary(), "documents": parse.documents,
            "unmatched_labels": parse.unmatched.to_dict("records"),
            "warnings": parse.warnings, "numbers_left_out": dict(sorted(parse.skipped.items())),
        }),
    }


def run_parse(documents: Path, out: Path, registry: Registry | None = None) -> ParseResult:
    parse = parse_documents(documents, registry)
    update_directory(out, parse_files(parse))
    return parse


@dataclass
class PanelRun:
    parse: ParseResult
    yearbook: YearbookResult
    panel: Panel


def raw_inputs(documents: Path, yearbook_paths: list[Path]) -> dict[str, str]:
    """md5 of every input file: processed files are reused only while these are unchanged."""
    from dezhou_analysis import __version__
    from dezhou_analysis.core.files import md5_file
    from dezhou_analysis.documents.sources import list_documents
    files = {}
    for path in list(list_documents(documents)) + list(yearbook_paths):
        for item in (path, path.with_name(path.stem + ".meta.yml")):
            if item.is_file():
                files[str(item.name)] = md5_file(item)
    return {"version": __version__, "files": dict(sorted(files.items()))}


def load_processed(documents: Path, yearbook_dir: Path, processed: Path) -> PanelRun | None:
    """The parse and panel as the last pipeline run wrote them, if made from today's raw files."""
    from dezhou_analysis.core.contracts import read_table
    inputs_file = processed / "inputs.json"
    if not inputs_file.is_file():
        return None
    try:
        recorded = json.loads(inputs_file.read_text(encoding="utf-8"))
        current = raw_inputs(documents, yearbook_files(yearbook_dir))
        if recorded != current:
            return None
        summary = json.loads((processed / "parse_summary.json").read_text(encoding="utf-8"))
        parse = ParseResult(read_table(processed / "plan_targets.csv", "plan_targets"),
                            read_table(processed / "plan_observations.csv", "plan_observations"),
                            summary["documents"], summary["warnings"], summary["numbers_left_out"])
        panel = Panel(read_table(processed / "observations.csv", "observations"),
                      read_table(processed / "conflicts.csv", "conflicts"),
                      read_table(processed / "exclusions.csv", "exclusions"))
    except Exception:  # anything unreadable: the caller recomputes from the raw files
        return None
    return PanelRun(parse, YearbookResult(), panel)


def run_panel(documents: Path, yearbook_paths: list[Path] | None, yearbook_dir: Path, out: Path,
              registry: Registry | None = None, write: bool = True) -> PanelRun:
    registry = registry or default_registry()
    parse = parse_documents(documents, registry)
    paths = yearbook_paths if yearbook_paths else yearbook_files(yearbook_dir)
    yearbook = read_yearbooks(paths, registry, default_region=home_region(parse))
    if yearbook.issues:
        raise InputError(yearbook.issues, f"{len(yearbook.issues)} problem(s) in yearbook data; "
                                          "data/processed was left as it was")
    panel = build_panel(parse.observations, yearbook, registry)
    if write:
        files = parse_files(parse)
        files.update({
            "inputs.json": _json_bytes(raw_inputs(documents, list(paths))),
            "observations.csv": _csv_bytes(panel.observations),
            "conflicts.csv": _csv_bytes(panel.conflicts),
            "exclusions.csv": _csv_bytes(panel.exclusions),
            "panel_summary.json": _json_bytes({
                "yearbook_files": [str(Path(p).name) for p in paths],
                "observations": len(panel.observations), "conflicts": len(panel.conflicts),
                "exclusions": len(panel.exclusions),
                "warnings": [str(w) for w in yearbook.warnings],
                "by_source": panel.observations.groupby("source").size().to_dict(),
            }),
        })
        update_directory(out, files)
    return PanelRun(parse, yearbook, panel)


def run_assess(paths, yearbook_paths: list[Path] | None, out: Path,
               registry: Registry | None = None, **settings):
    """Parse, build the panel, assess every target; write the panel files and assessment.csv.
    `settings` are the Assessor's (as_of, seed, n_paths, tolerance); its defaults apply."""
    registry = registry or default_registry()
    run = run_panel(paths.documents, yearbook_paths, paths.yearbook, paths.processed, registry)
    return assess_panel(run, out, registry, **settings)


def assess_panel(run: PanelRun, out: Path, registry: Registry | None = None, **settings):
    """Assess every target of a built panel and write assessment.csv."""
    from dezhou_analysis.assess.assessor import Assessor
    assessment = Assessor(run.parse.targets, run.panel.observations, registry or default_registry(),
                          **settings).fit()
    write_assessment(assessment, out)
    return assessment


#: where, inside a run's output folder, the reachability report leaves its assessment for the
#: runner (the index and assessment.csv then need no second fit of the same models)
HANDOFF = Path("assessment") / "assessment.csv"


def write_assessment(assessment, out: Path) -> None:
    write_bytes_atomic(out, _csv_bytes(assessment.frame))


def read_assessment(path: Path, as_of: int | None = None, seed: int = 0, n_paths: int = 0,
                    tolerance: float = 0.0):
    """An assessment written by write_assessment, for the index (its frame; no fan charts)."""
    from dezhou_analysis.assess.assessor import ASSESSMENT_COLUMNS, INTEGER_COLUMNS, Assessment
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if list(frame.columns) != ASSESSMENT_COLUMNS:
        raise ValueError(f"{path}: not an assessment table")
    for column in INTEGER_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    return Assessment(frame, {}, as_of, seed, n_paths, tolerance)
