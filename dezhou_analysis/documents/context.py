"""Where a number stands: its year (stated, relative or carried from the paragraph), its region,
and whether the passage describes the past or sets a goal.

Everything here is read from the text or the sidecar; no year, region or plan period is assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dezhou_analysis.documents.sources import Document

# ---- years ------------------------------------------------------------------------------------

_YEAR_TOKEN = re.compile(
    r"(?P<pre>截至|截止|截止到|到|至|从|由|比|较|与|同|是|为|自|于|在)?"
    r"(?P<y1>(?<![0-9.])(?:19|20)\d{2})\s*(?:年?\s*(?:-|至|到|—)\s*(?P<y2>(?:19|20)\d{2}))?\s*年"
    r"(?P<post>以来|以后|之后|前|底|末|末期|年底|年末|上半年|下半年|前三季度|一季度|的|度|起|开始|内|间)?")
_RELATIVE = re.compile(r"(?P<pre>比|较|同|与)?(?P<word>过去(?:的)?一年|去年|上年|上一年|今年|本年|当年|明年|前年)"
                       r"(?P<post>以来|底|末|的)?")
_RELATIVE_OFFSET = {"去年": -1, "上年": -1, "上一年": -1, "今年": 0, "本年": 0, "当年": 0,
                    "明年": 1, "前年": -2, "过去一年": -1, "过去的一年": -1}


# 十三五, “十四五”时期, 十二五末: the five-year plans, numbered from the 3rd (1966–1970) on.
#: a five-year plan's name, quoted or not; group n is its number (十三), for five_year_plan_years
PLAN_NAME = r"[“\"]?(?P<n>十[一二三四五六七八九])五[”\"]?"
_FIVE_YEAR_PLAN = re.compile(r"(?P<pre>到|至|截至|比|较|是)?" + PLAN_NAME + r"(?P<post>时期|期间|以来|末期|期末|末|规划期)?")
_COMING_YEARS = re.compile(r"(?:今后|未来)([一二三四五六七八九])年")
_DIGITS_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def five_year_plan_years(numeral: str) -> tuple[int, int]:
    """十三 → (2016, 2020): the Nth plan runs 1966 + 5(N−3) to four years later."""
    number = 10 + _DIGITS_ZH[numeral[1]]
    first = 1966 + 5 * (number - 3)
    return first, first + 4


@dataclass
class YearMention:
    start: int
    end: int
    year: int
    year2: int | None
    role: str  # obs | ref | since | target | span | partial


def year_mentions(text: str, doc_year: int | None, now: int | None = None) -> list[YearMention]:
    """Every year in `text` with its role. `now` is the latest year already past when the
    document has no date (a plan's base year); relative years (去年) need the date itself."""
    past_until = doc_year if doc_year is not None else now
    mentions: list[YearMention] = []
    for m in _YEAR_TOKEN.finditer(text):
        y1 = int(m.group("y1"))
        y2 = int(m.group("y2")) if m.group("y2") else None
        pre, post = m.group("pre") or "", m.group("post") or ""
        if y2:
            role = "span"
        elif post in ("以来", "以后", "之后", "起", "开始"):
            role = "since"
        elif pre in ("比", "较", "同", "是", "与") and not post.startswith("底"):
            role = "ref"
        elif pre in ("从", "由"):  # 由2015年的…提高到…: the start of a from-to
            role = "ref"
        elif pre in ("到", "至") or post in ("前",):
            future = past_until is None or y1 > past_until
            role = "target" if future else "obs"
        elif post in ("上半年", "下半年", "前三季度", "一季度"):
            role = "partial"
        else:
            role = "obs"
            if past_until is not None and y1 > past_until and post not in ("度",):
                role = "target"  # 2018年实现贫困人口全部脱贫, said in 2016: a year still to come
        mentions.append(YearMention(m.start(), m.end(), y1, y2, role))
    for m in _FIVE_YEAR_PLAN.finditer(text):
        first, last = five_year_plan_years(m.group("n"))
        pre, post = m.group("pre") or "", m.group("post") or ""
        future = past_until is not None and last > past_until
        if pre in ("比", "较", "是"):  # 比“十二五”末翻了近一番, 是十二五末的5.3倍: the base compared with
            mentions.append(YearMention(m.start(), m.end(), last, None, "ref"))
            continue
        if post in ("末", "末期", "期末"):
            role = "target" if future or (pre and past_until is None) else "obs"
            mentions.append(YearMention(m.start(), m.end(), last, None, role))
        elif post == "以来":
            mentions.append(YearMention(m.start(), m.end(), first - 1, None, "since"))
        elif future or (past_until is None and pre):
            mentions.append(YearMention(m.start(), m.end(), last, None, "target"))
        else:  # the period as a whole: growth over it runs from the year before it starts
            mentions.append(YearMention(m.start(), m.end(), first - 1, last, "span"))
    if doc_year is not None:
        for m in _COMING_YEARS.finditer(text):  # 今后五年: the term that starts with the document
            span = _DIGITS_ZH.get(m.group(1), 5)
            mentions.append(YearMention(m.start(), m.end(), doc_year + span - 1, None, "target"))
        for m in _RELATIVE.finditer(text):
            year = doc_year + _RELATIVE_OFFSET[m.group("word")]
            post = m.group("post") or ""
            role = "since" if post == "以来" else ("target" if year > doc_year else "obs")
            if m.group("pre"):
                role = "ref"  # 比上年, 较上年: the year compared with
            mentions.append(YearMention(m.start(), m.end(), year, None, role))
    mentions.sort(key=lambda y: y.start)
    return mentions


def plan_period(doc: Document) -> tuple[int, int] | None:
    """The plan period from the sidecar (plan_period: 2018-2022) or the text's title lines."""
    value = doc.meta.get("plan_period")
    if value:
        match = re.match(r"\s*(\d{4})\D+(\d{4})", str(value))
        if match:
            return int(match.group(1)), int(match.group(2))
    head = doc.text[:2000]
    match = re.search(r"规划期(?:限)?(?:为|是)?\**\s*((?:19|20)\d{2})\s*\**\s*[-—–至到~]\s*\**\s*((?:19|20)\d{2})",
                      doc.text)
    if not match:
        match = re.search(r"[（(]\s*((?:19|20)\d{2})\s*[-—–至到~]\s*((?:19|20)\d{2})\s*年?\s*[)）]", head)
    if match:
        return int(match.group(1)), int(match.group(2))
    # 第十四个五年规划, “十四五”规划 in the title: the plan's own five years
    title = str(doc.meta.get("title", "")) + doc.text[:200]
    match = re.search(r"第?十([一二三四五六七八九])个五年规划|[“\"]?十([一二三四五六七八九])五[”\"]?(?:规划|时期)", title)
    if match:
        return five_year_plan_years("十" + (match.group(1) or match.group(2)))
    return None


# ---- sections ---------------------------------------------------------------------------------

# 第三章, 一、, （一）, and the boxed marks a news digest heads its parts with (■ 2024年成绩单)
_HEADING = re.compile(r"^(第[一二三四五六七八九十百零\d]+[章节部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
                      r"|[■□▌▍【])")
_REVIEW_WORDS = re.compile(r"现状|基础|回顾|成就|成效|形势|进展|情况|成绩|总结|评估")
_FORWARD_WORDS = re.compile(r"目标|任务|重点|举措|措施|保障|布局|路径|体系|机制|要求|思路|方向|行动|工程|机遇")


def heading_kind(paragraph: str) -> str | None:
    """'review' or 'forward' if the paragraph is a section heading, else None."""
    text = paragraph.strip()
    if len(text) > 40 or not _HEADING.match(text):
        return None
    if re.search(r"[。；]", text):
        return None
    if _REVIEW_WORDS.search(text):
        return "review"
    if _FORWARD_WORDS.search(text):
        return "forward"
    return "other"
