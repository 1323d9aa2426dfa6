"""A CJK font subset embedded in each HTML page, so Chinese text renders on any machine.

Charts are images and carry their glyphs; HTML text needs a font on the reader's machine. The
page embeds (as a data: URI, nothing fetched from another host) only the glyphs it uses, taken
from the same Noto Sans CJK SC font the charts use — tens of kilobytes, not megabytes.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import io
import re
from functools import lru_cache
from pathlib import Path

from dezhou_analysis.core.files import write_bytes_atomic

FAMILY = "DZ CJK"


def _font_path() -> str | None:
    try:
        path = importlib.resources.files("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc"
    except ModuleNotFoundError:
        return None
    return str(path) if path.is_file() else None


def cjk_characters(text: str) -> str:
    """The characters a Latin font lacks: CJK, full-width forms and Chinese quotation marks.

    The subset comes first in the page's font stack (so Chrome waits for it before painting
    Chinese text); it holds no Latin letters, which fall through to the next font.
    """
    return "".join(sorted(set(_CJK.findall(text))))


_CJK = re.compile("[\u2e80-\U0010ffff“”‘’]")  # as a regex: pages are megabytes of text


#: a folder where subsets are kept between runs (the runner sets it; None: this process only)
_stored: Path | None = None


def keep_subsets_in(folder: Path | None) -> None:
    """Keep subsets on disk so a page whose characters did not change costs no subsetting; the
    folder must belong to one font and one fontTools (the runner names it after both)."""
    global _stored
    _stored = Path(folder) if folder else None


@lru_cache(maxsize=64)
def subset_woff(characters: str) -> bytes | None:
    if not characters:
        return None
    stored = _stored / f"{hashlib.sha256(characters.encode('utf-8')).hexdigest()}.woff" if _stored else None
    if stored is not None and stored.is_file():
        return stored.read_bytes()
    data = _subset(characters)
    if stored is not None and data:
        try:
            write_bytes_atomic(stored, data)
        except OSError:
            pass  # the cache is a convenience; the page is made either way
    return data


def _subset(characters: str) -> bytes | None:
    path = _font_path()
    if path is None:
        return None
    from fontTools import subset
    from fontTools.ttLib import TTFont
    # no bounding-box or timestamp recalculation: faster, and the same bytes for the same text
    font = TTFont(path, fontNumber=_sc_face(path), lazy=True, recalcBBoxes=False,
                  recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [1]
    options.hinting = False
    options.notdef_outline = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG",
                            "meta", "JSTF", "MATH"]  # horizontal Chinese text needs none of them
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _sc_face(path: str) -> int:
    from fontTools.ttLib import TTCollection
    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == "Noto Sans CJK SC":
            return index
    return 0


def subsets_folder() -> Path | None:
    """Where subsets are kept between runs, if anywhere."""
    return _stored


def font_face_css(text: str) -> str:
    """The @font-face rule for the CJK characters of `text` ("" without the font)."""
    return font_face_rule(cjk_characters(text))


def font_face_rule(characters: str) -> str:
    """The @font-face rule holding exactly `characters` ("" without the font)."""
    data = subset_woff(characters)
    if not data:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; font-display: block; '
            f'src: url(data:font/woff;base64,{encoded}) format("woff"); }}')


def embed(html: str, characters: str | None = None) -> str:
    """Insert the @font-face rule before </head>: for the page's own characters, or for
    `characters` when one subset is shared by several pages (they must include the page's)."""
    css = font_face_css(html) if characters is None else font_face_rule(characters)
    if not css:
        return html
    return html.replace("</head>", f"<style>{css}</style>\n</head>", 1)
