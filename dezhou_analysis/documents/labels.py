"""What a label is: a cleaned noun phrase before (or after) a number, and whether an indicator's
unit and kind fit the number it is given."""

from __future__ import annotations

import re

from dezhou_analysis.core import regions
from dezhou_analysis.core.indicators import Indicator, Registry
from dezhou_analysis.core.text import BULLET_MARKS
from dezhou_analysis.core.units import dimension
from dezhou_analysis.documents.context import PLAN_NAME
from dezhou_analysis.documents.cues import LEADING_NOISE, TRAILING_NOISE


def balanced_quotes(label: str) -> str:
    """`三品一标”产品…` (the opening quote fell before the label's start) → `“三品一标”产品…`."""
    if label.count("”") > label.count("“") and not label.startswith("“"):
        return "“" + label
    if label.count("“") > label.count("”"):
        return label.rstrip("“")
    return label


def clean_label(text: str) -> str:
    """The noun phrase left when years, punctuation and the verbs around a number are cut away;
    empty when what is left is too short or too long to name anything."""
    text = re.sub(r"(?:19|20)\d{2}年(?:底|末)?", "", text)
    text = re.sub(PLAN_NAME + r"(?:末期|期末|末|时期|期间)?", "", text)  # 是“十二五”末的
    text = re.sub(rf"^[，、；：（(\s{BULLET_MARKS}]+|[，、；：\s]+$", "", text)  # （规上工业企业2494家）, ●
    previous = None
    while previous != text:
        previous = text
        text = LEADING_NOISE.sub("", text)
        text = TRAILING_NOISE.sub("", text)
        text = text.strip("，、；： ")
    if len(text) < 2 or len(text) > 60 or not re.search(r"[\u4e00-\u9fffA-Za-z]", text):
        return ""
    return text


def label_is_the_verb(before: str, label: str) -> bool:
    """True when the 'label' found before a growth figure is only the verb phrase itself."""
    return not label or bool(re.fullmatch(r"(?:年均|平均|同比|(?:比|较)(?:上年(?:末|底)?|年初))?"
                                          r"(?:再|又)?(?:增长|增加|提高|下降|减少|降低|回落|增产|减产|净增|净减)?", label))


def unit_fits(indicator: Indicator, unit: str) -> bool:
    """Can a number written with `unit` be a value of `indicator` (亿元 is no share)?"""
    if not unit:
        return indicator.kind == "index" or indicator.unit == ""
    if unit in ("%", "‰"):
        return indicator.unit in ("%", "‰")
    if indicator.unit in ("%", "‰"):
        return False
    return dimension(unit) == dimension(indicator.unit) or dimension(unit) is None or (
        dimension(indicator.unit) in ("count", "persons") and dimension(unit) in ("count", "persons"))


def stated_measure(indicator: Indicator | None, unit: str) -> str:
    """Share, count or level, as the unit or the indicator says: a number in a ratio's unit
    (%, ‰, 成) or of a share or rate is a share, one of a count indicator a count."""
    if dimension(unit) == "ratio" or (indicator is not None and indicator.kind in ("share", "rate")):
        return "share"
    if indicator is not None and indicator.kind == "count":
        return "count"
    return "level"


def level_measure(indicator: Indicator | None, unit: str) -> str:
    """The measure of a number in the text that states a level: as `stated_measure` says, and a
    count when no indicator is named and the unit counts things or persons (315家, 2.2万人)."""
    if indicator is None and dimension(unit) in ("count", "persons"):
        return "count"
    return stated_measure(indicator, unit)


def indicator_named_by(registry: Registry, label: str) -> Indicator | None:
    """The registry's indicator for a label, or for the registry name that ends it
    (全省生产总值, 累计全社会固定资产投资 → 生产总值, 全社会固定资产投资)."""
    found = registry.match(label)
    if found is not None or not label:
        return found
    if _names_the_economy(label):  # 湖南经济年均增长7.8%, 全省经济总量: the place's product
        return registry.indicators.get("gdp")
    # 规模以上工业企业实现营业收入: the verb between the subject and the head names nothing
    plain = re.sub(r"(?<=[\u4e00-\u9fff])(?:实现|完成|累计完成)(?=[\u4e00-\u9fff]{2})", "", label)
    if plain != label and registry.match(plain) is not None:
        return registry.match(plain)
    scanned = registry.scan(label)
    if scanned and scanned[-1].end == len(label):
        return scanned[-1].indicator
    return bracket_named(registry, label)


def bracket_named(registry: Registry, label: str) -> Indicator | None:
    """城镇常住人口占常住人口比重（常住人口城镇化率）: the bracket gives the indicator its name."""
    named = re.search(r"[（(]([^（()）]{2,20})[)）]$", label)
    if named and not label.startswith(named.group(0)):
        return registry.match(named.group(1))
    return None


_AGGREGATE = re.compile(r"(?:全国|全省|全市|全区|全县|全州|我国|我省|我市|我区|我县|我州)?")


def _names_the_economy(label: str) -> bool:
    """经济, 全省经济, 湖南经济(总量): a place's economy, never 数字经济 or 县域经济."""
    match = re.fullmatch(r"(?P<place>[\u4e00-\u9fff]{0,8}?)经济(?:总量|增长|增速)?", label)
    if match is None:
        return False
    place = match.group("place")
    if _AGGREGATE.fullmatch(place):
        return True
    found = regions.find_regions(place, ("province", "prefecture", "county"))
    return bool(found) and found[0][0] == 0 and found[-1][1] == len(place)
