"""Executed notebooks → HTML that opens offline: a report without code and a full version.

nbconvert's lab template asks a CDN for require.js, MathJax and Mermaid; the suite's template
(templates/dezhou) leaves them out, and `check_offline` refuses any page that would still fetch
something from another host.
"""

from __future__ import annotations

import os
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
    from nbconvert.preprocessors import TagRemovePreprocessor
    exporter = _page_exporter_class()(template_name="dezhou", extra_template_basedirs=[template_dir()],
                            exclude_input=not with_code, exclude_input_prompt=not with_code,
                            exclude_output_prompt=True, embed_images=True, language_code="zh")
    if not with_code:  # the explore cells are for analysts: only the full version shows them
        exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags={EXPLORE_TAG}, enabled=True), enabled=True)
    return exporter


@lru_cache(maxsize=1)
def _page_exporter_class():
    """nbconvert's HTMLExporter without its closing BeautifulSoup pass.

    HTMLExporter parses the rendered page again only to add alt text to images that have none
    and tabindex="0" to cell inputs and outputs, then serialises it once more; on a report with
    a few thousand table cells that pass costs more than rendering the page. `focusable` adds
    the same attributes to the template's own tags, and a test checks the page is the same
    document as nbconvert's."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # as HTMLExporter.from_notebook_node (nbconvert 7), less the BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return focusable(html), resources

    return PageExporter


_FOCUSABLE_DIV = re.compile(r'<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?"'
                            r'(?![^>]*\btabindex=)')
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
NO_ALT = "No description has been provided for this image"


def focusable(html: str) -> str:
    """Cell inputs and outputs reachable by keyboard, and alt text on every image (nbconvert's
    wording where a notebook gave none)."""
    html = _FOCUSABLE_DIV.sub(lambda m: m.group(0) + ' tabindex="0"', html)
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', html)


def remote_references(html: str) -> list[str]:
    """Every place where the page would request something from another host."""
    found = [m.group(0)[:120] for m in _REMOTE.finditer(html)]
    found += [m.group(0)[:120] for m in _CSS_REMOTE.finditer(html)]
    return found


def with_print_style(html: str) -> str:
    """The suite's print stylesheet (A4, no navigation, clean table breaks) in the page head."""
    from dezhou_analysis.reports.print_style import PRINT_CSS
    return html.replace("</head>", f"<style>{PRINT_CSS}</style>\n</head>", 1)


def export_pages(notebook: str | Path, targets: dict[str | Path, bool]) -> list[Path]:
    """Several flavours of one executed notebook (target → with code?) sharing one font subset.

    Subsetting the CJK font is the dearest step of an export; the report and the full version
    show nearly the same characters, so one subset of the union serves both pages."""
    from dezhou_analysis.reports.webfont import cjk_characters, embed
    nb = nbformat.read(str(notebook), as_version=4)
    bodies = {target: with_print_style(exporter(with_code).from_notebook_node(nb)[0])
              for target, with_code in targets.items()}
    characters = cjk_characters("".join(bodies.values()))
    written = []
    for target, body in bodies.items():
        body = embed(body, characters)
        remote = remote_references(body)
        if remote:
            raise RuntimeError(f"{target}: the page would fetch from other hosts: {remote[:3]}")
        written.append(write_text_atomic(target, body))
    return written


class ExportProcess:
    """The exports of a run, in a process of their own.

    The runner's process drives the kernels: each cell's reply and outputs go through it. An
    export is pure Python (templates, regular expressions, font subsetting); run in a thread
    of that process it holds the interpreter lock the kernels' drivers wait for, and the
    kernels idle between cells. In its own process it only shares the CPUs. The runner starts
    it when the data phase ends, so it imports nbconvert and fontTools while the first
    notebooks run; `pages` waits for one notebook's pages and returns the CPU seconds they took."""

    def __init__(self, fonts_folder: Path | None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_worker, initargs=(fonts_folder, os.getpid()))
        self._pool.submit(int)  # start it now

    def pages(self, notebook: str | Path, targets: dict[str | Path, bool]) -> float:
        return self._pool.submit(_pages_in_worker, str(notebook), {str(t): c for t, c in targets.items()}).result()

    def font(self, characters: str) -> None:
        """Make (and store in the run's font folder) the subset holding `characters`."""
        from dezhou_analysis.reports.webfont import subset_woff
        self._pool.submit(subset_woff, characters).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExportProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _start_worker(fonts_folder: Path | None, runner: int) -> None:
    import sys
    if sys.platform.startswith("linux"):  # die with the runner, even one killed by SIGKILL
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
        if os.getppid() != runner:  # it died before the line above
            os._exit(1)
    sys.modules.setdefault("rfc3987_syntax", None)  # as in the runner: validation never needs it
    from dezhou_analysis.reports.webfont import keep_subsets_in
    keep_subsets_in(fonts_folder)
    exporter(False), exporter(True)  # noqa: B018 (builds both exporters: templates, filters)
    from fontTools import subset  # noqa: F401


def _pages_in_worker(notebook: str, targets: dict[str, bool]) -> float:
    import time
    started = time.process_time()
    export_pages(notebook, targets)
    return time.process_time() - started


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
