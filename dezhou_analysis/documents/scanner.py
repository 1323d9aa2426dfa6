"""The narrative scanner: every number in running text becomes a `Fact` with its label, year,
region, measure and provenance, or is left out for a stated reason.

The scanner walks paragraphs and sentences, keeping what carries from one to the next (the
section, its year, the region a paragraph speaks for); each sentence with numbers is read by
`relations.read_sentence`.
"""

from __future__ import annotations

import re

from dezhou_analysis.core import regions
from dezhou_analysis.core.indicators import Registry
from dezhou_analysis.documents import context as ctx
from dezhou_analysis.documents.cues import (
    COMPARED,
    CONTINUATION,
    DATELINE,
    FORECAST_WORD,
    FUTURE_REACH,
    FUTURE_WORD,
    GOAL_HEADLINE,
    GOAL_LIST_INTRO,
    GOAL_LIST_ITEM,
    GOAL_RUN,
    PLAN_CUE,
    TARGET_CUE,
    WITHIN_THE_YEAR,
    has_number,
)
from dezhou_analysis.documents.facts import ScanResult
from dezhou_analysis.documents.normalize import NormalizedText, sentences
from dezhou_analysis.documents.quantities import find_quantities
from dezhou_analysis.documents.relations import read_sentence
from dezhou_analysis.documents.sentence import DocumentFrame, Sentence
from dezhou_analysis.documents.sources import Document


class DocumentScanner:
    """One document's narrative, paragraph by paragraph."""

    def __init__(self, doc: Document, norm: NormalizedText, registry: Registry,
                 base_year: int | None = None):
        self.norm = norm
        period = ctx.plan_period(doc)
        self.home = doc.region or ""
        self.home_names = home_names(self.home)
        self.parents = named_parents(norm.text, self.home_names)
        self.home_known = regions.canonical_region(self.home) in {r.name for r in regions.gazetteer()}
        if base_year is None and period:
            base_year = period[0] - 1
        self.frame = DocumentFrame(
            norm=norm, registry=registry, result=ScanResult(), doc_year=doc.year,
            base_year=base_year, default_target_year=period[1] if period else doc.year,
            is_plan=doc.kind == "plan", is_bulletin=doc.kind == "bulletin", kind=doc.kind,
            places=aggregate_places(self.home), review_year=review_year(doc),
            year_ahead=doc.date is not None and doc.date.month <= 6)
        self._sentence_id = 0
        self._goal_carry: int | None = None  # a goal's year that a 其中/同时 sentence continues
        self._horizon: int | None = None  # the future year the text last looked ahead to
        self._goal_intro = False  # the paragraph before was a goal list's intro (主要预期目标是：)

    def scan(self) -> ScanResult:
        frame = self.frame
        section = "other"
        section_year = None
        region_context = self.home
        text = self.norm.text
        goal_list: int | None = None  # the year of the goals listed under "主要预期目标是："
        carried_past: int | None = None  # the past year a plan's paragraph hands to the next
        for para in self.norm.paragraphs:
            if para.is_table:
                continue
            ptext = text[para.start:para.end]
            kind = ctx.heading_kind(ptext)
            goal_list = self._goal_list(ptext, goal_list, kind)
            if kind is not None:
                years = ctx.year_mentions(ptext, frame.doc_year, frame.base_year)
                if not years and section_year is not None and re.match(r"\s*[（(]", ptext):
                    continue  # "（一）经济保持平稳增长" stays in its chapter's year
                section = kind
                carried_past = None
                self._goal_carry = None
                self._horizon = None
                # "一、2022年工作回顾": the year of a heading is the default year of its section
                section_year = years[0].year if len(years) == 1 and not years[0].year2 else None
                continue
            dateline = DATELINE.match(ptext)
            body_start = para.start + (dateline.end() if dateline else 0)
            paragraph_region = region_context
            if not frame.is_plan:  # where a story was filed does not say whose figures follow
                paragraph_region = self._paragraph_region(DATELINE.sub("", ptext), region_context)
                if not _BULLET.match(ptext):  # ●广州经济总量…: a bullet speaks for itself only
                    region_context = paragraph_region
            past = section_year is not None and (section == "review" or (
                frame.doc_year is not None and section_year < frame.doc_year))
            year = section_year if past else carried_past
            state = {"year": year, "since": None, "subject": None,
                     "target_year": section_year if section_year is not None and not past else None}
            if goal_list is not None and GOAL_LIST_INTRO.search(ptext) is None:
                state.update({"year": None, "target_year": goal_list, "goal_list": True})
            state["goal_carry"] = self._goal_carry
            for start, end in sentences(text, body_start, para.end):
                self._sentence_id += 1
                self._sentence(start, end, section, paragraph_region, state)
            carried_past = self._past_carried_on(state, section)
        return frame.result

    def _past_carried_on(self, state: dict, section: str) -> int | None:
        """2020年，生产总值达到674.1亿元…。 新经济增加值占GDP的比重达到28.4%…: in a plan, a
        paragraph that ends in a past year hands it to the next, which goes on reviewing the same
        years until a heading, a goal or a year of its own says otherwise."""
        if not self.frame.is_plan or section == "forward" or state.get("goal_list"):
            return None
        year = state.get("year")
        last = self.frame.base_year or self.frame.doc_year
        if year is None or last is None or year > last or self._horizon is not None:
            return None
        return year

    def _carry_goal(self, years: list, obs_years: list, carried: int | None, state: dict) -> None:
        """到“十四五”末，…。其中，一产业…；同时，城区…: a sentence that opens with 其中 or 同时 and
        names no year of its own continues the goal before it; a past year ends the run."""
        goals = [y for y in years if y.role == "target"]
        if obs_years or (years and not goals):
            self._goal_carry = None
        elif goals:
            self._goal_carry = goals[-1].year
        elif carried is not None:
            self._goal_carry = carried
        state["goal_carry"] = self._goal_carry

    def _goal_list(self, ptext: str, current: int | None, heading: str | None) -> int | None:
        """The target year while a list of goals runs: from a paragraph ending in 主要预期目标是：
        through the paragraph right after it and the bulleted or short ones after that; a heading or
        a long paragraph ends it."""
        intro_before, self._goal_intro = self._goal_intro, False
        if GOAL_LIST_INTRO.search(ptext):
            self._goal_intro = True
            # …时期(2021年至2025年)…的目标: goals for the end of the period named
            years = [y.year2 or y.year for y in
                     ctx.year_mentions(ptext, self.frame.doc_year, self.frame.base_year)
                     if y.role != "ref"]
            return years[-1] if years else self.frame.default_target_year
        if current is None or heading is not None:
            return None
        # the paragraph right after the intro is the list, however long its lines ran together,
        # unless it names a time that is not ahead (a table's caption may read 主要目标 too)
        if intro_before and all(y.role == "target" for y in
                                ctx.year_mentions(ptext, self.frame.doc_year, self.frame.base_year)):
            return current
        if GOAL_LIST_ITEM.match(ptext) or len(ptext) < 60:
            return current
        if GOAL_HEADLINE.match(ptext):  # a headed item goes on with the list unless it looks back
            years = ctx.year_mentions(ptext, self.frame.doc_year, self.frame.base_year)
            doc_year = self.frame.doc_year
            return None if any(doc_year is None or y.year < doc_year for y in years) else current
        return None

    def _paragraph_region(self, ptext: str, current: str) -> str:
        """A paragraph about one other city (聊城坚决…) speaks for it until another takes over;
        a city named only as a comparison (低于滨州…, 对标徐州) does not change the subject."""
        found = {r.name for start, _, r in regions.find_regions(ptext)
                 if not COMPARED.search(ptext[max(0, start - 3):start])}
        home = regions.canonical_region(self.home)
        if home in found or any(name in ptext for name in self.home_names):
            return self.home
        # a zone's text names its city without changing subject; so does a county's (杭州市余杭区)
        ancestors = regions.ancestors(home) | self.parents
        if self.home and not self.home_known:
            return current  # a county's text names its city and province in passing (广元副中心)
        peers = {name for name in found
                 if name != home and name not in ancestors and not name.endswith(("省", "区"))}
        if len(peers) == 1:
            return peers.pop()
        return current

    def _sentence(self, s: int, e: int, section: str, region: str, state: dict) -> None:
        frame = self.frame
        stext = self.norm.text[s:e]
        years = ctx.year_mentions(stext, frame.doc_year, frame.base_year)
        obs_years = [y for y in years if y.role in ("obs", "partial")]
        since = [y for y in years if y.role == "since"]
        if since:
            state["since"] = since[-1].year
        quantities = find_quantities(stext, years, frame.result) if has_number(stext) else []
        if quantities and not frame.is_plan:
            # one news paragraph may run through several cities: 长沙…；武汉将…
            region = self._paragraph_region(DATELINE.sub("", stext), region)
        carried = state.get("goal_carry") if not years and CONTINUATION.match(stext) else None
        if quantities:
            cues = [y.start for y in years if y.role == "target"] + \
                [m.start() for m in TARGET_CUE.finditer(stext)] + self._future_cues(stext, years, state)
            ahead = self._looks_ahead(stext, years, section, state)
            if carried is None and ahead is not None:
                carried = ahead
            plan_goal = not obs_years and state["year"] is None and (
                (frame.is_plan and section != "review" and bool(PLAN_CUE.search(stext)))
                # "二、2023年主要目标" in a work report: its numbers are that year's goals
                or (section == "forward" and state.get("target_year") is not None)) \
                or bool(state.get("goal_list")) or carried is not None \
                or (bool(state.get("goal_run")) and not obs_years)
            sentence_state = {**state, "target_year": carried} if carried is not None else state
            read_sentence(Sentence(frame, self._sentence_id, s, stext, years, quantities, cues,
                                   plan_goal, section, region, sentence_state))
            if sentence_state is not state:
                state.update({k: v for k, v in sentence_state.items() if k != "target_year"})
        self._carry_goal(years, obs_years, carried, state)
        if not frame.is_plan and GOAL_RUN.search(stext):
            state["goal_run"] = True
        elif obs_years:
            state["goal_run"] = False
        self._follow_horizon(years, obs_years)
        if obs_years:
            state["year"] = obs_years[-1].year
        elif any(y.role == "span" and y.year2 for y in years) and (
                not frame.is_plan or self._reviews_past_period(years)):
            # "“十三五”期间，…。森林蓄积量达到175.6亿立方米": the period's last year; in a plan,
            # "“十三五”时期，…经济总量迈上5万亿元台阶" reviews the period that has just ended
            span = [y for y in years if y.role == "span" and y.year2][-1]
            state["year"] = span.year2
            if state.get("since") is None:  # …由1.8%提高到2.4%: from the period's start
                state["since"] = span.year

    def _future_cues(self, stext: str, years: list, state: dict) -> list[int]:
        """将 before a 达到/突破/以上 (贵州将推动数字经济占比达到45%以上), and 预计 or 年内 in a
        text dated early in the year it speaks of (2024年，…预计全省地区生产总值增长5.5%左右;
        年内…分别突破万亿、千亿): what the place means to reach, in a sentence that names no year
        already past."""
        frame = self.frame
        if frame.is_bulletin or frame.is_plan or frame.doc_year is None:
            return []
        past = [y for y in years if y.role in ("obs", "partial", "since") and y.year < frame.doc_year]
        cues = [m.start() for m in FUTURE_WORD.finditer(stext)
                if (PLAN_CUE.search(stext, m.end()) or FUTURE_REACH.search(stext, m.end()))
                and not self._past_in_clause(stext, m.start(), years, past)]
        if frame.year_ahead and not past and (any(y.year == frame.doc_year for y in years)
                                              or (not years and state.get("year") == frame.doc_year)):
            cues += [m.start() for m in FORECAST_WORD.finditer(stext)]
        if frame.year_ahead and not past:
            cues += [m.start() for m in WITHIN_THE_YEAR.finditer(stext) if FUTURE_REACH.search(stext, m.end())]
        return cues

    @staticmethod
    def _past_in_clause(stext: str, pos: int, years: list, past: list) -> bool:
        """The time of the clause that leads to `pos` is past: its nearest year is (去年GDP增长
        4.9%今年将…: 今年 governs what follows it)."""
        start = max((m.end() for m in re.finditer(r"[，；：,;。\s|]", stext[:pos])), default=0)
        before = [y for y in years if start <= y.start < pos]
        return bool(before) and before[-1] in past

    def _reviews_past_period(self, years: list) -> bool:
        """A plan's sentence naming a whole period that ended by the plan's base year (the
        十三五 in a 十四五 plan) looks back on it: its numbers are that period's results."""
        last = self.frame.base_year or self.frame.doc_year
        spans = [y for y in years if y.role == "span" and y.year2]
        return last is not None and bool(spans) and spans[-1].year2 <= last \
            and not any(y.role == "target" for y in years)

    def _looks_ahead(self, stext: str, years: list, section: str, state: dict) -> int | None:
        """到2025年，…。…比重达到42.5%。林木覆盖率达到25.2%: once a text has looked ahead to
        a future year, a sentence with no year of its own that sets a level (达到, 保持在, 左右)
        goes on with that goal (a year it is compared with aside), until a past year or a review
        heading ends the run."""
        if self._horizon is None or self.frame.is_bulletin or section == "review":
            return None
        if any(y.role != "ref" for y in years):  # 比2010年翻两番 names a base, not a time
            return None
        if state.get("year") is not None or not PLAN_CUE.search(stext):
            return None
        return self._horizon

    def _follow_horizon(self, years: list, obs_years: list) -> None:
        """The future year a text looks ahead to: set by a goal's year, ended by a past one."""
        goals = [y for y in years if y.role == "target"]
        if goals:
            self._horizon = goals[-1].year
        elif obs_years or any(y.role in ("since", "span") for y in years):
            self._horizon = None


_BULLET = re.compile(r"^\s*[●◆•■▪◇○◎★☆]")


def home_names(home: str) -> tuple[str, ...]:
    """The ways a text names its home region: 余杭区 and 余杭; a one-character stem (陇县 → 陇)
    is too ambiguous to count."""
    if not home or home in regions.AGGREGATES:
        return ()
    stem = re.sub(r"(?:自治县|自治州|新区|地区|区|县|市|旗|州)$", "", home)
    return (home, stem) if len(stem) >= 2 and stem != home else (home,)


def named_parents(text: str, names: tuple[str, ...]) -> set[str]:
    """Cities a text names right before its home (杭州市余杭区, 日照市五莲县, 綿陽市涪城區): the
    home's own city, which a district's report mentions without speaking for it."""
    if not names:
        return set()
    return {region.name for _, end, region in regions.find_regions(text)
            if text[end:end + 1 + max(map(len, names))].lstrip().startswith(names)}


def review_year(doc: Document) -> int | None:
    """A bulletin's year: the one its title names (2022年…统计公报), else the year before its date.
    A work report given in the first quarter reviews the year before (its goals carry their own
    year)."""
    if doc.kind == "report" and doc.date is not None and doc.date.month <= 3:
        return doc.date.year - 1
    if doc.kind != "bulletin":
        return None
    match = re.search(r"((?:19|20)\d{2})\s*年", str(doc.meta.get("title", "")))
    if match:
        return int(match.group(1))
    return doc.year - 1 if doc.year else None


def aggregate_places(home: str) -> dict[str, str]:
    """全省/我省 → the home region's province, 全市/我市 → its city (a district's parent city),
    全区/全县 → a district home itself; words with no known referent stay as written."""
    if not home:
        return {}
    by_name = {r.name: r for r in regions.gazetteer()}
    region = by_name.get(regions.canonical_region(home))
    if region is None:
        return {}
    places: dict[str, str] = {}
    chain = [region.name, *regions.ancestors(region.name)]
    for name in chain:
        level = by_name[name].level if name in by_name else ""
        if level == "province":
            places.update({"全省": name, "我省": name, "本省": name})
        elif level == "prefecture" and "全市" not in places:
            places.update({"全市": name, "我市": name, "本市": name})
    if region.level in ("county", "zone"):
        places.update({"全区": region.name, "全县": region.name})
    return places


def scan_document(doc: Document, norm: NormalizedText, registry: Registry,
                  base_year: int | None = None) -> ScanResult:
    return DocumentScanner(doc, norm, registry, base_year).scan()
