"""Executed notebooks → HTML that opens offline: a report without code and a full version.

nbconvert's lab template asks a CDN for require.js, MathJax and Mermaid; the suite's template
(templates/dezhou) leaves them out, and `check_offline` refuses any page that would still fetch
something from another host.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import nbformat

from dezhou_analysis.core.files import write_text_atomic

_REMOTE = re.compile(r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                     re.IGNORECASE)
_CSS_REMOTE = re.compile(r"""@import\s+(?:url\()?["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.IGNORECASE)


def template_dir() -> str:
    return str(resources.files("dezhou_analysis").joinpath("templates"))


@lru_cache(maxsize=2)
def exporter(with_code: bool):
    """One exporter per flavour and process (building one loads the templates)."""
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name="dezhou", extra_template_basedirs=[template_dir()],
                        exclude_input=not with_code, exclude_input_prompt=not with_code,
                        exclude_output_prompt=True, embed_images=True, language_code="zh")


def remote_references(html: str) -> list[str]:
    """Every place where the page would request something from another host."""
    found = [m.group(0)[:120] for m in _REMOTE.finditer(html)]
    found += [m.group(0)[:120] for m in _CSS_REMOTE.finditer(html)]
    return found


def with_print_style(html: str) -> str:
    """The suite's print stylesheet (A4, no navigation, clean table breaks) in the page head."""
    from dezhou_analysis.reports.common import PRINT_CSS
    return html.replace("</head>", f"<style>{PRINT_CSS}</style>\n</head>", 1)


def export_html(notebook: str | Path, target: str | Path, with_code: bool) -> Path:
    from dezhou_analysis.run.webfont import embed
    nb = nbformat.read(str(notebook), as_version=4)
    body, _ = exporter(with_code).from_notebook_node(nb)
    body = embed(with_print_style(body))
    remote = remote_references(body)
    if remote:
        raise RuntimeError(f"{target}: the page would fetch from other hosts: {remote[:3]}")
    return write_text_atomic(target, body)
