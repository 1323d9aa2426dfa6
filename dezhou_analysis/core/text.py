"""Character-level vocabulary shared by every reader of text: one canonical form for the
full-width, traditional and ratio-colon variants that documents and spreadsheets both carry.

The mapping is one-to-one (length preserving), so a reader that maps text through it can still
point at the raw character a value came from.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _traditional_map() -> dict[str, str]:
    text = resources.files("dezhou_analysis.package_data").joinpath(
        "traditional_simplified.txt").read_text(encoding="utf-8")
    pairs = {}
    for line in text.splitlines():
        line = line.strip()
        if len(line) == 2 and not line.startswith("#"):
            pairs[line[0]] = line[1]
    return pairs


#: the marks a line of a list or a digest may open with (●, ■ …), before its words
BULLET_MARKS = "●◆•■▪◇○◎★☆□"


@lru_cache(maxsize=1)
def one_to_one_table() -> dict[int, str]:
    """Full-width ASCII to ASCII, ideographic space to space, ratio colon, traditional chars."""
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ! .. ~
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    table[0x00A0] = " "
    table[0x2236] = ":"  # RATIO ∶
    table[0xFE30] = ":"
    table[0x2024] = "."  # ONE DOT LEADER
    table[0x3002] = "。"
    for trad, simp in _traditional_map().items():
        table[ord(trad)] = simp
    # keep Chinese punctuation full-width: map the ASCII forms back after the full-width pass
    for ascii_char, wide in {"(": "（", ")": "）", ";": "；", "?": "？", "!": "！"}.items():
        table[ord(wide)] = wide  # do not narrow these
        table[ord(ascii_char)] = wide
    return table


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x2FFFF)


