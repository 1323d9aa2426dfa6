"""Numbers as Chinese planning texts write them: digits or Chinese numerals, units, qualifiers.

`左右` is not `以上`: the qualifier decides what "reaching" a target means, so it is parsed with
the number and kept. Words that look like numbers but are names (十九大, 两院院士, 三大平台)
are not numbers here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# qualifiers -> kind of statement (for targets: target_kind; for observations: value qualifier)
AT_LEAST_AFTER = ("以上", "多", "余")
AT_MOST_AFTER = ("以下", "以内")
APPROX_AFTER = ("左右", "上下")
AT_LEAST_BEFORE = ("不低于", "不少于", "超过", "突破", "逾", "过", "达到或超过", "大于", "高于",
                   "≥", ">=", ">")
AT_MOST_BEFORE = ("不高于", "不超过", "控制在", "不到", "不足", "低于", "少于", "小于",
                  "≤", "<=", "<")
APPROX_BEFORE = ("约", "近", "大约", "接近", "将近")
QUALITATIVE_WORDS = re.compile(
    r"稳定增长|稳步增长|持续增长|保持增长|稳定改善|持续改善|明显改善|稳定提高|持续提高|稳步提高|逐步提高|"
    r"明显提高|不断提高|持续下降|逐步下降|稳中有升|稳中有降|保持稳定|有所提高|完成省下达任务|完成上级下达任务|"
    r"达到省定目标|完成省定目标")

# units written after numbers, longest first
UNIT_WORDS = [
    "万亿元", "亿美元", "万美元", "亿元", "万元/人", "元/人", "万元", "千元", "美元", "元",
    "个百分点", "百分点", "万人次", "亿人次", "人次", "万人年", "人年", "万人", "万名", "万户", "万个",
    "万家", "万件", "万平方米", "平方米", "平方公里", "万公顷", "千公顷", "公顷", "万亩", "亩", "万吨",
    "亿吨", "亿斤", "万斤", "公斤", "斤", "万头", "万只", "头", "只", "吨", "微克/立方米", "万千瓦时", "亿千瓦时", "千瓦时", "万千瓦", "千瓦", "兆瓦", "吨标准煤",
    "亿立方米", "万立方米", "立方米", "万公里", "公里", "千米", "%", "‰", "倍", "家", "个", "项",
    "件", "名", "人", "户", "处", "所", "座", "张", "辆", "台", "套", "部",
    "万亿", "亿", "万",
]
COUNT_CLASSIFIERS = set("个家项件名所处座户条张辆台套部") | {"万户"}
_UNIT_RE = "|".join(re.escape(u) for u in UNIT_WORDS)

_CN_NUMERAL_CHARS = set("零〇一二两三四五六七八九十百千万亿点")


@lru_cache(maxsize=1)
def _cn2an():
    """cn2an builds its tables when imported (about a second): only a text with a Chinese
    numeral pays for it."""
    import cn2an
    return cn2an.cn2an


def chinese_numeral_value(text: str) -> float | None:
    """Value of a Chinese numeral such as 十二, 一百二十, 三千五百, 两万, 三点五; None if not one."""
    if not text or any(ch not in _CN_NUMERAL_CHARS for ch in text):
        return None
    if text[0] in "百千万亿":
        text = "一" + text  # 过百: a bare magnitude counts one of it
    try:
        return float(_cn2an()(text, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


NUMBER = r"\d+(?:\.\d+)?"
CN_NUMERAL = r"[零〇一二两三四五六七八九十百千]+"

# A quantity: optional qualifier, a number (digits or Chinese), optional 多/余, optional unit,
# optional trailing qualifier. Years (2017年) and ordinals (第三) are excluded by the callers.
QUANTITY = re.compile(
    rf"(?P<pre>不低于|不少于|不高于|不超过|达到或超过|超过|突破|不到|不足|大约|接近|将近|约|近|逾|过)?"
    rf"(?P<num>(?<![0-9A-Za-z.\-]){NUMBER}(?![0-9]|\.\d)|{CN_NUMERAL})"
    rf"(?P<more>多|余|几)?"
    rf"(?P<unit>{_UNIT_RE})?"
    rf"(?P<post>以上|以下|以内|左右|上下|多)?")

# 6-8万人, 5.5%—6%, 7.5%～8%: the low end may repeat a percent sign; a dash that joins two
# numbers with a unit after the second is a range, not punctuation
RANGE = re.compile(
    rf"(?P<lo>(?<![0-9A-Za-z.]){NUMBER})(?:%|‰)?\s*(?:-|—|–|~|～|至|到)\s*(?P<hi>{NUMBER})(?P<unit>{_UNIT_RE})")

RATIO = re.compile(rf"(?<![0-9.]){NUMBER}(?::{NUMBER}){{1,4}}(?![0-9.:])")

YEAR = re.compile(r"(?<![0-9])((?:19|20)\d{2})(?:\s*[-—–~至到]\s*((?:19|20)\d{2}))?年")


@dataclass
class CellValue:
    """A parsed table cell: value, how to read it, and the raw text for provenance."""

    value: float | None
    kind: str  # point | approx | at_least | at_most | qualitative | missing | malformed
    text: str
    high: float | None = None
    cumulative: bool = False


_CELL = re.compile(
    rf"^(?P<pre>约|近|不低于|不少于|不高于|不超过|超过|突破|≥|>=|≤|<=|>|<)?\s*"
    rf"(?P<num>-?{NUMBER})\s*(?:(?:-|—|–|~|至)\s*(?P<hi>{NUMBER}))?\s*(?P<pct>%|‰)?\s*"
    rf"(?P<post>左右|以上|以下|以内|上下)?$")
_MISSING = {"", "-", "—", "–", "/", "／", "…", "...", "无", "暂无", "n/a", "na", "NA", "——"}


def qualifier_kind(pre: str | None, post: str | None, more: str | None = None) -> str:
    pre, post, more = pre or "", post or "", more or ""
    if post in APPROX_AFTER or pre in APPROX_BEFORE:
        return "approx"
    if post in AT_MOST_AFTER or pre in AT_MOST_BEFORE:
        return "at_most"
    if post in AT_LEAST_AFTER or pre in AT_LEAST_BEFORE or more in ("多", "余"):
        return "at_least"
    return "point"


#: footnote marks after a table cell's number (60.6*: an estimate, explained under the table),
#: taken off before the cell is parsed
CELL_FOOTNOTE = re.compile(r"(?<=[\d%])\s*(?:[*＊※]+|[①②③④⑤⑥⑦⑧⑨])$")


def parse_cell(raw: str) -> CellValue:
    """Parse a table cell such as `8 左右`, `60以上`, `≥95`, `稳定增长`, `2—3`, `—`, `〔25〕`.

    Chinese plan tables put five-year cumulative figures in square brackets 〔 〕 or [ ].
    """
    original = text = (raw or "").strip()
    cumulative = "累计" in text
    bracketed = re.fullmatch(r"[〔\[【]\s*(.+?)\s*[〕\]】]", text)
    if bracketed:
        text, cumulative = bracketed.group(1), True
    compact = re.sub(r"[（(]?累计[)）]?", "", text)
    compact = re.sub(r"\s+", "", compact).replace("％", "%")
    text = original
    if compact in _MISSING:
        return CellValue(None, "missing", text, cumulative=cumulative)
    match = _CELL.match(compact)
    if match:
        value = float(match.group("num"))
        high = float(match.group("hi")) if match.group("hi") else None
        kind = qualifier_kind(match.group("pre"), match.group("post"))
        if high is not None and kind == "point":
            kind = "at_least"
        return CellValue(value, kind, text, high=high, cumulative=cumulative)
    if not re.search(r"\d", compact) and re.search(r"[\u4e00-\u9fff]", compact):
        return CellValue(None, "qualitative", text, cumulative=cumulative)
    return CellValue(None, "malformed", text, cumulative=cumulative)


