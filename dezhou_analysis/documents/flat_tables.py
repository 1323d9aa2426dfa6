"""Indicator tables that PDF extraction flattened into one line: `序号 指标 单位 2020年 2025年 属性
一、经济发展 1 地区生产总值 亿元 312.5 450左右 预期性 2 …`.

The line is cut back into its header and rows — at category headings (一、经济发展), at the next
row number when the table numbers its rows, and after a 属性 cell (预期性/约束性) — and each piece
is read by the indicator-table reader as if it stood on a line of its own, keeping the line the
whole table stands on.
"""

from __future__ import annotations

import re

from dezhou_analysis.core.text import one_to_one_table
from dezhou_analysis.documents.tables import IndicatorTable, find_tables

_HEADER_WORD = re.compile(r"^(?:序号|(?:主要)?指标(?:名称)?|指标|单位|计量单位|类别|领域|属性|指标属性|基期|目标|"
                          r"[“\"]?(?:十[一二三四五六七八九]五)?[”\"]?年均(?:增长|增速)?[/／]?[〔\[（(]?(?:累计)?[〕\]）)]?|"
                          r"(?:19|20)\d{2}\s*年?(?:[（(][^)）]*[)）])?(?:年?目标|目标值|基期|规划目标|预期)?)$")
_YEAR_WORD = re.compile(r"(?:19|20)\d{2}")
_CATEGORY = re.compile(r"^[一二三四五六七八九十]+、")
_ATTRIBUTE = ("预期性", "约束性")


def _pieces(raw: str) -> list[tuple[int, int, str]] | None:
    """(start, end, text) of the header and of each row, or None when the line is no table."""
    text = raw.translate(one_to_one_table())
    tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]
    if len(tokens) < 12:
        return None
    head = 0
    while head < len(tokens) and _HEADER_WORD.match(tokens[head][2]):
        head += 1
    words = [t[2] for t in tokens[:head]]
    if head < 3 or not any("指标" in w for w in words) or not any(_YEAR_WORD.match(w) for w in words):
        return None
    numbered = "序号" in words
    starts = [0, head]
    expected = 1
    for k in range(head, len(tokens)):
        word = tokens[k][2]
        if k > head and _CATEGORY.match(word):
            starts.append(k)
        elif numbered and word == str(expected):
            if k > head and starts[-1] != k:
                starts.append(k)
            expected += 1
        if word in _ATTRIBUTE and k + 1 < len(tokens) and not numbered:
            starts.append(k + 1)
        # a category heading is a row of its own: the next row starts after it
        if _CATEGORY.match(word) and k + 1 < len(tokens):
            starts.append(k + 1)
    bounds = sorted(set(starts)) + [len(tokens)]
    pieces = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if a < b:
            pieces.append((tokens[a][0], tokens[b - 1][1], raw[tokens[a][0]:tokens[b - 1][1]]))
    return pieces if len(pieces) >= 3 else None


def flat_tables(raw_lines: list[str]) -> tuple[list[IndicatorTable], set[int]]:
    """Every table flattened into one line, read with the line it stands on; and those lines."""
    tables: list[IndicatorTable] = []
    lines: set[int] = set()
    for index, raw in enumerate(raw_lines):
        pieces = _pieces(raw)
        if pieces is None:
            continue
        found = find_tables([text for _, _, text in pieces])
        for table in found:
            table.header_line = index + 1
            table.title_line = None
            table.warnings = [(index + 1, message) for _, message in table.warnings]
            for row in table.rows:
                row.line_no = index + 1
        if found:
            tables.extend(found)
            lines.add(index)
    return tables, lines
