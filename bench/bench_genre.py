"""How well the parser reads texts of the genre it was not written on.

Runs the document parser on every text of the hand-labelled corpus in tests/corpus/genre and
matches its target and observation rows to the labels. A row matches a label when it stands on
the same line (±1), is of the same kind (target or observation) and has the same value at the
precision the label states (a value rescaled by 万 or 亿 is the same value). A strict match also
needs the label's region and, when the label names one, its indicator id. Derived rows and
targets without a number are not scored: the labels hold only what the texts state; nor are
gaps to another region (高于全省0.9个百分点), which the labelling rules leave out.

Prints precision and recall for each set of the manifest (dev, held-out and, while new texts
wait to be measured once, blind) — overall, per kind, per document
kind and per measure — and writes every missed label and every spurious row to
bench/results/genre_<set>.csv, so a change to the parser can be read row by row.

    python bench/bench_genre.py              # every set
    python bench/bench_genre.py dev          # one set
    python bench/bench_genre.py blind        # the new texts, measured before the parser sees them
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "genre"
RESULTS = ROOT / "bench" / "results"
LABEL_COLUMNS = ["line", "kind", "indicator", "indicator_id", "region", "year", "value", "unit",
                 "measure", "qualifier", "quote"]
KINDS = ("target", "observation")
MEASURES = ("level", "share", "growth_yoy", "growth_avg", "pp_change", "multiple", "count",
            "ratio_part", "abs_change")
QUALIFIERS = ("point", "approx", "at_least", "at_most")
DOC_KINDS = ("plan", "report", "bulletin", "news")
# indicators that are themselves a reduction: "下降9.7%" may be read as 9.7 or as −9.7
REDUCTIONS = {"energy_intensity_reduction", "co2_intensity_reduction", "pm25_reduction"}
RESCALES = (1.0, 1e4, 1e-4, 1e8, 1e-8)
LINE_SLACK = 1


@dataclass
class CorpusText:
    """One text of the corpus with its sidecar and its labels."""
    stem: str
    subset: str
    meta: dict
    text: str
    labels: pd.DataFrame = field(repr=False)

    @property
    def doc_kind(self) -> str:
        return str(self.meta.get("kind", ""))


def read_manifest(corpus: Path = CORPUS) -> dict[str, list[str]]:
    """The dev / heldout (/ blind) split recorded in corpus.yml."""
    data = yaml.safe_load((corpus / "corpus.yml").read_text(encoding="utf-8"))
    return {name: list(stems) for name, stems in data["sets"].items()}


def read_labels(path: Path) -> pd.DataFrame:
    """A label file with its values kept as written (their decimals give the precision)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in LABEL_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}; expected {LABEL_COLUMNS}")
    frame["line"] = frame["line"].astype(int)
    return frame


def load_corpus(subset: str | None = None, corpus: Path = CORPUS) -> list[CorpusText]:
    """Every text of one set (dev, heldout, blind) or of all, in manifest order."""
    manifest = read_manifest(corpus)
    texts = []
    for name, stems in manifest.items():
        if subset and name != subset:
            continue
        for stem in stems:
            meta = yaml.safe_load((corpus / "texts" / f"{stem}.meta.yml").read_text(encoding="utf-8"))
            text = (corpus / "texts" / f"{stem}.txt").read_text(encoding="utf-8")
            texts.append(CorpusText(stem, name, meta, text, read_labels(corpus / "labels" / f"{stem}.csv")))
    return texts


def parser_meta(meta: dict) -> dict:
    """What a user would put in the sidecar: title, date, kind and home region. A kind the
    parser does not know yet is passed as 'other' rather than guessed."""
    from dezhou_analysis.documents.sources import DOCUMENT_KINDS
    kind = meta.get("kind")
    return {"title": meta.get("title", ""), "date": str(meta.get("date", "")),
            "region": meta.get("region", ""), "kind": kind if kind in DOCUMENT_KINDS else "other"}


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def parsed_rows(item: CorpusText) -> pd.DataFrame:
    """The parser's stated rows for one text: one row per number, with line, kind and value."""
    from dezhou_analysis.documents.reader import parse_text
    result = parse_text(item.text, f"{item.stem}.txt", parser_meta(item.meta))
    rows = []
    for r in result.targets.to_dict("records"):
        for value in (r.get("target_value"), r.get("target_high")):
            if _number(value) is not None:
                rows.append(_row(r, "target", _number(value), r.get("target_measure"), r.get("target_kind")))
    for r in result.observations.to_dict("records"):
        if not bool(r.get("is_derived")) and _number(r.get("value")) is not None and not _is_gap(r):
            rows.append(_row(r, "observation", _number(r.get("value")), r.get("measure"),
                             r.get("value_qualifier")))
    columns = ["line", "kind", "value", "measure", "qualifier", "region", "indicator_id", "label", "quote"]
    return pd.DataFrame(rows, columns=columns)


def _is_gap(record: dict) -> bool:
    """高于全省0.9个百分点: the gap to another region, which the parser keeps (with the region in
    reference_region) and the labels leave out (LABELLING.md: the compared figure is not stated)."""
    return _text(record.get("measure")) == "pp_change" and bool(_text(record.get("reference_region")))


def _row(record: dict, kind: str, value: float, measure, qualifier) -> dict:
    line = _number(record.get("source_line"))
    return {"line": int(line) if line is not None else -1, "kind": kind, "value": value,
            "measure": _text(measure), "qualifier": _text(qualifier), "region": _text(record.get("region")),
            "indicator_id": _text(record.get("indicator_id")), "label": _text(record.get("label")),
            "quote": _text(record.get("source_quote"))[:80]}


def tolerance(written: str) -> float:
    """Half a unit of the last decimal the label states: 7.30 → 0.005, 1200 → 0.5."""
    decimals = len(written.split(".", 1)[1]) if "." in written else 0
    return 0.5 * 10 ** -decimals + 1e-9


def values_agree(written: str, value: float, indicator_id: str = "") -> bool:
    """The parser's value equals the labelled one at its stated precision, in any 万/亿 scale;
    for a reduction indicator the sign may be either."""
    target, tol = float(written), tolerance(written)
    signs = (1, -1) if indicator_id in REDUCTIONS else (1,)
    return any(abs(value * scale * sign - target) <= tol * max(1.0, scale)
               for scale in RESCALES for sign in signs)


_REGION_SUFFIXES = ("特别行政区", "自治区", "地区", "省", "市", "区", "县")
_NATION = {"全国", "中国", "我国", "国家", "全國", "我國"}


def same_region(labelled: str, parsed: str) -> bool:
    """烟台市 and 烟台 name one place; 全国, 中国 and 我国 name the country."""
    def norm(name: str) -> str:
        name = name.strip()
        if name in _NATION:
            return "全国"
        for suffix in _REGION_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name
    return bool(labelled) and norm(labelled) == norm(parsed)


def is_match(label: dict, row: dict, strict: bool) -> bool:
    """The matching rule of this bench (see the module docstring)."""
    if label["kind"] != row["kind"] or abs(label["line"] - row["line"]) > LINE_SLACK:
        return False
    if not values_agree(label["value"], row["value"], label["indicator_id"]):
        return False
    if strict:
        if not same_region(label["region"], row["region"]):
            return False
        if label["indicator_id"] and label["indicator_id"] != row["indicator_id"]:
            return False
    return True


def pair(labels: pd.DataFrame, rows: pd.DataFrame, strict: bool) -> dict[int, int]:
    """One-to-one pairs label index → row index; nearer lines and closer attributes pair first."""
    candidates = []
    label_records, row_records = labels.to_dict("records"), rows.to_dict("records")
    for i, label in enumerate(label_records):
        for j, row in enumerate(row_records):
            if is_match(label, row, strict):
                closeness = (abs(label["line"] - row["line"]),
                             label["indicator_id"] != row["indicator_id"],
                             not same_region(label["region"], row["region"]),
                             label["measure"] != row["measure"])
                candidates.append((closeness, i, j))
    taken_labels: set[int] = set()
    taken_rows: set[int] = set()
    pairs = {}
    for _, i, j in sorted(candidates):
        if i not in taken_labels and j not in taken_rows:
            pairs[i] = j
            taken_labels.add(i)
            taken_rows.add(j)
    return pairs


@dataclass
class Tally:
    """Counts behind a precision and a recall."""
    labels: int = 0
    found: int = 0
    rows: int = 0
    right: int = 0

    def add(self, other: Tally) -> None:
        self.labels += other.labels
        self.found += other.found
        self.rows += other.rows
        self.right += other.right

    @property
    def precision(self) -> float:
        return self.right / self.rows if self.rows else float("nan")

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else float("nan")


def score_text(item: CorpusText, rows: pd.DataFrame | None = None) -> tuple[dict, list[dict]]:
    """Tallies by class for one text — {(mode, dimension, class): Tally} with mode loose or
    strict — and the missed and spurious rows. A parsed row is counted under the measure of the
    label it matches, or under its own measure when it matches none."""
    rows = parsed_rows(item) if rows is None else rows
    labels = item.labels
    tallies: dict[tuple[str, str, str], Tally] = {}
    problems: list[dict] = []
    for mode in ("loose", "strict"):
        pairs = pair(labels, rows, strict=mode == "strict")
        matched_rows = {j: i for i, j in pairs.items()}
        for i, label in enumerate(labels.to_dict("records")):
            for key in _classes(mode, label["kind"], item.doc_kind, label["measure"]):
                tallies.setdefault(key, Tally()).labels += 1
                tallies[key].found += i in pairs
            if i not in pairs:
                problems.append({"mode": mode, "problem": "missed", "text": item.stem, **label})
        for j, row in enumerate(rows.to_dict("records")):
            measure = labels.iloc[matched_rows[j]]["measure"] if j in matched_rows else row["measure"]
            for key in _classes(mode, row["kind"], item.doc_kind, measure):
                tallies.setdefault(key, Tally()).rows += 1
                tallies[key].right += j in matched_rows
            if j not in matched_rows:
                problems.append({"mode": mode, "problem": "spurious", "text": item.stem,
                                 **{k: row[k] for k in ("line", "kind", "region", "indicator_id", "measure",
                                                        "qualifier", "quote")},
                                 "indicator": row["label"], "value": row["value"]})
    return tallies, problems


def _classes(mode: str, kind: str, doc_kind: str, measure: str) -> list[tuple[str, str, str]]:
    return [(mode, "all", "all"), (mode, "kind", kind), (mode, "doc_kind", doc_kind),
            (mode, "measure", measure or "?")]


def score_corpus(subset: str, corpus: Path = CORPUS) -> tuple[dict, pd.DataFrame]:
    """Tallies of one set, summed over its texts, and the table of its missed/spurious rows."""
    totals: dict[tuple[str, str, str], Tally] = {}
    problems: list[dict] = []
    for item in load_corpus(subset, corpus):
        try:
            rows = parsed_rows(item)
        except Exception as exc:  # one text the parser cannot read must not hide the others
            print(f"{item.stem}.txt: the parser failed ({type(exc).__name__}: {exc}); "
                  "all its labels count as missed", file=sys.stderr)
            rows = pd.DataFrame(columns=["line", "kind", "value", "measure", "qualifier", "region",
                                         "indicator_id", "label", "quote"])
        tallies, found = score_text(item, rows)
        for key, tally in tallies.items():
            totals.setdefault(key, Tally()).add(tally)
        problems.extend(found)
    return totals, pd.DataFrame(problems)


def figures(totals: dict) -> dict[tuple[str, str, str, str], float]:
    """{(mode, dimension, class, precision|recall): value} rounded to three decimals."""
    out = {}
    for (mode, dimension, name), tally in totals.items():
        out[(mode, dimension, name, "precision")] = round(tally.precision, 3)
        out[(mode, dimension, name, "recall")] = round(tally.recall, 3)
    return out


def report(subset: str, totals: dict) -> str:
    """The printed table of one set: each class with its counts, loose and strict."""
    order = [("all", ["all"]), ("kind", list(KINDS)), ("doc_kind", list(DOC_KINDS)),
             ("measure", list(MEASURES) + sorted({k[2] for k in totals if k[1] == "measure"} - set(MEASURES)))]
    lines = [f"== {subset}",
             f"{'class':<24}{'labels':>7}{'rows':>6}   {'precision':>9} {'recall':>7}   "
             f"{'strict P':>8} {'strict R':>8}"]
    for dimension, names in order:
        for name in names:
            loose, strict = totals.get(("loose", dimension, name)), totals.get(("strict", dimension, name))
            if loose is None:
                continue
            title = "overall" if dimension == "all" else f"{dimension}={name}"
            lines.append(f"{title:<24}{loose.labels:>7}{loose.rows:>6}   {_fmt(loose.precision):>9} "
                         f"{_fmt(loose.recall):>7}   {_fmt(strict.precision):>8} {_fmt(strict.recall):>8}")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


def main(argv: list[str]) -> None:
    manifest = read_manifest()
    subsets = argv or list(manifest)
    unknown = [name for name in subsets if name not in manifest]
    if unknown:  # a blind set joins the dev set once it has been measured
        sys.exit(f"no set named {', '.join(unknown)} in corpus.yml; its sets are {', '.join(manifest)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for subset in subsets:
        totals, problems = score_corpus(subset)
        print(report(subset, totals))
        path = RESULTS / f"genre_{subset}.csv"
        problems.to_csv(path, index=False, encoding="utf-8")
        print(f"missed and spurious rows: {path.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
