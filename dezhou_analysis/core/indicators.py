"""The indicator registry: one id per concept, every wording of it an alias.

Wording variants are data (package_data/indicators.csv), not `if` branches. Labels are compared
through a key that ignores what Chinese statistical writing varies freely: 的, quotes, spaces,
"全市/我市", and the synonyms of GDP.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from dezhou_analysis.core.text import one_to_one_table

REGISTRY_COLUMNS = ["id", "name_zh", "name_en", "unit", "direction", "category", "kind",
                    "aliases", "parent", "qualifier", "parts", "numerator", "denominator",
                    "break_family", "group"]
#: what an indicator measures, which decides how its values are read and charted
KINDS = ("level", "count", "share", "rate", "index", "structure")


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    category: str
    kind: str
    aliases: tuple[str, ...] = ()
    parent: str = ""
    qualifier: str = ""
    parts: tuple[str, ...] = ()
    numerator: str = ""
    denominator: str = ""
    break_family: str = ""
    group: str = ""

    def name(self, language: str = "zh") -> str:
        if language == "en":
            return self.name_en
        if language in ("zh+en", "en+zh"):
            return f"{self.name_zh} {self.name_en}"
        return self.name_zh


# --- label keys ---------------------------------------------------------------------------

_KEY_TOKENS = [
    ("地区生产总值", "GDP"), ("国内生产总值", "GDP"), ("生产总值", "GDP"),
    ("比例", "比重"), ("占比", "比重"), ("全市", ""), ("我市", ""), ("的", ""),
    ("“", ""), ("”", ""), ('"', ""), ("‘", ""), ("’", ""), ("《", ""), ("》", ""),
    ("「", ""), ("」", ""), (" ", ""), ("\t", ""), ("　", ""), ("(", "（"), (")", "）"),
    ("R&D", "研发"), ("r&d", "研发"), ("研究与试验发展", "研发"), ("研究与开发", "研发"),
]
_KEY_PATTERN = re.compile("|".join(re.escape(a) for a, _ in sorted(_KEY_TOKENS, key=lambda t: -len(t[0]))))
_KEY_REPLACE = dict(_KEY_TOKENS)


def label_key(text: str) -> str:
    """The comparison key of a label (see module docstring)."""
    text = str(text).translate(one_to_one_table())
    text = text.replace("(", "（").replace(")", "）")
    return _KEY_PATTERN.sub(lambda m: _KEY_REPLACE[m.group(0)], text).strip()


def key_with_positions(text: str) -> tuple[str, list[int], list[int]]:
    """The key of `text` and, for each key character, the span [start, end) it came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for match in _KEY_PATTERN.finditer(text):
        out.append(text[pos:match.start()])
        starts.extend(range(pos, match.start()))
        ends.extend(range(pos + 1, match.start() + 1))
        replacement = _KEY_REPLACE[match.group(0)]
        out.append(replacement)
        starts.extend([match.start()] * len(replacement))
        ends.extend([match.end()] * len(replacement))
        pos = match.end()
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return "".join(out), starts, ends


def _trie_regex(words: list[str]) -> str:
    """A regex matching any of `words`, longest first at each position (a compiled trie)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = node.get("", False)
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


# --- the registry ---------------------------------------------------------------------------

@dataclass
class Match:
    start: int
    end: int
    indicator: Indicator
    alias: str


class Registry:
    def __init__(self, indicators: list[Indicator], suffixes: list[tuple[str, str]] | None = None):
        self.indicators = {ind.id: ind for ind in indicators}
        self._by_key: dict[str, Indicator] = {}
        for ind in indicators:
            for label in (ind.name_zh, *ind.aliases):
                key = label_key(label)
                if key:
                    self._by_key.setdefault(key, ind)
        label_keys = list(self._by_key)
        for ind in indicators:  # ids and English names match too, after every Chinese label
            self._by_key.setdefault(ind.id.lower(), ind)
            self._by_key.setdefault(ind.name_en.lower(), ind)
        self._children = {(ind.parent, ind.qualifier): ind for ind in indicators if ind.parent}
        self.suffixes = sorted(suffixes or [], key=lambda s: -len(s[0]))
        self._label_keys = label_keys
        self._scanner = re.compile(_trie_regex(label_keys)) if label_keys else None

    # lookup ------------------------------------------------------------------------------
    def __contains__(self, indicator_id: str) -> bool:
        return indicator_id in self.indicators

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator:
        return self.indicators[indicator_id]

    def match(self, label: str) -> Indicator | None:
        if not label:
            return None
        text = str(label).strip()
        if text in self.indicators:
            return self.indicators[text]
        return self._by_key.get(label_key(text)) or self._by_key.get(text.lower())

    def match_with_measure(self, label: str) -> tuple[Indicator, str] | None:
        """Match a label; a label such as 地区生产总值增速 gives (gdp, growth_yoy)."""
        found = self.match(label)
        if found:
            return found, ""
        key = label_key(label)
        for suffix, measure in self.suffixes:
            suffix_key = label_key(suffix)
            if key.endswith(suffix_key) and len(key) > len(suffix_key):
                stem = self._by_key.get(key[: -len(suffix_key)])
                if stem:
                    return stem, measure
        return None

    def child(self, parent_id: str, qualifier: str) -> Indicator | None:
        return self._children.get((parent_id, qualifier))

    def nearest(self, label: str, n: int = 3) -> list[str]:
        key = label_key(label)
        close = difflib.get_close_matches(key, self._label_keys, n=n * 2, cutoff=0.3)
        names: list[str] = []
        for k in close:
            name = self._by_key[k].name_zh
            if name not in names:
                names.append(name)
        return names[:n]

    def scan(self, text: str) -> list[Match]:
        """Every alias occurrence in `text`, leftmost-longest, with offsets into `text`."""
        if self._scanner is None or not text:
            return []
        key, starts, ends = key_with_positions(text)
        found = []
        for m in self._scanner.finditer(key):
            if m.end() == m.start():
                continue
            ind = self._by_key.get(m.group(0))
            if ind is None:
                continue
            start = starts[m.start()]
            end = ends[m.end() - 1]
            found.append(Match(start, end, ind, m.group(0)))
        return found

    def frame(self) -> pd.DataFrame:
        rows = []
        for ind in self.indicators.values():
            rows.append({
                "id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
                "direction": ind.direction, "category": ind.category, "kind": ind.kind,
                "aliases": "|".join(ind.aliases), "parent": ind.parent,
                "qualifier": ind.qualifier, "parts": "|".join(ind.parts),
                "numerator": ind.numerator, "denominator": ind.denominator,
                "break_family": ind.break_family, "group": ind.group})
        return pd.DataFrame(rows, columns=REGISTRY_COLUMNS)


def _read_csv_rows(path_or_text) -> list[dict]:
    if isinstance(path_or_text, Path):
        text = path_or_text.read_text(encoding="utf-8")
    else:
        text = path_or_text
    return list(csv.DictReader(text.splitlines()))


def _package_text(name: str) -> str:
    return resources.files("dezhou_analysis.package_data").joinpath(name).read_text(encoding="utf-8")


def load_registry(path: str | Path | None = None) -> Registry:
    """The registry from package data, or from a user's CSV with the same columns."""
    if path is None:
        return default_registry()
    return _build(_read_csv_rows(Path(path)), _read_csv_rows(_package_text("label_suffixes.csv")))


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return _build(_read_csv_rows(_package_text("indicators.csv")),
                  _read_csv_rows(_package_text("label_suffixes.csv")))


def _build(rows: list[dict], suffix_rows: list[dict]) -> Registry:
    indicators = []
    def split(row: dict, field: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in (row.get(field) or "").split("|") if p.strip())

    for row in rows:
        indicators.append(Indicator(
            id=row["id"].strip(), name_zh=row["name_zh"].strip(), name_en=row["name_en"].strip(),
            unit=(row.get("unit") or "").strip(), direction=(row.get("direction") or "").strip(),
            category=(row.get("category") or "").strip(), kind=(row.get("kind") or "level").strip(),
            aliases=split(row, "aliases"), parent=(row.get("parent") or "").strip(),
            qualifier=(row.get("qualifier") or "").strip(), parts=split(row, "parts"),
            numerator=(row.get("numerator") or "").strip(),
            denominator=(row.get("denominator") or "").strip(),
            break_family=(row.get("break_family") or "").strip(),
            group=(row.get("group") or "").strip()))
    suffixes = [(r["suffix"], r["measure"]) for r in suffix_rows]
    return Registry(indicators, suffixes)
