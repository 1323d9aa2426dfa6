"""Text normalisation that remembers where every character came from.

Planning texts arrive as PDF extractions, web pages and word-processor exports: full-width and
ASCII punctuation mixed, markdown emphasis, HTML tags, spaces inside numbers, sentences broken
across lines, traditional characters. The parsers work on one canonical form; provenance must
still point at the raw file, so every normalised character maps back to (raw line, raw column).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from dezhou_analysis.core.text import BULLET_MARKS, is_cjk, one_to_one_table

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"

_CJK_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】〔〕…—·「」『』")


def _is_wide(ch: str) -> bool:
    return is_cjk(ch) or ch in _CJK_PUNCT


# ---------------------------------------------------------------------------------------------
# per-line normalisation with run bookkeeping

_DELETE_MARKUP = re.compile(r"<[^<>\n]{0,400}>|\*\*|__|\[bookmark:[^\]]*\]")
# reposted pages annotate characters with their pinyin: 現(xiàn), 增長(zhǎng); the reading goes
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]*[)）]")
_SPACES = re.compile(r"[ \u00a0]+")
# a bulletin's footnote mark glued to the word it explains: 年末全国人口[6]141175万人
_FOOTNOTE = re.compile(r"(?<=[\u3400-\u9fff）)])\[\d{1,2}\]")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


class _Line:
    """A line being normalised, with runs mapping its offsets to raw columns."""

    __slots__ = ("text", "runs")

    def __init__(self, raw: str):
        self.text = raw.translate(one_to_one_table())
        self.runs = [(0, 0, len(raw))]  # (offset in text, raw column, length)

    def delete(self, spans: list[tuple[int, int]]) -> None:
        if not spans:
            return
        keep, pos = [], 0
        for start, end in spans:
            if start > pos:
                keep.append((pos, start))
            pos = max(pos, end)
        if pos < len(self.text):
            keep.append((pos, len(self.text)))
        new_runs: list[tuple[int, int, int]] = []
        out = 0
        for a, b in keep:
            for cur, raw_col, length in self.runs:
                lo, hi = max(a, cur), min(b, cur + length)
                if lo < hi:
                    mapped = (out + lo - a, raw_col + lo - cur, hi - lo)
                    if new_runs and new_runs[-1][0] + new_runs[-1][2] == mapped[0] \
                            and new_runs[-1][1] + new_runs[-1][2] == mapped[1]:
                        last = new_runs.pop()
                        mapped = (last[0], last[1], last[2] + mapped[2])
                    new_runs.append(mapped)
            out += b - a
        self.text = "".join(self.text[a:b] for a, b in keep)
        self.runs = new_runs

    def substitute(self, pattern: re.Pattern, repl) -> None:
        """Same-length substitution: offsets do not move."""
        new = pattern.sub(repl, self.text)
        assert len(new) == len(self.text)
        self.text = new


def _space_is_noise(text: str, start: int, end: int) -> bool:
    left = text[start - 1] if start > 0 else ""
    right = text[end] if end < len(text) else ""
    if not left or not right:
        return True  # leading/trailing
    if _is_wide(left) or _is_wide(right):
        return True
    if left.isdigit() and right in ".%‰":
        return True
    if (left.isdigit() and right == ":") or (left == ":" and right.isdigit()):
        return True  # a ratio spaced out by extraction: 0.21 : 45.07 : 54.72
    if left == "." and right.isdigit() and start >= 2 and text[start - 2].isdigit():
        return True
    if left.isdigit() and right.isdigit():
        # "1 000" thousands grouping
        tail = re.search(r"(\d+)$", text[:start])
        head = re.match(r"\d+", text[end:])
        return bool(tail and head and len(tail.group(1)) <= 3 and len(head.group(0)) == 3)
    return False


def _colon(match: re.Match) -> str:
    text, i = match.string, match.start()
    before = text[:i].rstrip(" ")[-1:]  # a ratio's colon may stand between spaces
    after = text[i + 1:].lstrip(" ")[:1]
    return ":" if (before.isdigit() and after.isdigit()) else "："


def _comma(match: re.Match) -> str:
    return "，"


_DASH_BETWEEN_NUMBERS = re.compile(rf"(?<=\d)[{_DASHES}~～](?=\d)")
_ASCII_COLON = re.compile(r":")
_ASCII_COMMA = re.compile(r",")
_LINE_LEADING_DOTS = re.compile(r"(?<=\d)\.\s+(?=\d)")


def normalise_line(raw: str) -> _Line:
    line = _Line(raw)
    line.delete([m.span() for m in _DELETE_MARKUP.finditer(line.text)])
    line.delete([m.span() for m in _PINYIN.finditer(line.text)])
    line.delete([m.span() for m in _FOOTNOTE.finditer(line.text)])
    line.delete([m.span() for m in _THOUSANDS_COMMA.finditer(line.text)])
    line.substitute(_ASCII_COMMA, _comma)
    line.substitute(_ASCII_COLON, _colon)
    # spaces: inside numbers, between numbers and units, around Chinese text
    spans = [m.span() for m in _SPACES.finditer(line.text)
             if _space_is_noise(line.text, *m.span())]
    line.delete(spans)
    # "11. 9" inside a sentence (not a list number at the start of the line)
    spans = []
    for m in _LINE_LEADING_DOTS.finditer(line.text):
        if m.start() > 3:
            spans.append((m.start() + 1, m.end()))
    line.delete(spans)
    line.substitute(_DASH_BETWEEN_NUMBERS, "-")
    return line


# ---------------------------------------------------------------------------------------------
# document-level text

@dataclass
class Paragraph:
    start: int
    end: int
    is_table: bool = False


@dataclass
class NormalizedText:
    """The normalised document: paragraphs separated by newlines, mapped back to raw lines."""

    text: str
    raw_lines: list[str]
    paragraphs: list[Paragraph]
    _starts: list[int] = field(repr=False)
    _lines: list[int] = field(repr=False)
    _cols: list[int] = field(repr=False)

    def raw_position(self, offset: int) -> tuple[int, int]:
        """1-based raw line number and 0-based column of a normalised offset."""
        if not self._starts:
            return 1, 0
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        return self._lines[i] + 1, self._cols[i] + (offset - self._starts[i])

    def raw_quote(self, start: int, end: int, anchor: int | None = None) -> tuple[int, str]:
        """The raw text of [start, end) restricted to the raw line holding `anchor`.

        The quote is always a verbatim substring of that raw line, so a reader can find it.
        """
        anchor = start if anchor is None else anchor
        line_no, _ = self.raw_position(anchor)
        raw = self.raw_lines[line_no - 1]
        first_line, first_col = self.raw_position(start)
        last_line, last_col = self.raw_position(max(start, end - 1))
        lo = first_col if first_line == line_no else 0
        hi = last_col + 1 if last_line == line_no else len(raw)
        quote = raw[lo:hi].strip()
        return line_no, quote or raw.strip()


_TERMINAL = set("。！？；：!?;:")
_BLOCK_START = re.compile(
    r"^(第[一二三四五六七八九十百零\d]+[章节条部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|——|—|专栏|表\s*\d|图\s*\d|附件|附表|\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[）)]|---|#"
    rf"|[{BULLET_MARKS}▌▍【])")  # a bullet starts an item of its own
# 图3 2018-2022年全员劳动生产率: a caption alone on its line, which the text below does not continue
_CAPTION = re.compile(r"^(?:图|表|附图|附表)\s*\d{1,2}(?!\d)")


def _is_tabular(raw: str) -> bool:
    return "\t" in raw or bool(re.search(r"\S {3,}\S", raw.strip()))


def normalise(raw_text: str) -> NormalizedText:
    """Normalise a whole document; joins lines broken inside a sentence."""
    raw_lines = raw_text.split("\n")
    raw_lines = [line[:-1] if line.endswith("\r") else line for line in raw_lines]
    pieces: list[str] = []
    starts: list[int] = []
    lines: list[int] = []
    cols: list[int] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    current_start = None
    current_text = ""
    current_tabular = False
    current_lines = 0

    def close_paragraph():
        nonlocal current_start, current_text, offset
        if current_start is not None:
            paragraphs.append(Paragraph(current_start, offset, current_tabular))
            pieces.append("\n")
            starts.append(offset)
            lines.append(last_line_index)
            cols.append(len(raw_lines[last_line_index]))
            offset += 1
        current_start = None
        current_text = ""

    last_line_index = 0
    for index, raw in enumerate(raw_lines):
        if not raw.strip():
            continue
        tabular = _is_tabular(raw)
        if tabular:
            line_text = raw.translate(one_to_one_table())
            runs = [(0, 0, len(raw))]
        else:
            built = normalise_line(raw)
            line_text, runs = built.text.strip(), built.runs
            lead = len(built.text) - len(built.text.lstrip())
            if lead:
                built.delete([(0, lead)])
                line_text, runs = built.text.strip(), built.runs
        if not line_text:
            continue
        joins = (current_start is not None and not tabular and not current_tabular
                 and len(current_text) >= 20 and current_text[-1] not in _TERMINAL
                 and not (current_text.endswith("”") and len(current_text) > 1
                          and current_text[-2] in _TERMINAL)
                 and not _BLOCK_START.match(line_text)
                 # a heading alone on its line (一、2017年…执行情况) does not run on into the text
                 and not (current_lines == 1 and len(current_text) <= 40
                          and (_BLOCK_START.match(current_text) or _CAPTION.match(current_text))))
        if not joins:
            close_paragraph()
            current_start = offset
            current_tabular = tabular
            current_lines = 0
        current_lines += 1
        for cur, raw_col, _length in runs:
            if cur >= len(line_text):
                continue
            starts.append(offset + cur)
            lines.append(index)
            cols.append(raw_col)
        pieces.append(line_text)
        offset += len(line_text)
        current_text += line_text
        last_line_index = index
    close_paragraph()
    return NormalizedText("".join(pieces), raw_lines, paragraphs, starts, lines, cols)


_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”’」』）)]*|$)")


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end] (split at 。！？, keeping closing quotes)."""
    spans = []
    for m in _SENTENCE.finditer(text, start, end):
        if m.end() > m.start() and text[m.start():m.end()].strip():
            spans.append((m.start(), m.end()))
    return spans
