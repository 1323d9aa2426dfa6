"""The data stages behind the CLI and the runner: parse → panel → assess, each writing its files
to data/processed atomically (all of a stage's files change together or not at all)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.contracts import data_dictionary
from dezhou_analysis.core.files import frame_to_csv_text, update_directory
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.core.rawfiles import check_run_size
from dezhou_analysis.documents.reader import ParseResult, parse_documents
from dezhou_analysis.panel import Panel, build_panel
from dezhou_analysis.yearbook.reader import YearbookResult, read_yearbooks, yearbook_files
from dezhou_analysis.yearbook.registry import local_registry_path, project_registry


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame_to_csv_text(frame).encode("utf-8")


def home_region(parse: ParseResult) -> str:
    """The plan's own region, the default for yearbook rows that name none. The rule: the
    region of the `kind: plan` document with the most targets from an indicator table (表1);
    a tie goes to the earliest-dated plan, then to the file name. Without a table, the plan
    with the most targets; without a plan, the region most documents name. Adding a plan
    document therefore never switches the home region by how its region sorts."""
    targets = parse.targets
    table = targets[targets["source_section"] == "table"] if len(targets) else targets

    def rank(document: dict) -> tuple:
        in_table = int((table["source_doc"] == document["file"]).sum()) if len(table) else 0
        in_all = int((targets["source_doc"] == document["file"]).sum()) if len(targets) else 0
        return (-in_table, -in_all, str(document.get("date") or "9999"), document["file"])

    plans = sorted((d for d in parse.documents if d.get("kind") == "plan" and d.get("region")),
                   key=rank)
    if plans:
        return plans[0]["region"]
    return _most_common_region([(d["kind"], d["region"]) for d in parse.documents])


def documents_home_region(directory: Path) -> str:
    """home_region for `validate`, so it accepts what `run` accepts (same parse, same rule).
    Empty when there is no documents folder (validate run outside a project)."""
    from dezhou_analysis.core.errors import DezhouError
    if not Path(directory).is_dir():
        return ""
    try:
        return home_region(parse_documents(directory))
    except DezhouError:
        return ""


def _most_common_region(kinds_and_regions: list[tuple[str | None, str | None]]) -> str:
    regions = [region for _, region in kinds_and_regions if region]
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
    registry: Registry | None = None  # the package registry plus the project's own lines

    def messages(self) -> list[str]:
        """What the run says about its yearbook data: every row set aside, every conflict and
        how it was decided, the reader's warnings. Nothing here stops the run."""
        lines = [f"set aside: {issue}" for issue in self.yearbook.issues]
        lines += [f"conflict: {describe_conflict(c)}" for c in self.panel.conflicts.to_dict("records")]
        lines += [f"warning: {warning}" for warning in self.yearbook.warnings]
        return lines


def data_quality_counts(run: PanelRun) -> dict[str, int]:
    """The counts the index shows: rows set aside, files skipped, conflicts, partial periods."""
    kinds = run.panel.exclusions["kind"]
    return {"set_aside": int((kinds == "set aside").sum()), "files_skipped": int((kinds == "file skipped").sum()),
            "conflicts": len(run.panel.conflicts),
            "partial_periods": int((run.panel.observations["period_kind"] != "annual").sum())}


def describe_conflict(conflict: dict) -> str:
    """One conflict in words, saying what kind of value the two are (levels or growth rates)."""
    kind = {"growth_yoy": "growth rates on the year before", "growth_avg": "average growth rates",
            "pp_change": "changes in percentage points"}.get(conflict["measure"], "levels")
    unit = f" {conflict['unit']}" if conflict["unit"] else ""
    return (f"{conflict['indicator_id']} {conflict['region']} {conflict['year']} ({kind}): kept "
            f"{conflict['kept_value']:g}{unit} from {conflict['kept_source']}, not "
            f"{conflict['other_value']:g}{unit} from {conflict['other_source']} — {conflict['rule']}")


def raw_inputs(documents: Path, yearbook_paths: list[Path]) -> dict[str, str]:
    """md5 of every input file: processed files are reused only while these are unchanged."""
    from dezhou_analysis import __version__
    from dezhou_analysis.core.files import md5_file
    from dezhou_analysis.documents.sources import list_documents
    files = {}
    local = [local_registry_path(Path(yearbook_paths[0]).parent)] if yearbook_paths else []
    for path in list(list_documents(documents)) + list(yearbook_paths) + local:
        for item in (path, path.with_name(path.stem + ".meta.yml")):
            if item.is_file():
                files[str(item.name)] = md5_file(item)
    return {"version": __version__, "files": dict(sorted(files.items()))}


def load_processed(documents: Path, yearbook_dir: Path, processed: Path,
                   registry: Registry | None = None) -> PanelRun | None:
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
    return PanelRun(parse, YearbookResult(), panel, registry or project_registry(yearbook_dir))


def run_panel(documents: Path, yearbook_paths: list[Path] | None, yearbook_dir: Path, out: Path,
              registry: Registry | None = None, write: bool = True) -> PanelRun:
    """Parse, read the yearbook files, build the panel and (write) publish it. Rows that cannot
    be used are set aside and said (PanelRun.messages); they never stop this stage."""
    notes: list = []
    registry = registry or project_registry(yearbook_dir, issues=notes)
    paths = yearbook_paths if yearbook_paths else yearbook_files(yearbook_dir)
    check_run_size(list(Path(documents).glob("*")) + [Path(p) for p in paths])
    parse = parse_documents(documents, registry)
    yearbook = read_yearbooks(paths, registry, default_region=home_region(parse))
    yearbook.issues[:0] = notes
    panel = build_panel(parse.observations, yearbook, registry)
    run = PanelRun(parse, yearbook, panel, registry)
    if write:
        update_directory(out, panel_files(run, documents, list(paths)))
    return run


def panel_files(run: PanelRun, documents: Path, paths: list[Path]) -> dict[str, bytes]:
    """Every file the panel stage publishes, parse files included (they change together)."""
    panel = run.panel
    files = parse_files(run.parse)
    files.update({
        "inputs.json": _json_bytes(raw_inputs(documents, paths)),
        "observations.csv": _csv_bytes(panel.observations),
        "conflicts.csv": _csv_bytes(panel.conflicts),
        "exclusions.csv": _csv_bytes(panel.exclusions),
        "panel_summary.json": _json_bytes({
            "yearbook_files": [str(Path(p).name) for p in paths],
            "observations": len(panel.observations), "conflicts": len(panel.conflicts),
            "exclusions": len(panel.exclusions), "set_aside": len(run.yearbook.set_aside),
            "problems": [str(i) for i in run.yearbook.issues],
            "warnings": [str(w) for w in run.yearbook.warnings],
            "by_source": panel.observations.groupby("source").size().to_dict(),
        }),
    })
    return files


def assess_panel(run: PanelRun, registry: Registry | None = None,
                 settings: AssessmentSettings | None = None):
    """Assess every target of a built panel (the table and each target's fan-chart data)."""
    from dezhou_analysis.assess.assessor import Assessor
    return Assessor(run.parse.targets, run.panel.observations,
                    registry or run.registry or default_registry(),
                    settings or AssessmentSettings()).fit()


#: the assessment as the data phase leaves it in data/processed: the table, the full result
#: (fan-chart data for the reports) and the key it was made under
ASSESSMENT_TABLE, ASSESSMENT_RESULT, ASSESSMENT_KEY = (
    "assessment.csv", "assessment.pickle", "assessment.json")


def _assessment_key(documents: Path, yearbook_dir: Path, settings: AssessmentSettings) -> dict:
    return {"inputs": raw_inputs(documents, yearbook_files(yearbook_dir)),
            "settings": dataclasses.asdict(settings)}


def write_assessment(assessment, documents: Path, yearbook_dir: Path, processed: Path) -> None:
    """Store the assessment beside the panel it was made from, all three files or none.

    The pickle is read back only by `load_assessment`, only when its recorded sha256 and key
    match: it is the pipeline's own output, never a user's file. cloudpickle writes it because
    each fitted model keeps its path sampler as a function of its estimates."""
    import cloudpickle
    result = cloudpickle.dumps(assessment, protocol=pickle.HIGHEST_PROTOCOL)
    key = _assessment_key(documents, yearbook_dir, assessment.settings)
    key["sha256"] = hashlib.sha256(result).hexdigest()
    update_directory(processed, {ASSESSMENT_TABLE: _csv_bytes(assessment.frame),
                                 ASSESSMENT_RESULT: result, ASSESSMENT_KEY: _json_bytes(key)})


def load_assessment(documents: Path, yearbook_dir: Path, processed: Path,
                    settings: AssessmentSettings, compare: tuple[str, ...] | None = None):
    """The stored assessment if it was made from today's raw files with these settings.

    compare: the settings that must agree (default all); a report that does not declare, say,
    `n_paths` takes the stored assessment whatever its number of paths."""
    try:
        recorded = json.loads((processed / ASSESSMENT_KEY).read_text(encoding="utf-8"))
        result = (processed / ASSESSMENT_RESULT).read_bytes()
        if recorded.pop("sha256") != hashlib.sha256(result).hexdigest():
            return None
        current = json.loads(_json_bytes(_assessment_key(documents, yearbook_dir, settings)))
        names = compare if compare is not None else tuple(current["settings"])
        if recorded["inputs"] != current["inputs"] or any(
                recorded["settings"].get(n) != current["settings"][n] for n in names):
            return None
        return pickle.loads(result)
    except Exception:  # missing, stale or unreadable: the caller fits it again
        return None
