"""The narrative scanner: every number in running text becomes a `Fact` with its label, year,
region, measure and provenance, or is left out for a stated reason.

Statements (what was) and targets (what shall be) share this scanner; `statements.py` and
`targets.py` turn facts into the two published tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from dezhou_analysis.core import regions
from dezhou_analysis.core.indicators import Indicator, Registry
from dezhou_analysis.core.rounding import round_like
from dezhou_analysis.core.units import dimension
from dezhou_analysis.documents import context as ctx
from dezhou_analysis.documents.normalize import NormalizedText, sentences
from dezhou_analysis.documents.numbers import (
    COUNT_CLASSIFIERS,
    QUANTITY,
    RANGE,
    RATIO,
    chinese_numeral_value,
    qualifier_kind,
)
from dezhou_analysis.documents.sources import Document


@dataclass
class Quantity:
    start: int  # sentence-relative offsets of the whole quantity
    end: int
    num_start: int
    value: float
    unit: str
    qualifier: str  # point | approx | at_least | at_most
    text: str
    high: float | None = None
    parts: tuple[float, ...] = ()
    chinese: bool = False
    used: bool = False


@dataclass
class Fact:
    kind: str  # statement | target
    indicator: Indicator | None
    label: str
    region: str
    year: int | None
    value: float | None
    unit: str
    measure: str
    qualifier: str
    text: str
    line: int
    quote: str
    sentence: int  # sentence id inside the document (for same-sentence relations)
    position: int  # normalised offset of the number
    year_source: str = "stated"
    reference_year: int | None = None
    reference_region: str = ""
    high: float | None = None
    every_year: bool = False
    is_derived: bool = False
    derivation: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class ScanResult:
    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


# ---- vocabulary -----------------------------------------------------------------------------------

_CLAUSE_SPLIT = re.compile(r"[，；：,;]")
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])[XＸ×]{1,4}(?![A-Za-z])")
_TARGET_CUE = re.compile(r"力争|确保|目标是|目标为|预计到|努力实现|奋斗目标")
_PLAN_CUE = re.compile(r"达到|突破|超过|以上|左右|保持在|稳定在|控制在|不低于|不少于|年均增长|提高到|增加到|"
                       r"降低到|下降到|每年保持")
_GROWTH_TAIL = re.compile(
    r"(?P<avg>年均|平均|年平均)?(?:同比|比上年|较上年|(?:比|较)(?P<ref>(?:19|20)\d{2})年(?:同期)?)?"
    r"(?P<verb>增长|增加|提高|上升|下降|减少|降低|回落|递增|递减)了?"
    r"(?:速度为|速度|幅度为|率为)?$")
_PP_TAIL = re.compile(r"(?:(?:比|较)(?P<ref>(?:19|20)\d{2})年(?:同期)?|比上年|较上年|同比)?(?P<verb>提高|上升|增加|扩大|下降|降低|回落|减少|缩小|提升)了?$")
_MULTIPLE_TAIL = re.compile(r"(?:是|为|相当于)(?P<ref>(?:19|20)\d{2})年(?:的)?(?:近|约)?$|(?:是|为)(?P<other>[^，。；]{1,8})的(?:近|约)?$")
_ABS_CHANGE_TAIL = re.compile(r"(?:(?:比|较)(?P<ref>(?:19|20)\d{2})年|(?P<prev>比上年|较上年|同比))"
                              r"(?P<verb>新增|增加|增长|减少|下降)了?$")
_NEGATIVE_VERBS = {"下降", "减少", "降低", "回落", "递减", "缩小"}
_LEADING_NOISE = re.compile(
    r"^(?:其中|截至|截止|到|在|全市|我市|本市|共|累计|已经|已|实现|完成|达到|新增|引进|建成|培育|打造|创建|"
    r"拥有|依托|重点|推进|力争|确保|争取|使|让|并|和|及|与|以|对|按|新|年|底|末|以来|同时|另外|目前|现有|"
    r"当前|全年|规划|建设|实施|开展|还|也|都|将|要|可|能|会|即|则|就|而|并且|此外|特别是|尤其是)+")
_TRAILING_NOISE = re.compile(
    r"(?:实现|完成|达到|达|为|是|共|累计|突破|超过|增长|有|仅有|仅为|仅|约|近|保持在|稳定在|控制在|"
    r"提高到|增加到|下降到|降低到|提高|上升|下降|降低|增加|均|分别|总量|数量为|总数为|规模|已|将|要|稳定|保持|"
    r"逐年|每年|年均|平均|同比|比上年|较上年|比去年|较去年|新增|超|过|不低于|不少于|不超过|不到|不足|逾|接近|"
    r"将近|大约|"
    r"其中|的)+$")
_AFTER_LABEL_STOP = re.compile(r"[，。；：、（(]|和|与|及|的|，|建设|落户|建立|开工|合作|以上|左右|以内")
_ATTRIBUTE_AFTER = re.compile(r"^(?:级|规模|量级|强|大|的(?!目标|水平|规模))")
_STRUCTURE_CUE = re.compile(r"比例|比重|结构|之比|比为|比是")
_YEAR_OF = re.compile(r"((?:19|20)\d{2})年的?$")
GENERIC_LABELS = {"总数", "总量", "总计", "共计", "合计", "累计", "总额", "总规模", "规模", "数量",
                  "同口径", "可比口径", "按可比口径", "按可比价格计算", "可比价", "现价", "名义"}
_COMPARED = re.compile(r"(?:低于|高于|超过|落后于?|领先于?|对标|比|较|与|同|和|、|向|赴|到|去|及)$")
_SUBJECT_REGION_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}年|去年|今年|上年)?(?:底|末)?(?P<region>全省|全国|全市|我市|我省|本市)")


def _has_number(text: str) -> bool:
    return bool(re.search(r"\d|[一二两三四五六七八九十百千]", text))


class DocumentScanner:
    def __init__(self, doc: Document, norm: NormalizedText, registry: Registry,
                 base_year: int | None = None):
        self.doc = doc
        self.norm = norm
        self.registry = registry
        self.doc_year = doc.year
        self.period = ctx.plan_period(doc)
        self.is_plan = doc.kind == "plan"
        self.home = doc.region or ""
        if base_year is None and self.period:
            base_year = self.period[0] - 1
        self.base_year = base_year
        self.default_target_year = self.period[1] if self.period else self.doc_year
        self.result = ScanResult()
        self._sentence_id = 0
        self._comparison = re.compile(
            r"(?P<dir>低于|高于|超过|超出|落后于?|领先于?)(?P<items>(?:(?:" + regions.region_alternation()
            + r")(?:平均水平|平均|的)?(?:约|近)?\d+(?:\.\d+)?(?:个百分点|个|百分点)?[、，和及]?)+)")
        self._comparison_item = re.compile(
            r"(?P<region>" + regions.region_alternation() + r")(?:平均水平|平均|的)?(?:约|近)?"
            r"(?P<num>\d+(?:\.\d+)?)(?P<unit>个百分点|个|百分点)?")

    # ------------------------------------------------------------------------------------------
    def scan(self) -> ScanResult:
        section = "other"
        section_year = None
        region_context = self.home
        text = self.norm.text
        for para in self.norm.paragraphs:
            if para.is_table:
                continue
            ptext = text[para.start:para.end]
            kind = ctx.heading_kind(ptext)
            if kind is not None:
                section = kind
                # "一、2022年工作回顾": the year of a heading is the default year of its section
                years = ctx.year_mentions(ptext, self.doc_year, self.base_year)
                section_year = years[0].year if len(years) == 1 and not years[0].year2 else None
                continue
            if not self.is_plan:
                region_context = self._paragraph_region(ptext, region_context)
            past = section_year is not None and (section == "review" or (
                self.doc_year is not None and section_year < self.doc_year))
            state = {"year": section_year if past else None, "since": None, "subject": None,
                     "target_year": section_year if section_year is not None and not past else None}
            for start, end in sentences(text, para.start, para.end):
                self._sentence_id += 1
                self._sentence(start, end, section, region_context, state)
        return self.result

    def _paragraph_region(self, ptext: str, current: str) -> str:
        """A paragraph about one other city (聊城坚决…) speaks for it until another takes over;
        a city named only as a comparison (低于滨州…, 对标徐州) does not change the subject."""
        found = {r.name for start, _, r in regions.find_regions(ptext)
                 if not _COMPARED.search(ptext[max(0, start - 3):start])}
        home = regions.canonical_region(self.home)
        if home in found:
            return self.home
        ancestors = regions.ancestors(home)  # a zone's text names its city without changing subject
        peers = {name for name in found
                 if name != home and name not in ancestors and not name.endswith(("省", "区"))}
        if len(peers) == 1:
            return peers.pop()
        return current

    # ------------------------------------------------------------------------------------------
    def _sentence(self, s: int, e: int, section: str, region: str, state: dict) -> None:
        stext = self.norm.text[s:e]
        years = ctx.year_mentions(stext, self.doc_year, self.base_year)
        obs_years = [y for y in years if y.role in ("obs", "partial")]
        since = [y for y in years if y.role == "since"]
        if since:
            state["since"] = since[-1].year
        if not _has_number(stext):
            if obs_years:
                state["year"] = obs_years[-1].year
            return
        target_years = [y for y in years if y.role == "target"]
        cues = [y.start for y in target_years] + [m.start() for m in _TARGET_CUE.finditer(stext)]
        plan_goal = not obs_years and state["year"] is None and (
            (self.is_plan and section != "review" and bool(_PLAN_CUE.search(stext)))
            # "二、2023年主要目标" in a work report: its numbers are that year's goals
            or (section == "forward" and state.get("target_year") is not None))
        quantities = self._quantities(stext, years)
        if not quantities:
            if obs_years:
                state["year"] = obs_years[-1].year
            return
        clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，；：,;]+", stext)]
        sentence = _Sentence(self, s, stext, years, clauses, quantities, cues, plan_goal,
                             section, region, state, target_years)
        sentence.run()
        if obs_years:
            state["year"] = obs_years[-1].year

    def _quantities(self, stext: str, years: list[ctx.YearMention]) -> list[Quantity]:
        masked = [False] * len(stext)
        for y in years:
            for i in range(y.start, y.end):
                masked[i] = True
        out: list[Quantity] = []

        def free(a: int, b: int) -> bool:
            return not any(masked[a:b])

        def take(a: int, b: int) -> None:
            for i in range(a, b):
                masked[i] = True

        for m in RATIO.finditer(stext):
            before = stext[max(0, m.start() - 40):m.start()]
            if free(m.start(), m.end()) and _STRUCTURE_CUE.search(before):
                parts = tuple(float(p) for p in m.group(0).split(":"))
                out.append(Quantity(m.start(), m.end(), m.start(), parts[0], "%", "point",
                                    m.group(0), parts=parts))
                take(m.start(), m.end())
        for m in RANGE.finditer(stext):
            if free(m.start(), m.end()):
                out.append(Quantity(m.start(), m.end(), m.start(), float(m.group("lo")),
                                    m.group("unit"), "at_least", m.group(0),
                                    high=float(m.group("hi"))))
                take(m.start(), m.end())
        for m in QUANTITY.finditer(stext):
            if not m.group("num") or not free(m.start("num"), m.end("num")):
                continue
            q = self._quantity(stext, m)
            if q is not None and free(q.start, q.end):
                out.append(q)
                take(q.start, q.end)
        out.sort(key=lambda q: q.start)
        return out

    def _quantity(self, stext: str, m: re.Match) -> Quantity | None:
        num, unit = m.group("num"), m.group("unit") or ""
        chinese = not num[0].isdigit()
        before_char = stext[m.start("num") - 1] if m.start("num") > 0 else ""
        after = stext[m.end():]
        if before_char == "第" or before_char == "每":
            return None
        if m.group("more") == "几":
            self.result.skip("vague number (几)")
            return None
        if chinese:
            if not unit or num in ("一", "二", "两", "几"):
                return None
            if unit not in COUNT_CLASSIFIERS and after[:1] and after[:1] not in "，。；、":
                return None  # 千人计划, 十万大学生: a name, not a quantity
            value = chinese_numeral_value(num)
            if value is None:
                return None
        else:
            value = float(num)
        if unit and _ATTRIBUTE_AFTER.match(after):
            return None
        if not unit and _ATTRIBUTE_AFTER.match(after):
            return None
        if not unit and after[:1] and after[:1] not in "，。；：、）)" and not after.startswith(("以上", "左右")):
            return None  # a bare number glued to words (a name, a code)
        qualifier = qualifier_kind(m.group("pre"), m.group("post"), m.group("more"))
        return Quantity(m.start(), m.end(), m.start("num"), value, unit, qualifier, m.group(0),
                        chinese=chinese)


class _Sentence:
    """One sentence's numbers, resolved left to right (labels and years carry across clauses)."""

    def __init__(self, scanner: DocumentScanner, offset: int, text: str,
                 years: list[ctx.YearMention], clauses: list[tuple[int, int]],
                 quantities: list[Quantity], cues: list[int], plan_goal: bool, section: str,
                 region: str, state: dict, target_years: list[ctx.YearMention]):
        self.sc = scanner
        self.offset = offset
        self.text = text
        self.years = years
        self.clauses = clauses
        self.q = quantities
        self.cues = cues
        self.plan_goal = plan_goal
        self.section = section
        self.region = region
        self.state = state
        self.target_years = target_years
        self.facts: list[Fact] = []
        self.id = scanner._sentence_id
        self._handlers: dict[int, object] = {}
        self._window_start: dict[tuple[int, int], int] = {}

    # -- helpers -----------------------------------------------------------------------------
    def is_target(self, q: Quantity) -> bool:
        """A goal when a target year or cue (力争, 确保…) precedes the number or shares its clause."""
        if self.plan_goal:
            return True
        a, b = self.clause_of(q.start)
        return any(pos < q.start or a <= pos < b for pos in self.cues)

    def clause_of(self, pos: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return 0, len(self.text)

    def has_placeholder(self, pos: int) -> bool:
        a, b = self.clause_of(pos)
        return bool(_PLACEHOLDER.search(self.text[a:b]))

    def provenance(self, q: Quantity) -> tuple[int, str]:
        a, b = self.clause_of(q.start)
        start, end = self.offset + a, self.offset + b
        if b - a < 8:  # a very short clause says little: quote the sentence
            start, end = self.offset, self.offset + len(self.text)
        return self.sc.norm.raw_quote(start, end, anchor=self.offset + q.num_start)

    def year_for(self, q: Quantity) -> tuple[int | None, str]:
        if self.is_target(q):
            if self.target_years:
                before = [y for y in self.target_years if y.start < q.start]
                return (before[-1] if before else self.target_years[0]).year, "stated"
            if self.state.get("target_year"):
                return self.state["target_year"], "section"
            return self.sc.default_target_year, "plan period"
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
        if self.sc.is_plan and self.sc.base_year and any(
                y.role == "since" and y.start < q.start for y in self.years):
            return self.sc.base_year, "document"  # "“十三五”以来…": up to the plan's base year
        if self.state.get("year") is not None:
            return self.state["year"], "paragraph"
        if self.sc.is_plan:
            if self.section == "review":
                return self.sc.base_year, "document"
            return None, "none"
        return self.sc.doc_year, "document"

    def region_for(self, q: Quantity, label_start: int | None = None) -> str:
        a, _ = self.clause_of(q.start)
        head = self.text[a:q.start]
        m = _SUBJECT_REGION_PREFIX.match(head)
        if m and m.group("region") in ("全省", "全国"):
            if label_start is None or a + m.start("region") != label_start:
                return m.group("region")
        return self.region

    def label_before(self, q: Quantity, window_start: int, look_back: bool | str = False
                     ) -> tuple[Indicator | None, str, int | None]:
        window = self.text[window_start:q.start]
        matches = self.sc.registry.scan(window)
        if matches:
            last = matches[-1]
            return last.indicator, window[last.start:last.end], window_start + last.start
        cleaned = _clean_label(window)
        if look_back == "always" or (look_back and not cleaned):
            # the subject sits in an earlier clause: 投资贡献率有所回落，从2013年的…
            prefix = self.text[:window_start]
            earlier = [m for m in self.sc.registry.scan(prefix)
                       if not any(m.end <= x.start < window_start for x in self.q if x.used)]
            if earlier:
                last = earlier[-1]
                return last.indicator, prefix[last.start:last.end], last.start
        return None, cleaned, None

    def label_after(self, q: Quantity) -> tuple[Indicator | None, str]:
        rest = self.text[q.end:]
        head = re.split(r"[，。；：、,;]", rest, maxsplit=1)[0]
        if not head or not re.match(r"[\u4e00-\u9fff“]", head):
            return None, ""
        found = self.sc.registry.scan(head)
        if found:
            return found[0].indicator, head[found[0].start:found[0].end]
        stop = _AFTER_LABEL_STOP.search(head)
        return None, _clean_label(head[: stop.start()] if stop else head)

    def emit(self, q: Quantity, indicator: Indicator | None, label: str, measure: str,
             year: int | None, year_source: str, value: float | None = None, **extra) -> Fact:
        line, quote = self.provenance(q)
        region = extra.pop("region", None) or self.region_for(q, extra.pop("label_start", None))
        _, raw_text = self.sc.norm.raw_quote(self.offset + q.start, self.offset + q.end,
                                             anchor=self.offset + q.num_start)
        extra.setdefault("extra", {})["raw_text"] = raw_text
        fact = Fact(kind="target" if self.is_target(q) else "statement", indicator=indicator,
                    label=_balanced_quotes(label), region=region, year=year,
                    value=q.value if value is None else value,
                    unit=extra.pop("unit", q.unit), measure=measure, qualifier=q.qualifier,
                    text=q.text, line=line, quote=quote, sentence=self.id,
                    position=self.offset + q.num_start, year_source=year_source,
                    high=q.high, **extra)
        self.facts.append(fact)
        self.sc.result.facts.append(fact)
        q.used = True
        return fact

    def subject_before(self, pos: int) -> Fact | None:
        prior = [f for f in self.facts if f.position < self.offset + pos and f.measure in
                 ("level", "share", "count", "ratio_part") and not f.is_derived]
        return prior[-1] if prior else None

    # -- the pass ------------------------------------------------------------------------------
    def run(self) -> None:
        for q in self.q:
            if self.has_placeholder(q.start):
                q.used = True
                self.sc.result.skip("placeholder (X) in clause")
        self.plan_comparisons()
        self.plan_from_to()
        self.plan_series()
        self.plan_breakdown()
        for q in self.q:
            if q.used:
                continue
            handler = self._handlers.get(id(q))
            if q.parts:
                self.structure_ratio(q)
            elif handler is not None:
                handler()
            else:
                self.generic(q)

    def plan_comparisons(self) -> None:
        for m in self.sc._comparison.finditer(self.text):
            if "百分点" not in m.group("items"):
                continue
            sign = -1 if m.group("dir").startswith(("低于", "落后")) else 1
            for item in self.sc._comparison_item.finditer(m.group("items")):
                pos = m.start("items") + item.start("num")
                q = next((x for x in self.q if x.num_start == pos and not x.used), None)
                if q is not None:
                    self._handlers[id(q)] = partial(self.comparison, q, item.group("region"),
                                                    sign, m.start())

    def comparison(self, q: Quantity, region_text: str, sign: int, at: int) -> None:
        # a gap in points compares a percentage, a growth rate or an index, never 亿元
        prior = [f for f in self.facts if f.position < self.offset + at and not f.is_derived
                 and f.measure in ("level", "share", "growth_yoy", "growth_avg")
                 and (f.unit in ("%", "‰", "") or (f.indicator is not None
                                                    and f.indicator.kind in ("index", "share", "rate")))]
        subject = prior[-1] if prior else None
        if subject is None:
            q.used = True
            self.sc.result.skip("comparison without a stated percentage or index before it")
            return
        other = regions.canonical_region(region_text)
        same_place = region_text in ("全市", "我市", "本市") or \
            other == regions.canonical_region(subject.region)
        gap = q.value * sign
        self.emit(q, subject.indicator, subject.label, "pp_change", subject.year,
                  subject.year_source, value=gap, unit="个百分点", region=subject.region,
                  reference_region=region_text if same_place else other)
        if same_place:
            return  # "低于全市平均水平": the comparator is an average the text does not give
        value = round_like(subject.value - gap, subject.value, q.value)
        relation = "below" if sign < 0 else "above"
        fact = self.emit(q, subject.indicator, subject.label, subject.measure, subject.year,
                         subject.year_source, value=value, unit=subject.unit, region=other,
                         is_derived=True,
                         derivation=f"{_fmt(subject.value)} {'+' if sign < 0 else '−'} {_fmt(q.value)}"
                                    f" ({subject.region} is {_fmt(q.value)} pp {relation} {other})")
        fact.qualifier = subject.qualifier

    def structure_ratio(self, q: Quantity) -> None:
        structure = None
        for match in self.sc.registry.scan(self.text[:q.start]):
            if match.indicator.kind == "structure":
                structure = match.indicator
        year_match = _YEAR_OF.search(self.text[max(0, q.start - 8):q.start])
        if year_match:
            year, source = int(year_match.group(1)), "stated"
        else:
            year, source = self.year_for(q)
        if structure is None or len(structure.parts) != len(q.parts):
            label = _clean_label(self.text[self.clause_of(q.start)[0]:q.start])
            if not label:
                q.used = True
                self.sc.result.skip("ratio without a label")
                return
            for i, part in enumerate(q.parts, 1):
                self.emit(q, None, f"{label}（第{i}部分）", "ratio_part", year, source,
                          value=part, unit="", derivation=f"part {i} of {q.text}")
            return
        for i, (part_id, part) in enumerate(zip(structure.parts, q.parts, strict=True), 1):
            indicator = self.sc.registry.indicators.get(part_id)
            self.emit(q, indicator, indicator.name_zh if indicator else part_id, "ratio_part",
                      year, source, value=part, unit="%",
                      derivation=f"part {i} of {structure.name_zh} {q.text}")

    def plan_from_to(self) -> None:
        for i, q1 in enumerate(self.q[:-1]):
            q2 = self.q[i + 1]
            m1 = re.search(r"(?:从|由)((?:19|20)\d{2})年(?:末|底)?的?$", self.text[max(0, q1.start - 10):q1.start])
            m2 = re.search(r"(?:到|至)((?:19|20)\d{2})年(?:末|底)?的?$", self.text[q1.end:q2.start])
            if m1 and m2 and not (q1.used or q2.used):
                self._handlers[id(q1)] = partial(self.from_to, q1, q2, int(m1.group(1)),
                                                 int(m2.group(1)))

    def from_to(self, q1: Quantity, q2: Quantity, y1: int, y2: int) -> None:
        indicator, label, _ = self.label_before(q1, self.clause_of(q1.start)[0], look_back=True)
        if not label:
            q1.used = q2.used = True
            self.sc.result.skip("from-to without a label")
            return
        measure = _level_measure(indicator, q1.unit)
        self.emit(q1, indicator, label, measure, y1, "stated")
        self.emit(q2, indicator, label, measure, y2, "stated")
        self.state["since"] = y1  # a 年均增长 that follows spans the same years

    def plan_series(self) -> None:
        for m in re.finditer(r"分别(?:为|是|达到|达|增长|同比增长|比上年增长|下降|提高|占)?", self.text):
            chain: list[Quantity] = []
            pos = m.end()
            for q in self.q:
                if q.start < m.end() or q.used:
                    continue
                if self.text[pos:q.start].strip("、，和及与 ") != "":
                    break
                chain.append(q)
                pos = q.end
            if len(chain) >= 2:
                self._handlers[id(chain[0])] = partial(self.series, chain, m)

    def series(self, chain: list[Quantity], m: re.Match) -> None:
        head = self.text[:m.start()]
        word = m.group(0)
        growth = bool(re.search(r"增长|下降|提高", word))
        sign = -1 if "下降" in word else 1
        spans = [y for y in self.years if y.role == "span" and y.start < m.start()]
        if spans and spans[-1].year2 and spans[-1].year2 - spans[-1].year + 1 == len(chain):
            span = spans[-1]
            indicator, label, _ = self.label_before(chain[0], self.clause_of(span.start)[0])
            label = label or _clean_label(head)
            for offset, q in enumerate(chain):
                measure = "growth_yoy" if growth else _level_measure(indicator, q.unit)
                self.emit(q, indicator, label, measure, span.year + offset, "stated",
                          value=sign * q.value,
                          derivation=f"item {offset + 1} of a {span.year}-{span.year2} series")
            return
        labels = self._split_compound(head)
        if len(labels) != len(chain):
            previous = self.state.get("labels")
            labels = previous if (growth and previous and len(previous) == len(chain)) else []
        if len(labels) != len(chain):
            for q in chain:
                self.generic(q)
            return
        year, source = self.year_for(chain[0])
        for (indicator, label), q in zip(labels, chain, strict=True):
            measure = "growth_yoy" if growth else _level_measure(indicator, q.unit)
            self.emit(q, indicator, label, measure, year, source, value=sign * q.value)
        self.state["labels"] = labels

    def _split_compound(self, head: str) -> list[tuple[Indicator | None, str]]:
        """城镇和农村居民人均可支配收入 → [城镇居民人均可支配收入, 农村居民人均可支配收入]."""
        a, _ = self.clause_of(max(0, len(head) - 1))
        phrase = _clean_label(head[a:])
        pieces = [p for p in re.split(r"和|与|及|、", phrase) if p]
        if len(pieces) < 2:
            return []
        last = pieces[-1]
        stem = last[len(pieces[0]):] if len(last) > len(pieces[0]) else ""
        labels = [p + stem for p in pieces[:-1]] + [last]
        out = [(self.sc.registry.match(label), label) for label in labels]
        return out if any(ind for ind, _ in out) else []

    def plan_breakdown(self) -> None:
        """其中国家级28个，省级263个 — children run while each is a short qualifier + number."""
        for m in re.finditer(r"其中", self.text):
            parent_q = next((q for q in reversed(self.q) if q.end <= m.start()), None)
            if parent_q is None:
                continue
            for q in self.q:
                if q.start < m.end() or q.used or id(q) in self._handlers:
                    continue
                a, _ = self.clause_of(q.start)
                gap = self.text[max(a, m.end()):q.start]
                if ("；" in self.text[m.end():q.start] or len(gap) > 10
                        or dimension(q.unit) != dimension(parent_q.unit)):
                    break
                self._handlers[id(q)] = partial(self.breakdown, q, m)

    def breakdown(self, q: Quantity, at: re.Match) -> None:
        parent = self.subject_before(at.start())
        if parent is None:
            self.generic(q)
            return
        window_start = max(self.clause_of(q.start)[0], at.end())
        qualifier = _clean_label(self.text[window_start:q.start])
        if not qualifier:  # 其中91个开工建设: the qualifier follows the number
            qualifier = re.split(r"[，。；：、,;]", self.text[q.end:], maxsplit=1)[0].strip()
        if not qualifier or len(qualifier) > 12:
            self.generic(q)
            return
        child = None
        if parent.indicator is not None:
            child = self.sc.registry.child(parent.indicator.id, qualifier)
        own = self.sc.registry.match(qualifier) if child is None else None
        if own is not None and _unit_fits(own, q.unit):
            self.emit(q, own, qualifier, _level_measure(own, q.unit), parent.year,
                      parent.year_source, region=parent.region)
            return
        label = child.name_zh if child else f"{parent.label}·{qualifier}"
        self.emit(q, child, label, _level_measure(child or parent.indicator, q.unit),
                  parent.year, parent.year_source, region=parent.region,
                  extra={"parent": parent.label, "qualifier": qualifier})

    def generic(self, q: Quantity) -> None:
        clause = self.clause_of(q.start)
        window_start = max(clause[0], self._window_start.get(clause, clause[0]))
        self._window_start[clause] = q.end
        before = self.text[window_start:q.start]
        measure, reference_year, sign = self._relation(q, before)
        relation = measure in ("pp_change", "multiple", "growth_yoy", "growth_avg", "abs_change")
        target = self.is_target(q)
        indicator, label, label_start = self.label_before(q, window_start, look_back=not target)
        if q.unit in COUNT_CLASSIFIERS or (q.unit == "" and q.chinese):
            after_indicator, after_label = self.label_after(q)
            if after_indicator is not None or (indicator is None and after_label):
                indicator, label, label_start = after_indicator, after_label, None
        composed = self._compose_share(q, before)
        if composed is not None:
            indicator, label = composed
            label_start = None
        own_words = label and not _label_is_the_verb(before, label) and label not in GENERIC_LABELS
        if (relation and indicator is None) or (indicator is None and label in GENERIC_LABELS):
            # "…，投资年均增长8%" or "总数达到680家": the subject was named earlier in the sentence
            fallback, fallback_label, _ = self.label_before(q, window_start, look_back="always")
            subject = self.subject_before(q.start)
            if fallback is not None and (not own_words or fallback_label.endswith(label)
                                         or label in fallback_label):
                indicator, label = fallback, fallback_label
            elif own_words:
                pass  # a label of its own that the registry does not know: keep it
            elif subject is not None:
                indicator, label = subject.indicator, subject.label
            elif label in GENERIC_LABELS and any(f.indicator for f in self.facts):
                named = [f for f in self.facts if f.indicator][-1]
                indicator, label = named.indicator, named.label
            elif self.state.get("subject") is not None and relation:
                indicator, label = self.state["subject"].indicator, self.state["subject"].label
            label_start = None
        if indicator is not None and not relation and not _unit_fits(indicator, q.unit):
            # the nearest label names a neighbouring quantity (e.g. revenue vs its share)
            label = _clean_label(before) or label
            indicator = self.sc.registry.match(label)
            label_start = None
        if not label:
            # "…年均增长6.5%，2020年达到5872.2亿元": the verb's subject was named before
            named = [f for f in self.facts if f.indicator is not None and not f.is_derived]
            if named and _unit_fits(named[-1].indicator, q.unit):
                indicator, label, label_start = named[-1].indicator, named[-1].label, None
        if not label:
            q.used = True
            self.sc.result.skip("number without a label")
            return
        if indicator is None and (q.chinese or not q.unit):
            q.used = True
            self.sc.result.skip("unitless or Chinese-numeral number without a known label")
            return
        if indicator is None and "年产" in label:
            q.used = True
            self.sc.result.skip("project capacity (年产…)")
            return
        if not relation:
            measure = _level_measure(indicator, q.unit)
        year, source = self.year_for(q)
        if year is None:
            q.used = True
            self.sc.result.skip("plan text without a year or a target cue")
            return
        if indicator is None and source == "document" and not target:
            q.used = True
            self.sc.result.skip("unknown label without a stated year")
            return
        if reference_year == -1:  # 比上年
            reference_year = year - 1
        if measure == "growth_avg" and reference_year is None and not target:
            spans = [y for y in self.years if y.role == "span"]
            reference_year = spans[-1].year if spans else self.state.get("since")
        every_year = "每年" in self.text[clause[0]:q.start]
        fact = self.emit(q, indicator, label, measure, year, source, value=sign * q.value,
                         reference_year=reference_year, every_year=every_year,
                         label_start=label_start)
        if measure in ("level", "share", "count"):
            self.state["subject"] = fact

    def _relation(self, q: Quantity, before: str) -> tuple[str, int | None, int]:
        stripped = before.rstrip()
        if q.unit in ("个百分点", "百分点"):
            m = _PP_TAIL.search(stripped)
            ref = int(m.group("ref")) if m and m.group("ref") else None
            if ref is None and re.search(r"比上年|较上年|同比", stripped[-8:]):
                ref = -1
            sign = -1 if m and m.group("verb") in _NEGATIVE_VERBS else 1
            return "pp_change", ref, sign
        if q.unit == "倍":
            m = _MULTIPLE_TAIL.search(stripped)
            ref = int(m.group("ref")) if m and m.group("ref") else None
            return "multiple", ref, 1
        if q.unit in ("%", "‰"):
            m = _GROWTH_TAIL.search(stripped)
            if m:
                sign = -1 if m.group("verb") in _NEGATIVE_VERBS else 1
                ref = int(m.group("ref")) if m.group("ref") else None  # 比2015年增长: since then
                return ("growth_avg" if m.group("avg") else "growth_yoy"), ref, sign
            return "level", None, 1
        m = _ABS_CHANGE_TAIL.search(stripped)
        if m:
            sign = -1 if m.group("verb") in _NEGATIVE_VERBS else 1
            return "abs_change", int(m.group("ref")) if m.group("ref") else -1, sign
        if re.search(r"(?:^|[，、；])(?:全年|年内|当年)?新增[\u4e00-\u9fff“”（）]{0,20}$", stripped) \
                and not self.is_target(q):
            return "abs_change", -1, 1  # 新增 N: an increment on the year before
        return "level", None, 1

    def _compose_share(self, q: Quantity, before: str) -> tuple[Indicator | None, str] | None:
        """`金融业增加值…，占GDP比重为3.8%` → 金融业增加值占GDP比重."""
        stripped = _LEADING_NOISE.sub("", before)
        if not stripped.startswith("占") or q.unit not in ("%", "‰"):
            return None
        subject = self.subject_before(q.start)
        if subject is None:
            return None
        label = subject.label + _TRAILING_NOISE.sub("", stripped)
        indicator = self.sc.registry.match(label)
        if indicator is None:
            scanned = self.sc.registry.scan(label)
            if scanned and scanned[-1].end == len(label) and \
                    scanned[-1].indicator.kind in ("share", "rate"):
                indicator = scanned[-1].indicator
        return indicator, label


# ---- small helpers --------------------------------------------------------------------------------

def _balanced_quotes(label: str) -> str:
    """`三品一标”产品…` (the opening quote fell before the label's start) → `“三品一标”产品…`."""
    if label.count("”") > label.count("“") and not label.startswith("“"):
        return "“" + label
    if label.count("“") > label.count("”"):
        return label.rstrip("“")
    return label


def _clean_label(text: str) -> str:
    text = re.sub(r"(?:19|20)\d{2}年(?:底|末)?", "", text)
    text = re.sub(r"^[，、；：\s]+|[，、；：\s]+$", "", text)
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_NOISE.sub("", text)
        text = _TRAILING_NOISE.sub("", text)
        text = text.strip("，、；： ")
    if len(text) < 2 or len(text) > 60 or not re.search(r"[\u4e00-\u9fffA-Za-z]", text):
        return ""
    return text


def _label_is_the_verb(before: str, label: str) -> bool:
    """True when the 'label' found before a growth figure is only the verb phrase itself."""
    return not label or bool(re.fullmatch(r"(?:年均|平均|同比|比上年)?(?:增长|增加|提高|下降|减少|降低|回落)?", label))


def _unit_fits(indicator: Indicator, unit: str) -> bool:
    if not unit:
        return indicator.kind == "index" or indicator.unit == ""
    if unit in ("%", "‰"):
        return indicator.unit in ("%", "‰")
    if indicator.unit in ("%", "‰"):
        return False
    return dimension(unit) == dimension(indicator.unit) or dimension(unit) is None or (
        dimension(indicator.unit) in ("count", "persons") and dimension(unit) in ("count", "persons"))


def _level_measure(indicator: Indicator | None, unit: str) -> str:
    if unit in ("%", "‰") or (indicator is not None and indicator.kind in ("share", "rate")):
        return "share"
    if indicator is not None and indicator.kind == "count":
        return "count"
    if dimension(unit) in ("count", "persons") and indicator is None:
        return "count"
    return "level"


def _fmt(value: float) -> str:
    return f"{value:.10g}"


def scan_document(doc: Document, norm: NormalizedText, registry: Registry,
                  base_year: int | None = None) -> ScanResult:
    return DocumentScanner(doc, norm, registry, base_year).scan()
