"""One sentence being read: the small context every pattern handler receives.

A `DocumentFrame` carries what the sentence needs to know about its document (normalised text
for quotes, registry, dates, plan period, where facts go); a `Sentence` adds the sentence's own
years, clauses, quantities and goal cues, and the questions handlers ask of them: which clause a
number stands in, whether it is a goal, its year, its region, its label, and `emit` to record it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dezhou_analysis.core import regions
from dezhou_analysis.core.indicators import Indicator, Registry
from dezhou_analysis.documents.context import YearMention
from dezhou_analysis.documents.cues import (
    AFTER_LABEL_STOP,
    MILESTONE_AFTER,
    PLACEHOLDER,
    SUBJECT_REGION_PREFIX,
)
from dezhou_analysis.documents.facts import Fact, Quantity, ScanResult
from dezhou_analysis.documents.labels import balanced_quotes, clean_label, indicator_named_by
from dezhou_analysis.documents.normalize import NormalizedText


@dataclass(frozen=True)
class DocumentFrame:
    """What every sentence of one document shares."""

    norm: NormalizedText
    registry: Registry
    result: ScanResult
    doc_year: int | None
    base_year: int | None
    default_target_year: int | None
    is_plan: bool
    kind: str = "other"  # the document's kind (plan, report, bulletin, news…)
    is_bulletin: bool = False  # a statistics bulletin states what was, never what shall be
    review_year: int | None = None  # the year a bulletin reports on (its title's, else the year before its date)
    places: dict[str, str] = field(default_factory=dict)  # 全省 → 山东省 for this document
    year_ahead: bool = False  # dated in the first half of its year: most of that year is still to come

    def place(self, word: str) -> str:
        """An aggregate word (全省, 我市) as the region it names for this document."""
        return self.places.get(word, word)


@dataclass
class Sentence:
    """A sentence's numbers, resolved left to right (labels and years carry across clauses)."""

    frame: DocumentFrame
    id: int
    offset: int
    text: str
    years: list[YearMention]
    quantities: list[Quantity]
    cues: list[int]  # positions of goal cues (a target year, 力争, 确保…)
    plan_goal: bool  # every number of the sentence is a goal (a plan's 主要目标)
    section: str
    region: str
    state: dict  # carried from sentence to sentence in a paragraph
    facts: list[Fact] = field(default_factory=list)
    clauses: list[tuple[int, int]] = field(init=False)
    target_years: list[YearMention] = field(init=False)
    window_start: dict[tuple[int, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，；：,;]+", self.text)]
        self.target_years = [y for y in self.years if y.role == "target"]

    @property
    def registry(self) -> Registry:
        return self.frame.registry

    def skip(self, q: Quantity, reason: str) -> None:
        """Leave a number out, counted by reason."""
        q.used = True
        self.frame.result.skip(reason)

    def set_aside(self, q: Quantity, label: str, value: float, year: int | None, reason: str) -> None:
        """A number whose indicator cannot be named: kept with its sentence for a reader, not
        published as a target or an observation."""
        line, quote = self.provenance(q)
        self.frame.result.unmatched.append({
            "kind": "target" if self.is_target(q) else "observation", "label": label,
            "value": value, "unit": q.unit, "year": year, "region": self.region_for(q),
            "reason": reason, "source_line": line, "source_quote": quote})
        self.skip(q, "indicator cannot be named (set aside in plan_unmatched)")

    def is_target(self, q: Quantity) -> bool:
        """A goal when a target year or cue (力争, 确保…) precedes the number or shares its clause."""
        if self.frame.is_bulletin:
            return False
        a, b = self.clause_of(q.start)
        if any(a <= pos < b and self._cue_reaches(pos, a, q.start) for pos in self.cues):
            return True
        if self._clause_reports_the_past(a, b, q.start):
            return False  # 规划目标是下降15%，2019年已下降16.2%: the second clause is a result
        if self.plan_goal:
            return True
        if self.target_years and not any(y.role in ("obs", "partial", "since") for y in self.years):
            return True  # 年均增速10%以上，到2020年达到850亿元: the sentence speaks of that year
        return any(pos < q.start for pos in self.cues)

    def _cue_reaches(self, cue: int, a: int, pos: int) -> bool:
        """A goal cue after the number reaches back to it unless a past year of the clause
        governs the number (去年GDP增长4.9% 今年将…: the growth is last year's)."""
        if cue < pos:
            return True
        doc_year = self.frame.doc_year
        nearest = [y for y in self.years if a <= y.start < pos]
        return not (nearest and nearest[-1].role in ("obs", "partial") and doc_year is not None
                    and nearest[-1].year < doc_year)

    def _clause_reports_the_past(self, a: int, b: int, pos: int) -> bool:
        """A clause that opens with a past year of its own and says 已 (already) before the number."""
        doc_year = self.frame.doc_year
        past = [y for y in self.years if a <= y.start < pos and y.role == "obs"
                and (doc_year is None or y.year < doc_year)]
        return bool(past) and bool(re.search(r"已经?|业已", self.text[past[0].end:pos]))

    def clause_of(self, pos: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return 0, len(self.text)

    def has_placeholder(self, pos: int) -> bool:
        a, b = self.clause_of(pos)
        return bool(PLACEHOLDER.search(self.text[a:b]))

    def provenance(self, q: Quantity) -> tuple[int, str]:
        a, b = self.clause_of(q.start)
        start, end = self.offset + a, self.offset + b
        if b - a < 8:  # a very short clause says little: quote the sentence
            start, end = self.offset, self.offset + len(self.text)
        return self.frame.norm.raw_quote(start, end, anchor=self.offset + q.num_start)

    def year_for(self, q: Quantity) -> tuple[int | None, str]:
        """The number's year and how it was found (stated, section, paragraph, document…)."""
        if self.is_target(q):
            if self.target_years:
                before = [y for y in self.target_years if y.start < q.start]
                return (before[-1] if before else self.target_years[0]).year, "stated"
            if self.state.get("target_year"):
                return self.state["target_year"], "section"
            doc_year = self.frame.doc_year
            current = [y for y in self.years if y.role == "obs" and y.start < q.start
                       and doc_year is not None and y.year >= doc_year]
            if current:  # "2023年…主要预期目标包括…", said in 2023: that year's goals
                return current[-1].year, "stated"
            return self.frame.default_target_year, "plan period"
        return self._observation_year(q)

    def _observation_year(self, q: Quantity) -> tuple[int | None, str]:
        before = [y for y in self.years if y.role in ("obs", "partial") and y.start < q.start]
        if before:
            return before[-1].year, "stated"
        after = [y for y in self.years if y.role in ("obs", "partial") and y.start > q.start
                 and self.clause_of(y.start) == self.clause_of(q.start)]
        if after:
            return after[0].year, "stated"
        spans = [y for y in self.years if y.role == "span" and y.year2 and y.start < q.start]
        if spans:  # "2014—2017年…年均增长7.8%", "“十三五”时期…年均增长": the span's last year
            return spans[-1].year2, "stated"
        frame = self.frame
        if frame.is_plan and frame.base_year and any(
                y.role == "since" and y.start < q.start for y in self.years):
            return frame.base_year, "document"  # "“十三五”以来…": up to the plan's base year
        if self.state.get("year") is not None:
            return self.state["year"], "paragraph"
        if frame.is_plan:
            if self.section == "review":  # 一、发展基础: the results at the plan's base year
                return frame.base_year, "section"
            return None, "none"
        if frame.review_year is not None:
            return frame.review_year, "title"
        return frame.doc_year, "document"

    def region_for(self, q: Quantity, label_start: int | None = None) -> str:
        """全省… opening the number's clause, or an earlier clause of the sentence that the
        number's clause continues (全省地区生产总值87435亿元，增长3.9%), names its region."""
        a, _ = self.clause_of(q.start)
        own_label = label_start is not None and label_start >= a
        for start, _end in reversed([c for c in self.clauses if c[0] <= a]):
            if start != a and own_label:
                break  # a clause with a label of its own does not continue an earlier subject
            m = SUBJECT_REGION_PREFIX.match(self.text[start:q.start])
            if m is None:
                named = named_subject_region(self.text[start:q.start], self.registry)
                if named is not None:
                    return named
                continue
            if m.group("region") not in ("全省", "全国", "我省", "本省"):
                return self.region
            if start != a or label_start is None or start + m.start("region") != label_start:
                return self.frame.place(m.group("region"))
            return self.region
        return self.region

    def label_before(self, q: Quantity, window_start: int, look_back: bool | str = False
                     ) -> tuple[Indicator | None, str, int | None]:
        """The registry label nearest before the number, else the cleaned words before it; with
        `look_back`, a registry label in an earlier clause when this one names none."""
        window = self.text[window_start:q.start]
        matches = self.registry.scan(window)
        if matches:
            last = matches[-1]
            return last.indicator, window[last.start:last.end], window_start + last.start
        cleaned = clean_label(window)
        if look_back == "always" or (look_back and not cleaned):
            # the subject sits in an earlier clause: 投资贡献率有所回落，从2013年的…
            prefix = self.text[:window_start]
            earlier = [m for m in self.registry.scan(prefix)
                       if not any(m.end <= x.start < window_start for x in self.quantities if x.used)]
            if earlier:
                last = earlier[-1]
                return last.indicator, prefix[last.start:last.end], last.start
        return indicator_named_by(self.registry, cleaned), cleaned, None

    def label_after(self, q: Quantity) -> tuple[Indicator | None, str]:
        """`315家高新技术企业`: the label that follows a count."""
        rest = self.text[q.end:]
        head = re.split(r"[，。；：、,;]", rest, maxsplit=1)[0]
        if not head or not re.match(r"[\u4e00-\u9fff“]", head) or MILESTONE_AFTER.match(head):
            return None, ""
        found = self.registry.scan(head)
        if found:
            return found[0].indicator, head[found[0].start:found[0].end]
        stop = AFTER_LABEL_STOP.search(head)
        return None, clean_label(head[: stop.start()] if stop else head)

    def emit(self, q: Quantity, indicator: Indicator | None, label: str, measure: str,
             year: int | None, year_source: str, value: float | None = None, **extra) -> Fact:
        """Record the number as a fact of this sentence, with its quote and line."""
        line, quote = self.provenance(q)
        region = extra.pop("region", None) or self.region_for(q, extra.pop("label_start", None))
        norm = self.frame.norm
        _, raw_text = norm.raw_quote(self.offset + q.start, self.offset + q.end,
                                     anchor=self.offset + q.num_start)
        extra.setdefault("extra", {})["raw_text"] = raw_text
        as_target = extra.pop("as_target", None)
        target = self.is_target(q) if as_target is None else as_target
        fact = Fact(kind="target" if target else "statement", indicator=indicator,
                    label=balanced_quotes(label), region=region, year=year,
                    value=q.value if value is None else value,
                    unit=extra.pop("unit", q.unit), measure=measure, qualifier=q.qualifier,
                    text=q.text, line=line, quote=quote, sentence=self.id,
                    position=self.offset + q.num_start, year_source=year_source,
                    high=q.high, **extra)
        self.facts.append(fact)
        self.frame.result.facts.append(fact)
        q.used = True
        return fact

    def subject_before(self, pos: int) -> Fact | None:
        """The last level, share or count this sentence stated before `pos`."""
        prior = [f for f in self.facts if f.position < self.offset + pos and f.measure in
                 ("level", "share", "count", "ratio_part") and not f.is_derived]
        return prior[-1] if prior else None


_TIME_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}年|去年|今年|上年)?(?:底|末|全年|上半年|前三季度|一季度|前\d{1,2}个?月)?")


def named_subject_region(clause: str, registry: Registry) -> str | None:
    """2022年广西地区生产总值26300.87亿元: a province or city named right before a registry label
    that opens the clause is the place the figure is about (a county's news may quote its
    province). A name that opens anything else (山东大学…, 德州占5席) says nothing of the kind."""
    rest = clause[_TIME_PREFIX.match(clause).end():]
    found = regions.find_regions(rest)
    if not found or found[0][0] != 0:
        return None
    label = registry.scan(rest[found[0][1]:])
    return found[0][2].name if label and label[0].start == 0 else None
