"""What every report shares: loading the data once, showing bilingual text safely, saving
figures and tables beside the report, and the closing "what made this report" section.

Text that comes from data files (labels, notes, sources) is always escaped before it reaches
HTML, so a label such as <script>…</script> shows as text and runs nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import platform
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dezhou_analysis import __version__
from dezhou_analysis.assess.assessor import Assessment
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.files import frame_to_csv_text, md5_file, write_bytes_atomic, xlsx_bytes
from dezhou_analysis.core.indicators import Registry, default_registry
from dezhou_analysis.core.paths import ProjectPaths
from dezhou_analysis.documents.reader import ParseResult
from dezhou_analysis.panel import Panel
from dezhou_analysis.yearbook.reader import YearbookResult

LANGUAGES = ("zh", "en", "zh+en")


@dataclass
class ReportContext:
    """Everything one report reads, loaded once by `setup`; a researcher's starting point.

    ctx.assessment         the fitted `Assessment`: `.frame` (assessment.csv, one row per target)
                           and `.results[target_id]` (`.history`, the series used; `.bands`, the
                           forecast quantiles by year; whatever else the assessor keeps per target)
    ctx.settings           the `AssessmentSettings` (as_of, seed, n_paths, tolerance) it was made with
    ctx.panel              the `Panel`: `.observations`, `.conflicts`, `.exclusions` and
                           `.series(indicator_id, region)` (the annual values any fit reads)
    ctx.plan_targets       the plan's targets (plan_targets.csv), with file, line and quote
    ctx.plan_observations  the numbers the documents state (plan_observations.csv)
    ctx.registry           the indicator registry (`ctx.registry.get("gdp").name_en`)
    ctx.home               the plan's own region (德州市)
    ctx.params             the parameters this report was given
    """

    notebook: str
    paths: ProjectPaths
    language: str
    output_dir: Path | None
    params: dict
    registry: Registry
    parse: ParseResult
    yearbook: YearbookResult
    panel: Panel
    started: dt.datetime
    inputs: list[dict] = field(default_factory=list)
    state: dict = field(default_factory=dict)

    @property
    def settings(self) -> AssessmentSettings:
        """The assessment settings this report was given (the defaults for those it lacks)."""
        return AssessmentSettings.from_params(**self.params)

    @property
    def assessment(self) -> Assessment:
        """The assessment every report shows: the one the run stored in data/processed for
        today's data and the settings this report declares, else fitted here with them (a
        notebook opened on its own in JupyterLab)."""
        if "assessment" not in self.state:
            from dezhou_analysis.stages import PanelRun, assess_panel, load_assessment
            declared = tuple(n for n in self.settings.as_params() if n in self.params)
            stored = load_assessment(self.paths.documents, self.paths.yearbook,
                                     self.paths.processed, self.settings, declared)
            self.state["assessment"] = stored or assess_panel(
                PanelRun(self.parse, self.yearbook, self.panel), self.registry, self.settings)
        return self.state["assessment"]

    @property
    def plan_targets(self) -> pd.DataFrame:
        """The targets the documents set (one row per statement, file and line kept)."""
        return self.parse.targets

    @property
    def plan_observations(self) -> pd.DataFrame:
        """The statistics the documents state (derived values flagged)."""
        return self.parse.observations

    @property
    def home(self) -> str:
        from dezhou_analysis.stages import home_region
        return home_region(self.parse)

    def name(self, indicator_id: str, fallback: str = "") -> str:
        ind = self.registry.indicators.get(indicator_id)
        if ind is None:
            return fallback or indicator_id
        return ind.name(self.language)

    def t(self, zh: str, en: str, sep: str = " ") -> str:
        from dezhou_analysis.reports.charts import bilingual
        return bilingual(zh, en, self.language, sep)


def setup(notebook: str, project_dir: str = "..", language: str = "zh+en", output_dir: str = "",
          **params) -> ReportContext:
    """Load documents, yearbook files and the panel (from raw files, so a notebook opened on its
    own always shows current data), apply the house style, and remember the parameters."""
    from dezhou_analysis.core.errors import InputError, ParameterError
    from dezhou_analysis.reports.charts import apply_style
    from dezhou_analysis.stages import load_processed, run_panel
    show_errors_as_messages()
    if language not in LANGUAGES:
        raise ParameterError(f"language = {language!r} is not allowed; allowed values: "
                             f"{', '.join(repr(v) for v in LANGUAGES)}")
    paths = ProjectPaths.discover(project_dir)
    if not paths.documents.is_dir():
        raise ParameterError(f"project_dir {project_dir!r}: no data/raw/documents under {paths.root}")
    registry = default_registry()
    run = load_processed(paths.documents, paths.yearbook, paths.processed)
    if run is None:  # no pipeline output for today's raw files: compute in memory
        try:
            run = run_panel(paths.documents, None, paths.yearbook, paths.processed, registry,
                            write=False)
        except InputError as exc:
            raise InputError(exc.issues, "the report cannot be built from the current data") from exc
    apply_style("html")
    inputs = []
    for folder in (paths.documents, paths.yearbook):
        for path in sorted(folder.glob("*")):
            if path.is_file() and not path.name.startswith("."):
                inputs.append({"file": str(path.relative_to(paths.root)), "md5": md5_file(path)})
    out = Path(output_dir) if output_dir else None
    ctx = ReportContext(notebook, paths, language, out, dict(params, project_dir=project_dir,
                                                             language=language, output_dir=output_dir),
                        registry, run.parse, run.yearbook, run.panel, dt.datetime.now(), inputs)
    # a notebook opened in JupyterLab (the runner always gives an output folder, and its HTML
    # pages embed their own font) gets the CJK web font with the house style
    show_html(LAB_STYLE.replace("<style>", f"<style>{lab_font_face(ctx)}\n", 1) if out is None
              else LAB_STYLE)
    return ctx


def lab_font_face(ctx: ReportContext) -> str:
    """An @font-face rule (the package's Noto Sans CJK SC as a data: URL) holding every CJK
    character this suite's text and today's data can show, so Chinese text renders in
    JupyterLab on a machine without a CJK font. Subsetting the font takes seconds; the result is
    cached per character set in the user's cache folder."""
    import base64
    import hashlib
    import os
    characters = _cjk_characters_shown(ctx)
    if not characters:
        return ""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dezhou-analysis"
    path = cache / f"cjk-{hashlib.sha256(characters.encode()).hexdigest()[:16]}.woff"
    try:
        data = path.read_bytes()
    except OSError:
        data = _subset_cjk_font(characters)
        if not data:
            return ""
        try:
            write_bytes_atomic(path, data)
        except OSError:
            pass  # a read-only home: the font is still shown, only made again next time
    encoded = base64.b64encode(data).decode("ascii")
    return (f'@font-face {{ font-family: "DZ CJK"; font-display: block; '
            f'src: url(data:font/woff;base64,{encoded}) format("woff"); }}')


def _cjk_characters_shown(ctx: ReportContext) -> str:
    """The CJK characters of the package's own text, its registry and today's data."""
    from importlib import resources
    texts = []
    package = resources.files("dezhou_analysis")
    for folder in ("reports", "assess", "package_data"):
        for item in package.joinpath(folder).iterdir():
            if item.name.endswith((".py", ".csv", ".yml")):
                texts.append(item.read_text(encoding="utf-8", errors="ignore"))
    for frame in (ctx.parse.targets, ctx.parse.observations, ctx.panel.observations,
                  ctx.panel.conflicts, ctx.panel.exclusions):
        texts.extend(frame.select_dtypes("object").astype(str).to_numpy().ravel().tolist())
    texts.extend(str(d) for d in ctx.parse.documents)
    text = "".join(texts)
    return "".join(sorted({ch for ch in text if ord(ch) >= 0x2E80 or ch in "“”‘’"}))


def _subset_cjk_font(characters: str) -> bytes | None:
    import io
    from importlib import resources
    try:
        source = resources.files("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc"
    except ModuleNotFoundError:
        return None
    if not source.is_file():
        return None
    from fontTools import subset
    from fontTools.ttLib import TTCollection
    collection = TTCollection(str(source), lazy=True)
    names = [font["name"].getDebugName(1) for font in collection.fonts]
    font = collection.fonts[names.index("Noto Sans CJK SC") if "Noto Sans CJK SC" in names else 0]
    options = subset.Options()
    options.layout_features, options.name_IDs, options.hinting = [], [1], False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


# ---- display ----------------------------------------------------------------------------------

#: the reports' table and text style where no report template applies (a notebook in JupyterLab):
#: text columns left-aligned, Chinese text in the CJK font where the machine has one
LAB_STYLE = """<style>
.jp-RenderedHTMLCommon .dz-table-wrap td, .jp-RenderedHTMLCommon .dz-table-wrap th,
.jp-RenderedHTMLCommon table.dz-table td, .jp-RenderedHTMLCommon table.dz-table th
  { text-align: left; vertical-align: top; }
.jp-RenderedHTMLCommon .dz-note { background: #F6F6F6; border-left: 4px solid #56B4E9;
  padding: 6px 10px; margin: 6px 0; }
.jp-RenderedHTMLCommon { font-family: "DZ CJK", var(--jp-content-font-family), "Noto Sans CJK SC",
  "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
</style>"""


@dataclass
class Section:
    """What a section showed, by name, for a researcher to filter, sort or plot further:
    `section.tables["dashboard"]`, `section.figures["status_overview"]`; `.table` and `.figure`
    are the first of each."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame | None:
        return next(iter(self.tables.values()), None)

    @property
    def figure(self):
        return next(iter(self.figures.values()), None)

    def __repr__(self) -> str:
        return f"Section(tables={list(self.tables)}, figures={list(self.figures)})"


def show_errors_as_messages() -> None:
    """In IPython, an error the user caused (a bad parameter, a bad input file) shows as one
    line naming the parameter or the place, not as a traceback into the package; the cell still
    fails, so a run stops there and names it."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from dezhou_analysis.core.errors import DezhouError

    def one_line(shell, etype, value, tb, tb_offset=None):
        lines = [f"{etype.__name__}: {value}"]
        shell._showtraceback(etype, value, lines)  # IPython leaves the display to the handler
        return lines
    shell.set_custom_exc((DezhouError,), one_line)

def esc(value: object) -> str:
    """Escape data-derived text for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def show_html(markup: str) -> None:
    """Display markup built by this package (data inside it must already be escaped)."""
    from IPython.display import HTML, display
    display(HTML(markup))


def heading(ctx: ReportContext, zh: str, en: str, level: int = 2) -> None:
    from IPython.display import Markdown, display
    text = ctx.t(zh, en, " · ")
    display(Markdown(f"{'#' * level} {text}"))


def paragraph(ctx: ReportContext, zh: str, en: str) -> None:
    """Static prose written in this package (not data); data values must be passed escaped."""
    parts = []
    if ctx.language in ("zh", "zh+en"):
        parts.append(f"<p>{zh}</p>")
    if ctx.language in ("en", "zh+en"):
        parts.append(f'<p style="color:#444">{en}</p>')
    show_html("\n".join(parts))


def show_table(ctx: ReportContext, frame: pd.DataFrame, name: str, title_zh: str, title_en: str,
               max_rows: int = 200, styler=None) -> pd.DataFrame:
    """Show a table (escaped) and save it as CSV and XLSX for briefings; returns the frame."""
    save_table(ctx, frame, name)
    title = esc(ctx.t(title_zh, title_en, " · "))
    if max_rows <= 0:
        saved = f" — tables/{esc(ctx.notebook)}/{esc(name)}.csv, .xlsx" if ctx.output_dir else ""
        show_html(f'<p class="dz-caption"><b>{title}</b>: {len(frame)} rows{saved}</p>')
        return frame
    shown = frame.head(max_rows)
    if styler is not None:
        body = styler(shown).format(escape="html", na_rep="—", formatter={
            c: format_number for c in shown.select_dtypes("number").columns}).hide(axis="index").to_html()
    else:
        body = shown.to_html(index=False, escape=True, na_rep="—", float_format=format_number,
                             classes="dz-table", border=0)
    more = "" if len(frame) <= max_rows else f"<p>… {len(frame) - max_rows} more rows in {esc(name)}.csv</p>"
    show_html(f'<div class="dz-table-wrap"><p class="dz-caption"><b>{title}</b></p>{body}{more}</div>')
    return frame


def format_number(value: float) -> str:
    """Numbers as statistical tables print them: no exponent, no needless decimals."""
    if value != value:
        return "—"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1000:
        return f"{value:.1f}"
    return f"{value:.4g}"


def save_table(ctx: ReportContext, frame: pd.DataFrame, name: str) -> None:
    if ctx.output_dir is None:
        return
    folder = ctx.output_dir / "tables" / ctx.notebook
    write_bytes_atomic(folder / f"{name}.csv", frame_to_csv_text(frame).encode("utf-8"))
    write_bytes_atomic(folder / f"{name}.xlsx", xlsx_bytes({name: frame}))


def show_figure(ctx: ReportContext, fig, name: str):
    """Render the PNG once: the same image goes into the report and, with an SVG, to disk;
    returns the figure (closed to pyplot, still drawable: `fig.savefig(...)`, `display(fig)`)."""
    from IPython.display import Image, display

    from dezhou_analysis.reports.charts import close, figure_png, save_figure
    png = figure_png(fig)
    save_figure(fig, name, ctx.output_dir / "figures" / ctx.notebook if ctx.output_dir else None,
                png=png)
    width = int(fig.get_figwidth() * 110)
    display(Image(data=png, format="png", width=width))
    close(fig)
    return fig


def note(ctx: ReportContext, zh: str, en: str) -> None:
    show_html(f'<div class="dz-note">{ctx.t(zh, en, "<br>")}</div>')


def source_of(ctx: ReportContext, *kinds: str) -> str:
    words = {"plan": ("规划文本", "plan documents"), "yearbook": ("统计数据文件", "yearbook files"),
             "model": ("本套件模型计算", "models of this suite")}
    parts = [ctx.t(*words[k], "/") for k in kinds]
    return ctx.t("资料来源：", "Source: ", "") + "；".join(parts) + f" (data/raw, dezhou-analysis {__version__})"


# ---- provenance -------------------------------------------------------------------------------

def provenance(ctx: ReportContext) -> None:
    """The closing section of every report: parameters, input files with md5, versions, time."""
    import matplotlib
    import numpy
    import statsmodels
    heading(ctx, "本报告的生成信息", "What made this report", 2)
    params = pd.DataFrame([{"parameter": k, "value": repr(v)} for k, v in sorted(ctx.params.items())])
    versions = pd.DataFrame([
        {"component": "dezhou-analysis", "version": __version__},
        {"component": "python", "version": platform.python_version()},
        {"component": "pandas", "version": pd.__version__},
        {"component": "numpy", "version": numpy.__version__},
        {"component": "statsmodels", "version": statsmodels.__version__},
        {"component": "matplotlib", "version": matplotlib.__version__},
    ])
    finished = dt.datetime.now()
    show_html(
        f"<p>{esc(ctx.t('笔记本', 'Notebook'))}: <code>{esc(ctx.notebook)}</code> · "
        f"{esc(ctx.t('运行时间', 'Run at'))}: {esc(ctx.started.strftime('%Y-%m-%d %H:%M:%S'))} "
        f"({(finished - ctx.started).total_seconds():.1f} s)</p>")
    for frame, title in ((params, ctx.t("参数", "Parameters")),
                         (pd.DataFrame(ctx.inputs), ctx.t("输入文件及 MD5", "Input files and md5")),
                         (versions, ctx.t("软件版本", "Software versions"))):
        show_html(f"<p><b>{esc(title)}</b></p>" + frame.to_html(index=False, escape=True, border=0,
                                                                   classes="dz-table"))
