"""Patterns that tie several numbers of a sentence together, each a planner that claims the
numbers it reads and a handler that reads them:

- comparisons with other regions in points (低于全省0.9个百分点、高于临沂1.2个百分点);
- structure ratios (三次产业比例为11.4:37.8:50.8);
- from–to (由2015年的…提高到2020年的…), each value with its own year;
- series (2014—2017年分别增长…, 城镇和农村居民…分别为…);
- breakdowns (其中国家级28个，省级263个).

Numbers no pattern claims are read one by one (`generic.read_number`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from dezhou_analysis.core import regions
from dezhou_analysis.core.indicators import Indicator
from dezhou_analysis.core.rounding import round_like
from dezhou_analysis.core.units import dimension
from dezhou_analysis.documents.cues import STATISTIC_HEAD, YEAR_OF, comparison_patterns
from dezhou_analysis.documents.facts import Quantity, fmt
from dezhou_analysis.documents.generic import read_number
from dezhou_analysis.documents.labels import (
    clean_label,
    indicator_named_by,
    level_measure,
    unit_fits,
)
from dezhou_analysis.documents.sentence import Sentence

Handlers = dict[int, Callable[[], None]]


def read_sentence(s: Sentence) -> None:
    """Every number of the sentence, left to right, by the pattern that claimed it."""
    for q in s.quantities:
        if s.has_placeholder(q.start):
            s.skip(q, "placeholder (X) in clause")
    handlers: Handlers = {}
    for planner in (plan_comparisons, plan_from_to, plan_series, plan_breakdown):
        planner(s, handlers)
    for q in s.quantities:
        if q.used:
            continue
        handler = handlers.get(id(q))
        if q.parts:
            structure_ratio(s, q)
        elif handler is not None:
            handler()
        else:
            read_number(s, q)


# ---- comparisons with other regions ---------------------------------------------------------

def plan_comparisons(s: Sentence, handlers: Handlers) -> None:
    run, item_pattern = comparison_patterns()
    for m in run.finditer(s.text):
        if "百分点" not in m.group("items"):
            continue
        sign = -1 if m.group("dir").startswith(("低于", "落后")) else 1
        for item in item_pattern.finditer(m.group("items")):
            pos = m.start("items") + item.start("num")
            q = next((x for x in s.quantities if x.num_start == pos and not x.used), None)
            if q is not None:
                handlers[id(q)] = partial(comparison, s, q, item.group("region"), sign, m.start())


def comparison(s: Sentence, q: Quantity, region_text: str, sign: int, at: int) -> None:
    """The gap as a pp_change of the subject, and the other region's value it implies."""
    # a gap in points compares a percentage, a growth rate or an index, never 亿元
    prior = [f for f in s.facts if f.position < s.offset + at and not f.is_derived
             and f.measure in ("level", "share", "growth_yoy", "growth_avg")
             and (f.unit in ("%", "‰", "") or (f.indicator is not None
                                                and f.indicator.kind in ("index", "share", "rate")))]
    subject = prior[-1] if prior else None
    if subject is None:
        s.skip(q, "comparison without a stated percentage or index before it")
        return
    other = s.frame.place(regions.canonical_region(region_text))
    same_place = region_text in ("全市", "我市", "本市") or \
        other == regions.canonical_region(subject.region)
    gap = q.value * sign
    s.emit(q, subject.indicator, subject.label, "pp_change", subject.year,
           subject.year_source, value=gap, unit="个百分点", region=subject.region,
           reference_region=region_text if same_place else other)
    if same_place:
        return  # "低于全市平均水平": the comparator is an average the text does not give
    value = round_like(subject.value - gap, subject.value, q.value)
    relation = "below" if sign < 0 else "above"
    fact = s.emit(q, subject.indicator, subject.label, subject.measure, subject.year,
                  subject.year_source, value=value, unit=subject.unit, region=other,
                  is_derived=True,
                  derivation=f"{fmt(subject.value)} {'+' if sign < 0 else '−'} {fmt(q.value)}"
                             f" ({subject.region} is {fmt(q.value)} pp {relation} {other})")
    fact.qualifier = subject.qualifier


# ---- structure ratios -----------------------------------------------------------------------

def structure_ratio(s: Sentence, q: Quantity) -> None:
    """11.4:37.8:50.8 → one ratio_part per part, named by the structure the sentence speaks of."""
    structure = None
    for match in s.registry.scan(s.text[:q.start]):
        if match.indicator.kind == "structure":
            structure = match.indicator
    if structure is None and re.search(r"三次产业|一二三产业?|三产", s.text[:q.start]):
        # 三次产业构成为…, 三次产业比调整为…: the registry's three-sector structure by another name
        structure = s.registry.indicators.get("three_sector_structure")
    year_match = YEAR_OF.search(s.text[max(0, q.start - 8):q.start])
    if year_match:
        year, source = int(year_match.group(1)), "stated"
    else:
        year, source = s.year_for(q)
    if year is None:
        s.skip(q, "ratio without a year")
        return
    if structure is None or len(structure.parts) != len(q.parts):
        label = clean_label(s.text[s.clause_of(q.start)[0]:q.start])
        if not label:
            s.skip(q, "ratio without a label")
            return
        for i, part in enumerate(q.parts, 1):
            s.emit(q, None, f"{label}（第{i}部分）", "ratio_part", year, source,
                   value=part, unit="", derivation=f"part {i} of {q.text}")
        return
    for i, (part_id, part) in enumerate(zip(structure.parts, q.parts, strict=True), 1):
        indicator = s.registry.indicators.get(part_id)
        s.emit(q, indicator, indicator.name_zh if indicator else part_id, "ratio_part",
               year, source, value=part, unit="%",
               derivation=f"part {i} of {structure.name_zh} {q.text}")


# ---- from–to --------------------------------------------------------------------------------

# 由2015年的…, 从目前的… (目前: the document's own year)
_FROM = re.compile(r"(?:从|由)(?:((?:19|20)\d{2})年(?:末|底)?|(?P<now>目前|当前|现在|现阶段))的?$")
# 提高到, 大幅提升至 (an adverb of degree may stand before the verb)
_TO = re.compile(r"^(?:大幅|明显|显著|稳步|持续|逐步|进一步)?[\u4e00-\u9fff]{0,3}?(?:到|至|为)"
                 r"(?:((?:19|20)\d{2})年(?:末|底)?的?)?$")


# 从129.8亿元增长到325亿元, 规上企业从153家发展到268家: a from–to that names no year
_FROM_BARE = re.compile(r"[\u4e00-\u9fffA-Za-z”）](?:从|由)$")
_TO_BARE = re.compile(r"^(?:大幅|明显|显著|稳步|持续|逐步|进一步)?(?:增长|增加|提高|提升|上升|扩大|发展|跃升|下降|减少|降低|缩小)(?:到|至)$")


def plan_from_to(s: Sentence, handlers: Handlers) -> None:
    """由2015年的X提高到(2020年的)Y: the start value with its year, the end value with its own."""
    for i, q1 in enumerate(s.quantities[:-1]):
        q2 = s.quantities[i + 1]
        if q1.used or q2.used or q1.parts or q2.parts:
            continue
        m1 = _FROM.search(s.text[max(0, q1.start - 10):q1.start])
        m2 = _TO.match(s.text[q1.end:q2.start])
        start_year = _start_year(s, m1)
        if start_year is not None and m2 and (m2.group(1) or dimension(q1.unit) == dimension(q2.unit)):
            end_year = int(m2.group(1)) if m2.group(1) else None
            handlers[id(q1)] = partial(from_to, s, q1, q2, start_year, end_year)
        elif m2 and not m2.group(1) and re.search(r"(?:从|由)$", s.text[max(0, q1.start - 1):q1.start]) \
                and dimension(q1.unit) == dimension(q2.unit) and _period_start(s, q1) is not None:
            # the period the sentence reviews, or the goal's base year
            handlers[id(q1)] = partial(from_to, s, q1, q2, _period_start(s, q1), None)
        elif _FROM_BARE.search(s.text[max(0, q1.start - 2):q1.start]) and q1.unit == q2.unit \
                and _TO_BARE.match(s.text[q1.end:q2.start]):
            handlers[id(q1)] = partial(from_to_without_years, s, q1, q2)

def _start_year(s: Sentence, match: re.Match | None) -> int | None:
    """The year a from–to starts in: the one it names, or the document's for 目前."""
    if match is None:
        return None
    return s.frame.doc_year if match.group("now") else int(match.group(1))


def from_to_without_years(s: Sentence, q1: Quantity, q2: Quantity) -> None:
    """从X增长到Y with no year for X: X is read as it would be alone, and Y, the level the
    statistic reached, is the same registry indicator at the clause's own time."""
    before = len(s.facts)
    read_number(s, q1)
    first = s.facts[before] if len(s.facts) > before else None
    if first is None or first.indicator is None:  # an unnamed start leaves the end unnamed too
        read_number(s, q2)
        return
    year, source = s.year_for(q2)
    if year is None:
        s.skip(q2, "from-to without a year for its end")
        return
    s.emit(q2, first.indicator, first.label, first.measure, year, source)


def _period_start(s: Sentence, q: Quantity) -> int | None:
    """由1.8%提高到2.4%, with no year of its own: it runs from the start of the period the
    sentence or its paragraph speaks of (“十三五”时期 → 2015), or of the goal (the plan's base
    year; the document's own year for news or a report of one)."""
    spans = [y for y in s.years if y.role == "span" and y.year2 and y.start < q.start]
    if spans:
        return spans[-1].year
    if s.state.get("since") is not None:
        return s.state["since"]
    if s.is_target(q) and s.frame.base_year is not None:
        return s.frame.base_year
    if s.is_target(q) and not s.frame.is_plan and s.frame.doc_year is not None:
        return s.frame.doc_year  # news of a goal: 从107家增加到500家 starts from where things stand
    return None


def from_to(s: Sentence, q1: Quantity, q2: Quantity, y1: int, y2: int | None) -> None:
    indicator, label, _ = s.label_before(q1, s.clause_of(q1.start)[0], look_back=True)
    label = re.sub(r"(?<=.)(?:由|从)$", "", label or "")  # 研发投入占比由1.8%…: the word is not the label's
    if indicator is None and label:
        indicator = s.registry.match(label)
    if not label:  # …年均增长7.8%，由2015年的639亿元增加到…: the statistic named just before
        named = [f for f in s.facts if f.indicator is not None and not f.is_derived
                 and unit_fits(f.indicator, q1.unit)]
        indicator, label = (named[-1].indicator, named[-1].label) if named else (None, "")
    if not label:
        q1.used = True
        s.skip(q2, "from-to without a label")
        return
    measure = level_measure(indicator, q1.unit)
    source = "stated"
    if y2 is None:  # 到2025年，…由2020年的12万元提高到16万元: the end takes the clause's time
        y2, source = s.year_for(q2)
        if y2 is None or y2 == y1:
            q1.used = True
            s.skip(q2, "from-to without a year for its end")
            return
    s.emit(q1, indicator, label, measure, y1, "stated", as_target=False)
    s.emit(q2, indicator, label, measure, y2, source)
    s.state["since"] = y1  # a 年均增长 that follows spans the same years


# ---- series (分别) ---------------------------------------------------------------------------

def plan_series(s: Sentence, handlers: Handlers) -> None:
    for m in re.finditer(r"分别(?:为|是|达到|达|突破|超过|增长|同比增长|比上年增长|下降|提高|占)?", s.text):
        chain: list[Quantity] = []
        pos = m.end()
        for q in s.quantities:
            if q.num_start < m.end() or q.used:  # 分别突破8.5万亿元: the number may hold the verb
                continue
            if s.text[pos:max(pos, q.start)].strip("、，和及与 ") != "" or (chain and not _same_kind(chain[0], q)):
                break  # 分别增长5.5%和8.6%，10件民生实事…: the series ends where its kind of number does
            chain.append(q)
            pos = q.end
        if len(chain) >= 2:
            handlers[id(chain[0])] = partial(series, s, chain, m)
    # 第一、第二、第三产业增加值年均增长4.5%、3.2%、4.8%: items and values in one order, no 分别
    for m in re.finditer(r"(?:年均|同比|比上年)?(?:增长|下降|提高)|(?:分别)?(?:为|达到|达)", s.text):
        chain = _listed_values(s, m.end())
        if len(chain) >= 2 and id(chain[0]) not in handlers \
                and len(split_compound(s, s.text[:m.start()])) == len(chain):
            handlers[id(chain[0])] = partial(series, s, chain, m)


def _listed_values(s: Sentence, start: int) -> list[Quantity]:
    """The numbers right after `start` joined by 、 (or a last 和), with nothing else between."""
    chain: list[Quantity] = []
    pos = start
    for q in s.quantities:
        if q.start < start or q.used:
            continue
        gap = s.text[pos:q.start]
        if (chain and gap not in ("、", "和")) or (not chain and gap) or (chain and not _same_kind(chain[0], q)):
            break
        chain.append(q)
        pos = q.end
    return chain


def _same_kind(first: Quantity, q: Quantity) -> bool:
    """Two items of one series: both rates (%, ‰, points) or both of one dimension."""
    rates = ("%", "‰", "个百分点", "百分点")
    if (first.unit in rates) != (q.unit in rates):
        return False
    return first.unit in rates or dimension(first.unit) == dimension(q.unit)


def series(s: Sentence, chain: list[Quantity], m: re.Match) -> None:
    """One value per year of a stated span, or one per item of a compound label."""
    head = s.text[:m.start()]
    word = m.group(0)
    rate = re.search(r"(?P<avg>年均|平均)?(?:增速|增幅)$", head.rstrip())  # 年均增速分别达到9.9%、10.8%
    growth = bool(re.search(r"增长|下降|提高", word)) or rate is not None
    sign = -1 if "下降" in word else 1
    growth_measure = "growth_avg" if "年均" in word or (rate is not None and rate.group("avg")) else "growth_yoy"
    spans = [y for y in s.years if y.role == "span" and y.start < m.start()]
    if spans and spans[-1].year2 and spans[-1].year2 - spans[-1].year + 1 == len(chain):
        span = spans[-1]
        indicator, label, _ = s.label_before(chain[0], s.clause_of(span.start)[0])
        label = label or clean_label(head)
        for offset, q in enumerate(chain):
            measure = "growth_yoy" if growth else level_measure(indicator, q.unit)
            s.emit(q, indicator, label, measure, span.year + offset, "stated",
                   value=sign * q.value,
                   derivation=f"item {offset + 1} of a {span.year}-{span.year2} series")
        return
    labels = split_compound(s, head)
    if len(labels) != len(chain):
        # …分别增长12%和13%，分别达43366元和13835元: a clause with no words of its own before
        # 分别 goes on with the items the last series named
        previous = s.state.get("labels")
        bare = not clean_label(s.text[s.clause_of(m.start())[0]:m.start()])
        labels = previous if ((growth or bare) and previous and len(previous) == len(chain)) else []
    if len(labels) != len(chain):
        for q in chain:
            read_number(s, q)
        return
    year, source = s.year_for(chain[0])
    if re.search(r"突破|超过", word):  # 分别突破万亿、千亿: every item passes its mark
        for q in chain:
            q.qualifier = "at_least" if q.qualifier == "point" else q.qualifier
    for (indicator, label), q in zip(labels, chain, strict=True):
        measure = ("pp_change" if q.unit in ("个百分点", "百分点") else growth_measure) if growth \
            else level_measure(indicator, q.unit)
        s.emit(q, indicator, label, measure, year, source, value=sign * q.value)
    s.state["labels"] = labels


_THREE_SECTORS = re.compile(r"三次产业|一二三产业?|第一、(?:第)?二、(?:第)?三产业")
_SECTOR_PARTS = {"share": ("primary_share", "secondary_share", "tertiary_share"),
                 "va": ("primary_va", "secondary_va", "tertiary_va")}


def _three_sectors(s: Sentence, phrase: str) -> list[tuple[Indicator | None, str]]:
    """三次产业增加值占地区生产总值的比重分别为3.8%、41.4%和54.8%: the three sectors in order,
    as shares when the phrase speaks of a share, else as value added."""
    if not _THREE_SECTORS.search(phrase):
        return []
    kind = "share" if re.search(r"比重|占|结构|比例|构成", phrase) else \
        "va" if "增加值" in phrase else ""
    if not kind:
        return []
    found = [s.registry.indicators.get(i) for i in _SECTOR_PARTS[kind]]
    if not all(found):
        return []
    return [(indicator, indicator.name_zh) for indicator in found]


def split_compound(s: Sentence, head: str) -> list[tuple[Indicator | None, str]]:
    """城镇和农村居民人均可支配收入 → [城镇居民人均可支配收入, 农村居民人均可支配收入]."""
    a, _ = s.clause_of(max(0, len(head) - 1))
    phrase = clean_label(head[a:])
    # 城乡居民人均可支配收入, 城、乡居民…: the urban one, then the rural one
    phrase = re.sub(r"^城(?:乡|[、和与及]乡)", "城镇和农村", phrase)
    sectors = _three_sectors(s, phrase)
    if sectors:
        return sectors
    quoted = _quoted_items(phrase)
    if quoted:
        return [(indicator_named_by(s.registry, label), label) for label in quoted]
    pieces = [p for p in re.split(r"和|与|及|、", phrase) if p]
    if len(pieces) < 2:
        return []
    if "、" in phrase and indicator_named_by(s.registry, pieces[0]) is not None:
        # 实际利用外资、外贸进出口总值: the first item is a statistic of its own, so all are whole
        return [(indicator_named_by(s.registry, label), label) for label in pieces]
    last = pieces[-1]
    stem = last[len(pieces[0]):] if len(last) > len(pieces[0]) else ""
    out = [(indicator_named_by(s.registry, label), label)
           for label in [p + stem for p in pieces[:-1]] + [last]]
    if any(ind for ind, _ in out):
        return out
    # 一般贸易、民营企业进出口占比 (items as long as each other before a shared statistic) and
    # 存、贷款余额: the split is plain from the wording even when the registry knows neither
    items = (_one_character_items(pieces) if "、" in phrase else []) or _items_before_a_shared_statistic(pieces)
    shared = [] if items else _items_sharing_a_modifier(s, pieces)
    if shared:
        return shared
    # so is 重大产业、生态环保投资, whose items share the head noun the last one ends with; and
    # 市场采购、跨境电商, a list of whole items, shares nothing
    items = items or _items_sharing_a_head(pieces) or (
        pieces if "、" in phrase and all(len(p) >= 2 for p in pieces) else [])
    return [(indicator_named_by(s.registry, label), label) for label in items]


_QUOTED_RUN = re.compile(r"^((?:“[^“”]{2,20}”[、和与及]?){2,})(?:年内|全年)?(?P<tail>[\u4e00-\u9fff]{2,12})$")


def _quoted_items(phrase: str) -> list[str]:
    """“五大千亿级产业集群”“五大新兴产业”主营业务收入 → one label per quoted name, each with
    the statistic that follows the last quote."""
    m = _QUOTED_RUN.match(phrase)
    if m is None:
        return []
    return [f"{name}{m.group('tail')}" for name in re.findall(r"“[^“”]+”", m.group(1))]


# the nouns a shared statistic opens with, after the items it is shared by (民营企业|进出口占比,
# 工业战略性新兴产业|产值占规上工业总产值比重)
_OWN_STATISTIC = re.compile(r"(?:收入|投资|产值|增加值|总额|总值|利润|税收|产量)$")
_SHARED_STATISTIC = re.compile(r"进出口|出口额|进口额|产值|增加值|营业收入|主营业务收入|利润总额|投资|占比|比重|余额")


def _items_before_a_shared_statistic(pieces: list[str]) -> list[str]:
    """一般贸易、民营企业进出口占比 → 一般贸易进出口占比, 民营企业进出口占比: the last item
    goes on into the statistic both are measured by."""
    if len(pieces) != 2:
        return []
    first, last = pieces
    m = _SHARED_STATISTIC.search(last, 2)
    if m is None or _SHARED_STATISTIC.search(first) or _OWN_STATISTIC.search(first):
        return []  # 财政收入、固定资产投资: the first is a statistic of its own
    return [first + last[m.start():], last]


def _items_sharing_a_modifier(s: Sentence, pieces: list[str]) -> list[tuple[Indicator | None, str]]:
    """单位地区生产总值能耗和二氧化碳排放 → 单位地区生产总值能耗, 单位地区生产总值二氧化碳排放:
    the later items take the modifier the first one opens with, when the registry then knows one
    of them (as it is, or as its reduction)."""
    first = pieces[0]
    for cut in range(len(first) - 1, 1, -1):
        labels = [first] + [first[:cut] + p for p in pieces[1:]]
        found = [_named_or_reduced(s, label) for label in labels]
        if any(found[1:]):
            return list(zip(found, labels, strict=True))
    return []


def _named_or_reduced(s: Sentence, label: str) -> Indicator | None:
    return indicator_named_by(s.registry, label) or s.registry.match(label + "降低") \
        or s.registry.match(label + "下降")


def _items_sharing_a_head(pieces: list[str]) -> list[str]:
    """重大基础设施、重大产业、生态环保投资 → 重大基础设施投资, 重大产业投资, 生态环保投资."""
    head = STATISTIC_HEAD.search(pieces[-1])
    if head is None or len(pieces[-1]) == len(head.group(0)) or any(STATISTIC_HEAD.search(p) for p in pieces[:-1]):
        return []
    return [p + head.group(0) for p in pieces[:-1]] + [pieces[-1]]


_ONE_CHARACTER_TAIL = re.compile(r"(?:余额|总额|收入|产值|投资|增加值|产量|销量|面积)$")


def _one_character_items(pieces: list[str]) -> list[str]:
    """金融机构存、贷款余额 → 金融机构存款余额, 金融机构贷款余额: one-character items between a
    shared head and a shared tail."""
    middle, last = pieces[1:-1], pieces[-1]
    if any(len(p) != 1 for p in middle) or len(last) < 2 or not _ONE_CHARACTER_TAIL.search(last):
        return []  # 市场采购、跨境电商 are two whole items
    head, tail = pieces[0][:-1], last[1:]
    return [head + item[-1] + tail for item in [pieces[0], *middle, last[0]]]


# ---- breakdowns (其中) ------------------------------------------------------------------------

def plan_breakdown(s: Sentence, handlers: Handlers) -> None:
    """其中国家级28个，省级263个 — children run while each is a short qualifier + number."""
    for m in re.finditer(r"其中", s.text):
        parent_q = next((q for q in reversed(s.quantities) if q.end <= m.start()), None)
        if parent_q is None:
            continue
        for q in s.quantities:
            if q.start < m.end() or q.used or id(q) in handlers:
                continue
            a, _ = s.clause_of(q.start)
            gap = s.text[max(a, m.end()):q.start]
            if ("；" in s.text[m.end():q.start] or len(gap) > 10
                    or dimension(q.unit) != dimension(parent_q.unit)):
                break
            handlers[id(q)] = partial(breakdown, s, q, m)


def breakdown(s: Sentence, q: Quantity, at: re.Match) -> None:
    parent = s.subject_before(at.start())
    if parent is None:
        read_number(s, q)
        return
    window_start = max(s.clause_of(q.start)[0], at.end())
    qualifier = clean_label(s.text[window_start:q.start])
    if not qualifier:  # 其中91个开工建设: the qualifier follows the number
        qualifier = re.split(r"[，。；：、,;]", s.text[q.end:], maxsplit=1)[0].strip()
    if not qualifier or len(qualifier) > 12:
        read_number(s, q)
        return
    child = None
    if parent.indicator is not None:
        child = s.registry.child(parent.indicator.id, qualifier)
    own = s.registry.match(qualifier) if child is None else None
    if own is not None and unit_fits(own, q.unit):
        s.emit(q, own, qualifier, level_measure(own, q.unit), parent.year,
               parent.year_source, region=parent.region)
        return
    label = child.name_zh if child else f"{parent.label}·{qualifier}"
    s.emit(q, child, label, level_measure(child or parent.indicator, q.unit),
           parent.year, parent.year_source, region=parent.region,
           extra={"parent": parent.label, "qualifier": qualifier})
