"""Every quantity in a sentence: structure ratios first, then ranges, then single numbers with
their units and qualifiers. Years are masked out before any number is read, and words that only
look like numbers (第三, 每一, 千人计划, a code glued to letters) are not quantities."""

from __future__ import annotations

import re

from dezhou_analysis.documents.context import YearMention
from dezhou_analysis.documents.cues import ATTRIBUTE_AFTER, STRUCTURE_CUE
from dezhou_analysis.documents.facts import Quantity, ScanResult
from dezhou_analysis.documents.numbers import (
    COUNT_CLASSIFIERS,
    QUANTITY,
    RANGE,
    RATIO,
    chinese_numeral_value,
    qualifier_kind,
)

# a pasted address (its %E5%BE%B7 escapes are no percentages), a document number (〔2018〕13号)
_NOT_PROSE = re.compile(r"(?:https?://|www\.)[!-~]+|(?:%[0-9A-Fa-f]{2}){2,}[!-~]*"
                        r"|[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d+\s*号")


# 人口自然增长率为-5.11‰, 增速为-0.9%: a signed rate after the word that gives it (a hyphen
# between two numbers is a range or a date, and is read elsewhere)
_SIGNED = re.compile(r"(?<=[为是：:率达])-(?P<num>\d+(?:\.\d+)?)(?P<unit>%|‰)")

# 突破万亿元, 破万亿, 突破千亿元大关, 超百万人: a threshold written with its magnitude alone
# (one of it); 过千亿元区县 names a kind of county, so a word may not follow
_MAGNITUDE = re.compile(r"(?P<verb>突破|超过|跨越|迈上|站上|跨过|破|超|达)"
                        r"(?P<mag>万亿|千亿|百亿|十亿|亿|千万|百万|十万|万)"
                        r"(?P<unit>元|美元|人次|人|吨|千瓦|亩|户|辆)?(?P<tail>大关|台阶|级)?"
                        r"(?![\u4e00-\u9fff])")
_MAGNITUDES = {"万亿": (1.0, "万亿"), "千亿": (1000.0, "亿"), "百亿": (100.0, "亿"), "十亿": (10.0, "亿"),
               "亿": (1.0, "亿"), "千万": (1000.0, "万"), "百万": (100.0, "万"), "十万": (10.0, "万"),
               "万": (1.0, "万")}

# 翻番 is 翻一番; 翻了近一番 about, 翻了一番多 more than
_DOUBLINGS = re.compile(r"(接近|基本|约)?翻(?:了)?(近|约|接近)?([一两二三])?番(多|以上)?")


# 近六成, 超过四成, 九成以上: tenths of a whole, a share (一成不变, 九成新 are words: a word follows)
_TENTHS = re.compile(r"(?P<pre>将近|接近|近|约|超过|超|逾|不到|不足)?(?P<num>[一二三四五六七八九])成"
                     r"(?P<post>以上|左右|多)?(?![\u4e00-\u9fff])")


# 1.79:1, 2.2∶1以内 (the ratio colon is ":" once normalised): a ratio to one, after a word for a ratio
_TO_ONE = re.compile(r"(?<=比|差|数)[^，。；\d]{0,6}?(?<![0-9.])(?P<num>\d+(?:\.\d+)?)\s*:\s*1(?![0-9.:])"
                     r"(?P<post>以内|以下|左右)?")
# 4个和13.3个百分点, 2.3和4.1个百分点, 1.2、0.8个百分点: a unit written once, after the last number
_SHARED_UNIT = re.compile(r"(?<![0-9.])(?P<num>\d+(?:\.\d+)?)(?P<first>\s*(?:个(?!百分点))?)(?=\s*(?:和|、|与|及)\s*"
                          r"\d+(?:\.\d+)?\s*(?P<unit>个百分点|百分点))")


class _Mask:
    """Characters already claimed by a year or an earlier quantity."""

    def __init__(self, length: int, years: list[YearMention]):
        self.taken = [False] * length
        for y in years:
            self.take(y.start, y.end)

    def free(self, a: int, b: int) -> bool:
        return not any(self.taken[a:b])

    def take(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.taken[i] = True


def find_quantities(stext: str, years: list[YearMention], result: ScanResult) -> list[Quantity]:
    """The sentence's quantities in reading order."""
    mask = _Mask(len(stext), years)
    for m in _NOT_PROSE.finditer(stext):
        mask.take(m.start(), m.end())
    out: list[Quantity] = []
    for m in RATIO.finditer(stext):
        before = stext[max(0, m.start() - 40):m.start()]
        if mask.free(m.start(), m.end()) and STRUCTURE_CUE.search(before):
            parts = tuple(float(p) for p in m.group(0).split(":"))
            out.append(Quantity(m.start(), m.end(), m.start(), parts[0], "%", "point",
                                m.group(0), parts=parts))
            mask.take(m.start(), m.end())
    for m in _DOUBLINGS.finditer(stext):  # 翻一番 → 2 times, 翻两番 → 4 times
        if mask.free(m.start(), m.end()):
            times = 2.0 ** {"一": 1, "两": 2, "二": 2, "三": 3}[m.group(3) or "一"]
            qualifier = "at_least" if m.group(4) else "approx" if m.group(1) or m.group(2) else "point"
            out.append(Quantity(m.start(), m.end(), m.start(3) if m.group(3) else m.start(), times,
                                "倍", qualifier, m.group(0)))
            mask.take(m.start(), m.end())
    for m in _TENTHS.finditer(stext):
        if mask.free(m.start(), m.end()):
            out.append(Quantity(m.start(), m.end(), m.start("num"), chinese_numeral_value(m.group("num")),
                                "成", qualifier_kind(m.group("pre"), m.group("post")), m.group(0),
                                chinese=True))
            mask.take(m.start(), m.end())
    for m in RANGE.finditer(stext):
        if mask.free(m.start(), m.end()):
            out.append(Quantity(m.start(), m.end(), m.start(), float(m.group("lo")),
                                m.group("unit"), "at_least", m.group(0),
                                high=float(m.group("hi"))))
            mask.take(m.start(), m.end())
    for m in _MAGNITUDE.finditer(stext):
        if mask.free(m.start("mag"), m.end()) and m.group("tail") != "级":
            value, prefix = _MAGNITUDES[m.group("mag")]
            out.append(Quantity(m.start("mag"), m.end(), m.start("mag"), value,
                                prefix + (m.group("unit") or ""), "at_least", m.group(0)[len(m.group("verb")):]))
            mask.take(m.start("mag"), m.end())
    for m in _TO_ONE.finditer(stext):  # 城乡居民收入比缩小到1.79:1: the ratio is the first term
        if mask.free(m.start(), m.end()):
            out.append(Quantity(m.start(), m.end(), m.start("num"), float(m.group("num")), "",
                                qualifier_kind(None, m.group("post")), m.group(0)))
            mask.take(m.start(), m.end())
    for m in _SHARED_UNIT.finditer(stext):  # 分别提高4个和13.3个百分点: the first takes the last's unit
        if mask.free(m.start(), m.end("first")):
            out.append(Quantity(m.start(), m.end("first"), m.start(), float(m.group("num")),
                                m.group("unit"), "point", m.group(0)[:m.end("first") - m.start()]))
            mask.take(m.start(), m.end("first"))
    for m in _SIGNED.finditer(stext):
        if mask.free(m.start(), m.end()):
            out.append(Quantity(m.start(), m.end(), m.start(), -float(m.group("num")), m.group("unit"),
                                "point", m.group(0)))
            mask.take(m.start(), m.end())
    for m in QUANTITY.finditer(stext):
        if not m.group("num") or not mask.free(m.start("num"), m.end("num")):
            continue
        q = _quantity(stext, m, result)
        if q is not None and mask.free(q.start, q.end):
            out.append(q)
            mask.take(q.start, q.end)
    out.sort(key=lambda q: q.start)
    return out


def _quantity(stext: str, m: re.Match, result: ScanResult) -> Quantity | None:
    num, unit = m.group("num"), m.group("unit") or ""
    chinese = not num[0].isdigit()
    before_char = stext[m.start("num") - 1] if m.start("num") > 0 else ""
    after = stext[m.end():]
    if before_char == "第" or before_char == "每":
        return None
    if m.group("more") == "几":
        result.skip("vague number (几)")
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
    if unit and ATTRIBUTE_AFTER.match(after):
        return None
    if not unit and ATTRIBUTE_AFTER.match(after):
        return None
    end, post = m.end(), None
    if not unit and after[:1] in ("年", "岁") and _YEARS_OF.search(stext[max(0, m.start() - 12):m.start()]):
        # 平均受教育年限达到11.5年, 人均预期寿命83岁: a length of time is the value (60岁以上人口
        # is an age that bounds a group, and stays out)
        unit, end = after[0], end + 1
        post = re.match(r"以上|以下|以内|左右|上下", stext[end:])
        if post:
            end += post.end()
        after = stext[end:]
    if not unit and after[:1] and after[:1] not in "，。；：、）)" and not after.startswith(("以上", "左右")):
        return None  # a bare number glued to words (a name, a code)
    qualifier = qualifier_kind(m.group("pre"), m.group("post") or (post.group(0) if post else None),
                               m.group("more"))
    return Quantity(m.start(), end, m.start("num"), value, unit, qualifier, stext[m.start():end],
                    chinese=chinese)


# the statistics whose values are numbers of years (受教育年限, 预期寿命)
_YEARS_OF = re.compile(r"(?:年限|寿命)[^，。；\d]{0,6}$")
