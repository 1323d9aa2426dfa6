"""`dezhou-analysis …` — parse, validate, template, panel, assess, run.

Errors the user can cause are printed as messages naming the place (file, row, column), never as
a bare traceback; `--debug` shows the traceback for a defect.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from dezhou_analysis import __version__
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.errors import DezhouError, InputError
from dezhou_analysis.core.paths import ProjectPaths

#: the assessment's defaults, shown in `assess --help`
DEFAULTS = AssessmentSettings()


def _print(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def cmd_parse(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from dezhou_analysis.stages import run_parse
    documents = Path(args.documents) if args.documents else paths.documents
    out = Path(args.out) if args.out else paths.processed
    parse = run_parse(documents, out)
    counts = parse.summary()
    _print(f"parsed {counts['documents']} documents from {documents}")
    _print(f"  plan_targets.csv       {counts['targets']:4d} rows "
           f"({counts['targets_from_table']} from tables, {counts['targets_from_text']} from text)")
    _print(f"  plan_observations.csv  {counts['observations']:4d} rows "
           f"({counts['derived_observations']} derived from stated relations)")
    _print("  data_dictionary.csv, parse_summary.json")
    unmatched = parse.unmatched
    _print(f"unmatched labels: {len(unmatched)} (kept with an empty indicator_id)")
    for rec in unmatched.to_dict("records"):
        _print(f"  {rec['source_doc']}:{rec['source_line']}: {rec['label']} ({rec['table']})")
    if parse.warnings:
        _print(f"warnings: {len(parse.warnings)}")
        for warning in parse.warnings:
            _print(f"  {warning}")
    if parse.skipped:
        left = ", ".join(f"{reason}: {n}" for reason, n in sorted(parse.skipped.items()))
        _print(f"numbers left out: {left}")
    _print(f"wrote {out}")
    return 0


def cmd_validate(args: argparse.Namespace, paths: ProjectPaths) -> int:
    """Every problem in the files, each with its place; exit 1 when any row was set aside or any
    file skipped (the run would go on without them), 0 when everything can be used."""
    from dezhou_analysis.yearbook.reader import read_yearbooks
    targets = _validate_targets(args.paths)
    registry_dir = next((Path(p) for p in args.paths if Path(p).is_dir()), None) or \
        (targets[0].parent if targets else paths.yearbook)
    registry, notes = _project_registry(registry_dir)
    result = read_yearbooks(targets, registry, default_region=_validate_region(args, paths),
                            sheet=args.sheet)
    result.issues[:0] = notes
    for warning in result.warnings:
        _print(f"warning: {warning}")
    _print(f"{len(targets)} file(s): {len(result.observations)} values, "
           f"{len(result.exclusions)} rows left out with a reason")
    for exclusion in result.exclusions:
        if exclusion["kind"] not in ("set aside", "file skipped"):
            _print(f"  left out {exclusion['source_detail']}: {exclusion['reason']}")
    if result.issues:
        _err(f"{len(result.issues)} problem(s) in {len(targets)} file(s); `run` sets these rows "
             "aside and goes on with the rest:")
        for issue in result.issues:
            _err(f"  {issue}")
        return 1
    _print("ok: every row can be used")
    return 0


def _validate_targets(items: list[str]) -> list[Path]:
    from dezhou_analysis.yearbook.reader import yearbook_files
    targets: list[Path] = []
    for item in items:
        p = Path(item)
        targets.extend(yearbook_files(p) if p.is_dir() else [p])
    return targets


def _project_registry(yearbook_dir: Path):
    from dezhou_analysis.yearbook.registry import project_registry
    notes: list = []
    return project_registry(yearbook_dir, issues=notes), notes


def _validate_region(args: argparse.Namespace, paths: ProjectPaths) -> str:
    """--region, else the plan's region from the project's documents (said), else none (said,
    with how to give one)."""
    from dezhou_analysis.stages import documents_home_region
    if args.region:
        return args.region
    region = documents_home_region(paths.documents)
    if region:
        _print(f"rows that name no region are taken as {region} (the plan's region; "
               "--region to change)")
    else:
        _print(f"no plan documents under {paths.documents} (outside the project folder?): rows "
               "that name no region need --region, e.g. --region 德州市, or `region:` in the "
               "file's .meta.yml")
    return region


def cmd_template(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from dezhou_analysis.yearbook.template import write_template
    first, _, last = args.years.partition("-")
    years = range(int(first), int(last or first) + 1)
    if args.needed:
        return _needed_template(args, paths, years)
    registry, _ = _project_registry(paths.yearbook)  # the project's own indicators too
    path = write_template(args.out, args.format, years=years, region=args.region or "",
                          registry=registry)
    _print(f"wrote {path}")
    return 0


def _needed_template(args: argparse.Namespace, paths: ProjectPaths, years: range) -> int:
    """The template of only the indicators whose data would unlock targets not yet assessable."""
    from dezhou_analysis.reports.data_needed import data_needed, write_needed_template
    from dezhou_analysis.stages import assess_panel, home_region, load_assessment, run_panel
    run = run_panel(paths.documents, None, paths.yearbook, paths.processed, write=False)
    assessment = (load_assessment(paths.documents, paths.yearbook, paths.processed,
                                  AssessmentSettings()) or assess_panel(run))
    needed = data_needed(assessment)
    path = write_needed_template(needed, args.out, region=args.region or home_region(run.parse),
                                 years=years)
    if path is None:
        _print("every target can be assessed: no data needed, no template written")
        return 0
    _print(f"wrote {path}: {len(needed)} indicators that would unlock "
           f"{int((assessment.frame['status'] == 'unable to assess').sum())} targets")
    return 0


def cmd_panel(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from dezhou_analysis.stages import run_panel
    out = Path(args.out) if args.out else paths.processed
    run = run_panel(paths.documents, [Path(p) for p in args.yearbook or []], paths.yearbook, out)
    _print(f"panel: {len(run.panel.observations)} observations, {len(run.panel.conflicts)} "
           f"conflicts, {len(run.panel.exclusions)} rows left out with a reason "
           f"({len(run.yearbook.set_aside)} set aside: see exclusions.csv)")
    for line in run.messages():
        _print(f"  {line}")
    _print(f"wrote {out}")
    return 0


def cmd_assess(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from dezhou_analysis.core.files import frame_to_csv_text, write_bytes_atomic
    from dezhou_analysis.stages import assess_panel, run_panel, write_assessment
    settings = AssessmentSettings.from_params(as_of=args.as_of, seed=args.seed,
                                              n_paths=args.paths, tolerance=args.tolerance)
    yearbook = [Path(p) for p in args.yearbook or []]
    run = run_panel(paths.documents, yearbook, paths.yearbook, paths.processed)
    result = assess_panel(run, settings=settings)
    if args.out:
        out = Path(args.out)
        write_bytes_atomic(out, frame_to_csv_text(result.frame).encode("utf-8"))
    else:
        out = paths.processed / "assessment.csv"
        write_assessment(result, paths.documents, paths.yearbook, paths.processed)
    _print(result.describe())
    _print(f"wrote {out}")
    return 0


def cmd_run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from dezhou_analysis.run.runner import run_suite
    return run_suite(paths, params_file=args.params, overrides=args.param or [], jobs=args.jobs,
                     out=Path(args.out) if args.out else None, only=args.only, force=args.force,
                     pdf=args.pdf)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dezhou-analysis", description=(
        "Checks Dezhou's 2018–2022 growth-driver plan against its numbers."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--project", help="project folder (default: found from the current folder)")
    parser.add_argument("--max-input-mb", type=int, dest="max_input_mb", metavar="MB",
                        help="largest input file read, in MB (default 256; a run's files together "
                             "may have four times as much, at least 1024)")
    parser.add_argument("--wait", type=float, default=600.0, metavar="SECONDS",
                        help="how long to wait for another run of the project to finish "
                             "(default 600; 0 stops at once)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse the plan documents into plan_targets/plan_observations")
    p.add_argument("--documents", help="folder of documents (default data/raw/documents)")
    p.add_argument("--out", help="output folder (default data/processed)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("validate", help="check yearbook files; exit 1 with every problem")
    p.add_argument("paths", nargs="+", help="yearbook files or folders")
    p.add_argument("--sheet", help="only this sheet of .xlsx files")
    p.add_argument("--region", help="region for rows that name none (default: the file's sidecar, else the plan's region)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="write a fill-in yearbook template")
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--years", default="2013-2022", help="year columns, e.g. 2013-2022")
    p.add_argument("--region", default="", help="region to pre-fill")
    p.add_argument("--needed", action="store_true",
                   help="only the indicators whose data would unlock targets not yet assessable")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("panel", help="build data/processed/observations.csv from plan + yearbook")
    p.add_argument("--yearbook", nargs="*", help="yearbook files (default: data/raw/yearbook/*)")
    p.add_argument("--out", help="output folder (default data/processed)")
    p.set_defaults(func=cmd_panel)

    p = sub.add_parser("assess", help="write assessment.csv: is each target reachable, was it reached")
    p.add_argument("--as-of", type=int, dest="as_of", help="use only data up to this year")
    p.add_argument("--yearbook", nargs="*", help="yearbook files (default: data/raw/yearbook/*)")
    p.add_argument("--out", help="output file (default data/processed/assessment.csv)")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed, help="random seed for simulated paths")
    p.add_argument("--paths", type=int, default=DEFAULTS.n_paths, help="simulated paths per target")
    p.add_argument("--tolerance", type=float, default=DEFAULTS.tolerance,
                   help="relative band around an approx (左右) target counted as reached")
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("run", help="run the whole suite: parse, panel, notebooks, HTML reports")
    p.add_argument("--params", help="YAML file of notebook parameters")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                   help="one parameter (repeatable), e.g. -p as_of=2019")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    p.add_argument("--out", help="output folder of this run (default outputs/<run>)")
    p.add_argument("--only", nargs="*", help="run only these notebooks (names without .ipynb)")
    p.add_argument("--force", action="store_true",
                   help="make everything again, even what nothing changed for (ignore outputs/.cache)")
    p.add_argument("--pdf", action="store_true",
                   help="also print the index and each report to <run>/pdf (headless Chromium)")
    p.set_defaults(func=cmd_run)
    return parser


#: commands that write data/processed or a run folder: one at a time per project
WRITERS = ("parse", "panel", "assess", "run")


def _locked(args: argparse.Namespace, paths: ProjectPaths) -> int:
    """Run the command under the project's run lock when it writes (see run/lock.py)."""
    from dezhou_analysis.core.rawfiles import raise_limits
    raise_limits(args.max_input_mb)
    if args.command not in WRITERS:
        return args.func(args, paths)
    from dezhou_analysis.run.lock import clean_stale_partials, project_lock
    with project_lock(paths.outputs, args.command, args.wait, say=_err):
        clean_stale_partials(paths.outputs, paths.processed.parent)
        return args.func(args, paths)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = ProjectPaths(Path(args.project).resolve()) if args.project else ProjectPaths.discover()
    try:
        return _locked(args, paths)
    except InputError as exc:
        _err(f"error: {exc}")
        return 1
    except DezhouError as exc:
        _err(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:  # output piped into `head` and the reader went away
        return 0
    except Exception as exc:  # a defect: say so plainly, keep the traceback for --debug
        if args.debug:
            traceback.print_exc()
        else:
            _err(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
