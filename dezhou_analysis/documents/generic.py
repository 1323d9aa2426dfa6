"""The default reading of a number: its label (registry first, then the words before or after
it, then the sentence's subject), its measure from the words just before it (增长, 提高…个百分点,
是…的…倍, 新增), its year and region; or a stated reason to leave it out."""

from __future__ import annotations

import re

from dezhou_analysis.core.indicators import Indicator
from dezhou_analysis.core.units import dimension
from dezhou_analysis.documents.context import PLAN_NAME, five_year_plan_years
from dezhou_analysis.documents.cues import (
    ABS_CHANGE_TAIL,
    BARE_CHANGE,
    BARE_HEADS,
    FRAGMENT_LABEL,
    GENERIC_LABELS,
    GOAL_COMPLETION,
    GROWTH_TAIL,
    IMPLIED_CHANGE,
    ITEM_AFTER,
    ITEM_NOUN,
    LEADING_NOISE,
    MONTH_SPAN_AFTER,
    MULTIPLE_TAIL,
    NEGATIVE_VERBS,
    PP_TAIL,
    PROGRAMME_NOUN,
    PROJECT_SIZE,
    STATISTIC_HEAD,
    STREAK_BEFORE,
    THRESHOLD_AFTER,
    TRAILING_NOISE,
    VERDICT_TAIL,
)
from dezhou_analysis.documents.facts import Quantity
from dezhou_analysis.documents.labels import (
    bracket_named,
    clean_label,
    indicator_named_by,
    label_is_the_verb,
    level_measure,
    unit_fits,
)
from dezhou_analysis.documents.numbers import COUNT_CLASSIFIERS
from dezhou_analysis.documents.sentence import Sentence

_CHANGES = ("pp_change", "multiple", "growth_yoy", "growth_avg", "abs_change")
# 3个农业千亿产业, 形成11个工业千亿产业, 6个方面具体目标: how many of a kind a text lists
# 实施重点项目120个, 走访企业2300家, 召开座谈会8次: a count of what was done, not a statistic
_ACTIVITY_VERBS = (r"(?:实施|新开工|开工|建成投产|建成|投产|打造|设立|召开|签约|完成|改造|新建|培训|发放|走访|解决|举办|"
                   r"出台|组织|开通|划定|开展|推进|招引|储备|谋划|启动|承办|创建|命名|评选|认定)")
_ACTIVITY = re.compile(r"^(?:累计)?" + _ACTIVITY_VERBS)
_ACTIVITY_UNITS = COUNT_CLASSIFIERS | {"次", "场", "批", "轮", "人次", "万人次"}
# 增速高于规上工业10个百分点: the gap to another aggregate (gaps to another region are read as
# comparisons before this); the statistic itself is not stated
_GAP_TO_ANOTHER = re.compile(r"(?:高于|低于|快于|慢于|领先)[^，。；\d]{1,12}$")  # 高于全国、全省1个、0.2个百分点
_PINYIN = re.compile(r"[（(][a-zA-Z\u00c0-\u024f]+[)）]")  # 產(chǎn)業: a reading pasted after a character
_KINDS_AFTER = re.compile(r"^[\u4e00-\u9fff]{0,4}?[百千万亿]+元?级?(?:产业|产业集群|产业链)"
                          r"|^方面(?:的)?(?:具体|主要)?(?:目标|任务|内容|工作|举措)")


def read_number(s: Sentence, q: Quantity) -> None:
    """Label, measure, year and region of one number, then emit it or say why not."""
    clause = s.clause_of(q.start)
    window_start = max(clause[0], s.window_start.get(clause, clause[0]))
    s.window_start[clause] = q.end
    before = s.text[window_start:q.start]
    if q.unit == "%" and GOAL_COMPLETION.search(before):
        s.skip(q, "share of a goal met (完成全年目标的…%)")
        return
    if q.unit in ("个百分点", "百分点") and _GAP_TO_ANOTHER.search(before):
        s.skip(q, "gap to another aggregate (增速高于规上工业10个百分点)")
        return
    if q.unit in COUNT_CLASSIFIERS and MONTH_SPAN_AFTER.match(s.text[q.end:]):
        s.skip(q, "span of months (前8个月, 连续10个月)")
        return
    if STREAK_BEFORE.search(before.rstrip()) and (q.unit in COUNT_CLASSIFIERS or q.unit in ("年", "月", "天")):
        s.skip(q, "streak (连续35年)")
        return
    if q.unit.endswith("元") and q.text.endswith("以上") and THRESHOLD_AFTER.match(s.text[q.end:]):
        s.skip(q, "threshold of a category (500万元以上固定资产投资)")
        return
    measure, reference_year, sign = relation(s, q, before)
    is_change = measure in _CHANGES
    indicator, label, label_start = _label(s, q, before, window_start, is_change)
    if not label and is_change:
        # 规划目标是下降15%，2019年已下降16.2%: a bare change goes on with the statistic whose
        # change the clause before it stated
        earlier = [f for f in s.facts if f.measure == measure and not f.is_derived]
        if earlier:
            indicator, label = earlier[-1].indicator, earlier[-1].label
    if not label:
        s.skip(q, "number without a label")
        return
    if indicator is None and ((q.chinese and q.unit != "成") or not q.unit):  # 近六成 is a share
        s.skip(q, "unitless or Chinese-numeral number without a known label")
        return
    if indicator is None and q.unit in _ACTIVITY_UNITS and not s.is_target(q) \
            and _is_activity(s, q, label, label_start):  # a goal (新开工项目200个以上) may count works
        s.skip(q, "count of works or activities (实施重点项目120个, 走访企业2300家)")
        return
    if q.unit in COUNT_CLASSIFIERS and _group_size(s, q):
        s.skip(q, "size of a group whose statistic follows (10个…企业利润增长23.2%)")
        return
    if indicator is None and label_start is None and (
            ITEM_NOUN.match(label) or ITEM_AFTER.match(s.text[q.end:])
            or (q.unit in COUNT_CLASSIFIERS and _KINDS_AFTER.match(_PINYIN.sub("", s.text[q.end:q.end + 40])))
            or (q.unit in COUNT_CLASSIFIERS and _programme_count(s, q, label))
            or (q.unit.endswith("元") and PROJECT_SIZE.match(s.text[q.end:]))):
        s.skip(q, "item or programme count (28项指标, 20个县)")
        return
    if indicator is None and "年产" in label:
        s.skip(q, "project capacity (年产…)")
        return
    if not is_change:
        measure = level_measure(indicator, q.unit)
    elif indicator is not None and indicator.kind == "index" and measure == "growth_yoy":
        # 居民消费价格总指数比上年上涨0.6%: the rise of an index is its inflation, when the
        # registry has one
        indicator = s.registry.indicators.get(f"{indicator.id}_inflation", indicator)
    year, source = s.year_for(q)
    if indicator is None and FRAGMENT_LABEL.search(label):
        s.set_aside(q, label, sign * q.value, year, "no indicator can be named from the words "
                    "before the number")
        return
    if year is None:
        s.skip(q, "plan text without a year or a target cue")
        return
    if indicator is None and source == "document" and not s.is_target(q) and not (
            s.frame.kind == "report" or (s.frame.kind == "news" and STATISTIC_HEAD.search(label))):
        s.skip(q, "unknown label without a stated year")
        return
    if reference_year == -1:  # 比上年
        reference_year = year - 1
    if measure == "growth_avg" and reference_year is None and not s.is_target(q):
        spans = [y for y in s.years if y.role == "span"]
        reference_year = spans[-1].year if spans else s.state.get("since")
    every_year = "每年" in s.text[clause[0]:q.start]
    fact = s.emit(q, indicator, label, measure, year, source, value=sign * q.value,
                  reference_year=reference_year, every_year=every_year,
                  label_start=label_start)
    if measure in ("level", "share", "count"):
        s.state["subject"] = fact


def _is_activity(s: Sentence, q: Quantity, label: str, label_start: int | None) -> bool:
    """The label opens with, or follows, a verb of doing (实施, 走访, 召开…): what the number
    counts was done, it is no stock a table would hold."""
    if _ACTIVITY.match(label):
        return True
    start = label_start if label_start is not None else q.start
    window = s.text[max(0, start - 6):q.start]
    if label_start is None:  # 建成3个产业园区: the verb stands just before the number
        return re.search(_ACTIVITY_VERBS + r"了?$", window) is not None
    return bool(label) and re.search(_ACTIVITY_VERBS + r"了?" + re.escape(label[:2]), window) is not None


def _programme_count(s: Sentence, q: Quantity, label: str) -> bool:
    """80项城建重点工程, 发热门诊38个, 19项成果获奖: how many works, facilities or awards a
    programme counts. Projects only when they follow the number (招引20个过亿项目): 新开工项目
    100个 is a goal some plans set."""
    if not PROGRAMME_NOUN.search(label):
        return False
    return not label.endswith("项目") or label in s.text[q.end:q.end + len(label) + 3]


def _group_size(s: Sentence, q: Quantity) -> bool:
    """10个传统制造业规上企业利润增长23.2%: a count that opens the phrase naming the next
    number of its clause (no punctuation between) sizes the group, and states no statistic."""
    _, end = s.clause_of(q.start)
    following = [x for x in s.quantities if x.start >= q.end and x.start < end]
    if not following:
        return False
    between = s.text[q.end:following[0].start]
    return len(between) >= 4 and not re.search(r"[，。；、：,;:和及与（(]|其中|分别|以上|左右", between) \
        and bool(re.search(r"增长|增加|下降|提高|达到|为|占", between))


def _label(s: Sentence, q: Quantity, before: str, window_start: int, is_change: bool
           ) -> tuple[Indicator | None, str, int | None]:
    """The number's indicator, its label as written, and where the label starts (if it does)."""
    indicator, label, label_start = s.label_before(q, window_start, look_back=not s.is_target(q))
    label_follows = not label and q.unit not in ("%", "‰", "个百分点", "百分点", "倍", "")
    if q.unit in COUNT_CLASSIFIERS or (q.unit == "" and q.chinese) or label_follows:
        # 315家高新技术企业, 新增10万亩绿色农产品基地: the label follows the number
        after_indicator, after_label = s.label_after(q)
        if after_indicator is None and re.search(r"\d", after_label):
            after_label = ""  # 从153家发展到268家: the words after are the relation, not a name
        if after_indicator is not None or (indicator is None and after_label):
            indicator, label, label_start = after_indicator, after_label, None
    composed = compose_share(s, q, before)
    if composed is not None:
        indicator, label = composed
        indicator = indicator or bracket_named(s.registry, label)
        label_start = None
    completed = _head_completed(s, q, label) if indicator is None and label in BARE_HEADS else None
    if completed is not None:
        indicator, label = completed
        label_start = None
    if (is_change and indicator is None) or (indicator is None and label in GENERIC_LABELS):
        indicator, label = _subject_named_earlier(s, q, before, window_start, label, is_change)
        label_start = None
    if indicator is not None and indicator.kind == "index" and q.unit in ("%", "‰"):
        # 居民消费价格指数上涨3%, …控制在3.5%以内: a percentage of an index is its rise
        risen = s.registry.match(label + "涨幅") or s.registry.match(label.removesuffix("指数") + "涨幅")
        indicator = risen if risen is not None and unit_fits(risen, q.unit) else indicator
    if indicator is not None and not is_change and not unit_fits(indicator, q.unit):
        # the nearest label names a neighbouring quantity (e.g. revenue vs its share)
        label = clean_label(before) or label
        indicator = indicator_named_by(s.registry, label)
        label_start = None
    if not label:
        # "…年均增长6.5%，2020年达到5872.2亿元": the verb's subject was named before
        named = [f for f in s.facts if f.indicator is not None and not f.is_derived]
        earlier, earlier_label, _ = s.label_before(q, window_start, look_back="always")
        if named and unit_fits(named[-1].indicator, q.unit):
            indicator, label, label_start = named[-1].indicator, named[-1].label, None
        elif earlier is not None and not is_change and unit_fits(earlier, q.unit):
            # 全市地区生产总值迈上新台阶，预计达到2.5万亿元左右: named in the clause before
            indicator, label, label_start = earlier, earlier_label, None
        elif not is_change and q.unit not in ("%", "‰", "") and s.facts:
            # 工业投资年均增长8.1%，2025年突破2250亿元: the level of the statistic whose growth
            # the clause before gave, even when the registry does not know it
            last = s.facts[-1]
            if last.indicator is None and last.measure in ("growth_yoy", "growth_avg") \
                    and STATISTIC_HEAD.search(last.label):
                label, label_start = last.label, None
    return indicator, label, label_start


def _head_completed(s: Sentence, q: Quantity, head: str) -> tuple[Indicator, str] | None:
    """第二产业依然是主力军，增加值4365.67亿元: a bare head (增加值, 总产量) completed by the words
    that open its clause or the nearest earlier one into a registry name (第二产业增加值,
    粮食总产量; 一产业年均增速保持在2.6%以上、增加值总量冲刺63.3亿元)."""
    a, _ = s.clause_of(q.start)
    for start, end in reversed([c for c in s.clauses if c[0] <= a]):  # its own clause first
        run = re.match(r"[\u4e00-\u9fff]*", LEADING_NOISE.sub("", s.text[start:min(end, q.start)].strip())).group(0)
        for k in range(len(run), 1, -1):
            indicator = s.registry.match(run[:k] + head)
            if indicator is not None and unit_fits(indicator, q.unit):
                return indicator, run[:k] + head
    return None


def _subject_named_earlier(s: Sentence, q: Quantity, before: str, window_start: int, label: str,
                           is_change: bool) -> tuple[Indicator | None, str]:
    """"…，投资年均增长8%" or "总数达到680家": the subject was named earlier in the sentence."""
    own_words = label and not label_is_the_verb(before, label) and label not in GENERIC_LABELS
    fallback, fallback_label, _ = s.label_before(q, window_start, look_back="always")
    subject = s.subject_before(q.start)
    if fallback is not None and (not own_words or fallback_label.endswith(label)
                                 or label in fallback_label):
        return fallback, fallback_label
    if own_words:
        return None, label  # a label of its own that the registry does not know: keep it
    if subject is not None:
        return subject.indicator, subject.label
    if label in GENERIC_LABELS and any(f.indicator for f in s.facts):
        named = [f for f in s.facts if f.indicator][-1]
        return named.indicator, named.label
    verdict = _subject_of_a_verdict(s, q) if is_change and not label else None
    if verdict is not None:
        return verdict
    if s.state.get("subject") is not None and is_change:
        return s.state["subject"].indicator, s.state["subject"].label
    return None, label


def _subject_of_a_verdict(s: Sentence, q: Quantity) -> tuple[Indicator | None, str] | None:
    """高技术产业投资增势良好，同比增长14.7%: the clause before names the statistic and gives
    a verdict on it; the number of the next clause measures that statistic."""
    a, _ = s.clause_of(q.start)
    earlier = [c for c in s.clauses if c[1] <= a]
    if not earlier:
        return None
    words = s.text[earlier[-1][0]:earlier[-1][1]]
    m = VERDICT_TAIL.search(words)
    if m is None:
        return None
    label = clean_label(words[:m.start()])
    if not label or not STATISTIC_HEAD.search(label):
        return None
    return s.registry.match(label), label


_PLAN_END_COMPARED = re.compile(r"(?:比|较|是|为|相当于)" + PLAN_NAME + r"(?:末期|期末|末)?"
                                r"(?:的基础上)?的?(?:近|约)?(?:实现|再|要|将)?$")


def _plan_end_compared(stripped: str) -> int | None:
    """比“十二五”末翻了近一番, 是“十二五”末的1.9倍: a multiple of the last year of that plan."""
    m = _PLAN_END_COMPARED.search(stripped)
    return five_year_plan_years(m.group("n"))[1] if m else None


def relation(s: Sentence, q: Quantity, before: str) -> tuple[str, int | None, int]:
    """Measure, reference year (−1: the year before) and sign from the words before the number."""
    stripped = before.rstrip()
    if q.unit in ("个百分点", "百分点"):
        m = PP_TAIL.search(stripped)
        ref = int(m.group("ref")) if m and m.group("ref") else None
        if ref is None and re.search(r"比上年|较上年|同比", stripped[-8:]):
            ref = -1
        sign = -1 if m and m.group("verb") in NEGATIVE_VERBS else 1
        return "pp_change", ref, sign
    if q.unit == "倍" and "番" in q.text:  # 比2010年翻两番: a multiple of that year's value
        m = re.search(r"(?:比|较)((?:19|20)\d{2})年(?:的基础上)?(?:实现|再|要|将)?$", stripped)
        return "multiple", int(m.group(1)) if m else _plan_end_compared(stripped), 1
    if q.unit == "倍":
        m = MULTIPLE_TAIL.search(stripped)
        ref = int(m.group("ref")) if m and m.group("ref") else None
        return "multiple", ref if ref is not None else _plan_end_compared(stripped), 1
    if q.unit in ("%", "‰"):
        m = GROWTH_TAIL.search(stripped)
        if m:
            sign = -1 if m.group("verb") in NEGATIVE_VERBS else 1
            ref = int(m.group("ref")) if m.group("ref") else None  # 比2015年增长: since then
            return ("growth_avg" if m.group("avg") else "growth_yoy"), ref, sign
        return "level", None, 1
    m = ABS_CHANGE_TAIL.search(stripped)
    if m:
        sign = -1 if m.group("verb") in NEGATIVE_VERBS else 1
        return "abs_change", int(m.group("ref")) if m.group("ref") else -1, sign
    m = BARE_CHANGE.search(stripped)
    subject = s.subject_before(q.start) if m else None
    if subject is not None and subject.measure == "level" and dimension(subject.unit) == dimension(q.unit):
        return "abs_change", -1, -1 if m.group("verb") in NEGATIVE_VERBS else 1
    m = IMPLIED_CHANGE.search(stripped)
    if m and not s.is_target(q) and q.unit not in ("倍", "") and dimension(q.unit) is not None:
        return "abs_change", -1, -1 if m.group("verb") in NEGATIVE_VERBS else 1
    if re.search(r"(?:^|[，、；])(?:全年|年内|当年)?新增[\u4e00-\u9fff“”（）]{0,20}$", stripped) \
            and not s.is_target(q):
        return "abs_change", -1, 1  # 新增 N: an increment on the year before
    return "level", None, 1


def compose_share(s: Sentence, q: Quantity, before: str) -> tuple[Indicator | None, str] | None:
    """`金融业增加值…，占GDP比重为3.8%` → 金融业增加值占GDP比重."""
    stripped = LEADING_NOISE.sub("", before)
    if not stripped.startswith("占") or q.unit not in ("%", "‰"):
        return None
    subject = s.subject_before(q.start)
    if subject is None:
        return None
    label = subject.label + TRAILING_NOISE.sub("", stripped)
    indicator = s.registry.match(label)
    if indicator is None:
        scanned = s.registry.scan(label)
        if scanned and scanned[-1].end == len(label) and \
                scanned[-1].indicator.kind in ("share", "rate"):
            indicator = scanned[-1].indicator
    return indicator, label
