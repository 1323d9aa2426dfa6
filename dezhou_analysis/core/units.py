"""Units as Chinese statistics write them, grouped by dimension, with conversion factors.

Converting within a dimension is allowed (万元 → 亿元); across dimensions it is an error that
names both units, because a silently mis-scaled number is worse than a refused one.
"""

from __future__ import annotations

from dataclasses import dataclass

from dezhou_analysis.core.errors import UnitError


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: float  # multiply a value in this unit by factor to get the dimension's base unit


_UNITS: dict[str, Unit] = {}


def _define(dimension: str, base_factor: dict[str, float]) -> None:
    for symbol, factor in base_factor.items():
        _UNITS[symbol] = Unit(symbol, dimension, factor)


_define("money_cny", {"元": 1, "万元": 1e4, "亿元": 1e8, "万亿元": 1e12, "万亿": 1e12, "亿": 1e8, "千元": 1e3,
                      "百万元": 1e6})
_define("money_usd", {"美元": 1, "万美元": 1e4, "亿美元": 1e8})
_define("ratio", {"%": 1, "‰": 0.1, "百分比": 1, "成": 10})  # 六成: six tenths
_define("percentage_points", {"个百分点": 1, "百分点": 1, "pp": 1})
_define("count", {"个": 1, "家": 1, "项": 1, "件": 1, "处": 1, "所": 1, "座": 1, "条": 1,
                  "户": 1, "万户": 1e4, "万个": 1e4, "万家": 1e4, "万件": 1e4, "张": 1, "辆": 1,
                  "万辆": 1e4, "台": 1, "套": 1, "部": 1})
_define("length", {"米": 1, "千米": 1e3, "公里": 1e3, "万公里": 1e7})
_define("power", {"千瓦": 1, "万千瓦": 1e4, "兆瓦": 1e3})
_define("energy", {"千瓦时": 1, "万千瓦时": 1e4, "亿千瓦时": 1e8})
_define("coal_equivalent", {"吨标准煤": 1, "万吨标准煤": 1e4})
_define("volume", {"立方米": 1, "万立方米": 1e4, "亿立方米": 1e8})
_define("persons", {"人": 1, "名": 1, "万人": 1e4, "万名": 1e4, "位": 1})
_define("person_times", {"人次": 1, "万人次": 1e4, "亿人次": 1e8})
_define("person_years", {"人年": 1, "万人年": 1e4})
_define("area", {"平方米": 1, "万平方米": 1e4, "亩": 666.6667, "万亩": 6.666667e6,
                 "平方公里": 1e6, "公顷": 1e4, "千公顷": 1e7, "万公顷": 1e8})
_define("mass", {"吨": 1, "万吨": 1e4, "亿吨": 1e8, "公斤": 1e-3, "斤": 5e-4, "万斤": 5, "亿斤": 5e4})
_define("livestock", {"头": 1, "万头": 1e4, "只": 1, "万只": 1e4})
_define("money_per_person", {"元/人": 1, "万元/人": 1e4})
_define("concentration", {"微克/立方米": 1})
_define("multiple", {"倍": 1})
_define("years", {"年": 1, "岁": 1})
_define("index", {"": 1, "点": 1})

#: symbols people write for the same unit
UNIT_SYNONYMS = {
    "percent": "%", "％": "%", "pct": "%", "亿人民币": "亿元", "万人民币": "万元",
    "亿元人民币": "亿元", "万元人民币": "万元", "人民币亿元": "亿元", "m2": "平方米",
    "㎡": "平方米", "万㎡": "万平方米", "万m2": "万平方米", "ug/m3": "微克/立方米",
    "μg/m3": "微克/立方米", "μg/m³": "微克/立方米", "µg/m3": "微克/立方米",
    "百分点": "个百分点", "家/个": "家", "人/万人": "人",
}


def canonical_unit(symbol: str | None) -> str:
    text = (symbol or "").strip()
    text = UNIT_SYNONYMS.get(text, text)
    return text


def known_unit(symbol: str | None) -> bool:
    return canonical_unit(symbol) in _UNITS


def unit_info(symbol: str | None) -> Unit:
    text = canonical_unit(symbol)
    if text not in _UNITS:
        raise UnitError(f"unknown unit {symbol!r}; known units: {', '.join(sorted(u for u in _UNITS if u))}")
    return _UNITS[text]


def dimension(symbol: str | None) -> str | None:
    text = canonical_unit(symbol)
    unit = _UNITS.get(text)
    return unit.dimension if unit else None


def compatible(a: str | None, b: str | None) -> bool:
    da, db = dimension(a), dimension(b)
    return da is not None and da == db


def conversion_factor(source: str | None, target: str | None) -> float:
    """Factor f such that value_in_target = value_in_source * f."""
    src, dst = unit_info(source), unit_info(target)
    if src.dimension != dst.dimension:
        raise UnitError(f"cannot convert {source!r} ({src.dimension}) to {target!r} "
                        f"({dst.dimension})")
    return src.factor / dst.factor


def convert(value: float, source: str | None, target: str | None) -> float:
    """The value in `target`; 15 significant digits, so 2401000 万元 is 240.1 亿元, not
    240.10000000000002 (binary noise would otherwise reach tables and conflict checks)."""
    factor = conversion_factor(source, target)
    return value if factor == 1 else float(f"{value * factor:.15g}")


#: relations between two families that a statistician may defensibly report against each other,
#: with the note that goes with every value so reported. The value is kept as written (scaled
#: within its own family), never converted: the note says what it measures instead.
DECLARED_RELATIONS: dict[tuple[str, str], str] = {
    ("person_years", "persons"): "full-time equivalents (人年), not a headcount: kept as written, "
                                 "not converted",
}


def declared_relation(source: str | None, target: str | None) -> str:
    """The note for a value in `source` reported against an indicator in `target` when the two
    families have a declared relation (人年 against 人), else ""."""
    return DECLARED_RELATIONS.get((dimension(source) or "", dimension(target) or ""), "")


def convert_related(value: float, source: str | None, target: str | None) -> float:
    """A value in a related family, scaled as its own family's unit of the target's size:
    3.5 万人年 against 人 is 35000 (人年), which is what the note then says it is."""
    src, dst = unit_info(source), unit_info(target)
    return float(f"{value * src.factor / dst.factor:.15g}")
