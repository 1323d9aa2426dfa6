"""Executed notebooks → HTML that opens offline: a report without code and a full version.

nbconvert's lab template asks a CDN for require.js, MathJax and Mermaid; the suite's template
(templates/dezhou) leaves them out, and `check_offline` refuses any page that would still fetch
something from another host.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
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


#: the tag of the notebooks' explore cells (and their heading)
EXPLORE_TAG = "explore"


@lru_cache(maxsize=2)
def exporter(with_code: bool):
    """One exporter per flavour and process (building one loads the templates)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    exporter = HTMLExporter(template_name="dezhou", extra_template_basedirs=[template_dir()],
                            exclude_input=not with_code, exclude_input_prompt=not with_code,
                            exclude_output_prompt=True, embed_images=True, language_code="zh")
    if not with_code:  # the explore cells are for analysts: only the full version shows them
        exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags={EXPLORE_TAG}, enabled=True), enabled=True)
    return exporter


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
    from dezhou_analysis.reports.webfont import embed
    nb = nbformat.read(str(notebook), as_version=4)
    body, _ = exporter(with_code).from_notebook_node(nb)
    body = embed(with_print_style(body))
    remote = remote_references(body)
    if remote:
        raise RuntimeError(f"{target}: the page would fetch from other hosts: {remote[:3]}")
    return write_text_atomic(target, body)


# ---- PDF through headless Chromium -----------------------------------------------------------

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH or at /usr/bin/chromium, else None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def print_pdf(page: Path, target: Path, chromium: str, timeout: int = 180) -> Path:
    """One page to an A4 PDF with the page's print stylesheet; text stays text (the embedded
    font travels into the PDF, so Chinese is selectable and searchable)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="dz-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
                   "--disable-background-networking", "--disable-component-update", "--no-first-run",
                   "--disable-sync", "--disable-default-apps", "--no-pdf-header-footer",
                   "--print-to-pdf-no-header", f"--user-data-dir={profile}",
                   "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
                   f"--print-to-pdf={partial}", Path(page).resolve().as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if not partial.is_file() or partial.stat().st_size == 0:
        raise RuntimeError(f"{page}: Chromium wrote no PDF (exit {result.returncode}): "
                           f"{result.stderr.strip()[-300:]}")
    partial.replace(target)
    return target
