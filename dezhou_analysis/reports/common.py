"""What every report shares: loading the data once, showing bilingual text safely, saving
figures and tables beside the report, and the closing "what made this report" section.

Text that comes from data files (labels, notes, sources) is always escaped before it reaches
HTML, so a label such as <script>…</script> shows as text and runs nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dezhou_analysis import __version__
from dezhou_analysis.assess.assessor import Assessment
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.files import frame_to_csv_text, md5_file, write_bytes_atomic, xlsx_bytes
from dezhou_analysis.core.indicators import Registry
from dezhou_analysis.core.paths import ProjectPaths
from dezhou_analysis.documents.reader import ParseResult
from dezhou_analysis.panel import Panel
from dezhou_analysis.yearbook.reader import YearbookResult
from dezhou_analysis.yearbook.registry import project_registry

LANGUAGES = ("zh", "en", "zh+en")


@dataclass
class ReportContext:
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
    from dezhou_analysis.core.errors import ParameterError
    from dezhou_analysis.reports.charts import apply_style
    from dezhou_analysis.stages import load_processed, run_panel
    if language not in LANGUAGES:
        raise ParameterError(f"language {language!r}: expected one of {LANGUAGES}")
    paths = ProjectPaths.discover(project_dir)
    if not paths.documents.is_dir():
        raise ParameterError(f"project_dir {project_dir!r}: no data/raw/documents under {paths.root}")
    registry = project_registry(paths.yearbook)  # the package's indicators and the project's own
    run = load_processed(paths.documents, paths.yearbook, paths.processed, registry)
    if run is None:  # no pipeline output for today's raw files: compute in memory
        run = run_panel(paths.documents, None, paths.yearbook, paths.processed, registry, write=False)
    apply_style("html")
    inputs = []
    for folder in (paths.documents, paths.yearbook):
        for path in sorted(folder.glob("*")):
            if path.is_file() and not path.name.startswith("."):
                inputs.append({"file": str(path.relative_to(paths.root)), "md5": md5_file(path)})
    out = Path(output_dir) if output_dir else None
    return ReportContext(notebook, paths, language, out, dict(params, project_dir=project_dir,
                                                              language=language, output_dir=output_dir),
                         registry, run.parse, run.yearbook, run.panel, dt.datetime.now(), inputs)


# ---- display ----------------------------------------------------------------------------------

def esc(value: object) -> str:
    """Escape data-derived text for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def prose(value: object) -> str:
    """Text for a paragraph, note or heading, escaped exactly once whether or not the caller
    already passed parts through `esc` (unescape, then escape): the one path by which sentences
    built from data reach HTML."""
    return html.escape(html.unescape("" if value is None else str(value)), quote=True)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~{}#])")


def show_html(markup: str) -> None:
    """Display markup built by this package (data inside it must already be escaped)."""
    from IPython.display import HTML, display
    display(HTML(markup))


def heading(ctx: ReportContext, zh: str, en: str, level: int = 2) -> None:
    from IPython.display import Markdown, display
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", prose(ctx.t(zh, en, " · ")))
    display(Markdown(f"{'#' * level} {text}"))


def paragraph(ctx: ReportContext, zh: str, en: str) -> None:
    """A paragraph in each language; values from data inside it are escaped here (`prose`)."""
    parts = []
    if ctx.language in ("zh", "zh+en"):
        parts.append(f"<p>{prose(zh)}</p>")
    if ctx.language in ("en", "zh+en"):
        parts.append(f'<p style="color:#444">{prose(en)}</p>')
    show_html("\n".join(parts))


def show_table(ctx: ReportContext, frame: pd.DataFrame, name: str, title_zh: str, title_en: str,
               max_rows: int = 200, styler=None) -> None:
    """Show a table (escaped) and save it as CSV and XLSX for briefings."""
    save_table(ctx, frame, name)
    title = esc(ctx.t(title_zh, title_en, " · "))
    if max_rows <= 0:
        saved = f" — tables/{esc(ctx.notebook)}/{esc(name)}.csv, .xlsx" if ctx.output_dir else ""
        show_html(f'<p class="dz-caption"><b>{title}</b>: {len(frame)} rows{saved}</p>')
        return
    shown = frame.head(max_rows)
    if styler is not None:
        body = styler(shown).format(escape="html", na_rep="—", formatter={
            c: format_number for c in shown.select_dtypes("number").columns}).hide(axis="index").to_html()
    else:
        body = shown.to_html(index=False, escape=True, na_rep="—", float_format=format_number,
                             classes="dz-table", border=0)
    more = "" if len(frame) <= max_rows else f"<p>… {len(frame) - max_rows} more rows in {esc(name)}.csv</p>"
    show_html(f'<div class="dz-table-wrap"><p class="dz-caption"><b>{title}</b></p>{body}{more}</div>')


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


def show_figure(ctx: ReportContext, fig, name: str) -> None:
    """Render the PNG once: the same image goes into the report and, with an SVG, to disk."""
    from IPython.display import Image, display

    from dezhou_analysis.reports.charts import close, figure_png, save_figure
    png = figure_png(fig)
    save_figure(fig, name, ctx.output_dir / "figures" / ctx.notebook if ctx.output_dir else None,
                png=png)
    width = int(fig.get_figwidth() * 110)
    display(Image(data=png, format="png", width=width))
    close(fig)


def note(ctx: ReportContext, zh: str, en: str) -> None:
    show_html(f'<div class="dz-note">{ctx.t(prose(zh), prose(en), "<br>")}</div>')


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


# ---- data quality -----------------------------------------------------------------------------

#: exclusion kinds that are problems (rows set aside, files skipped), as yearbook/result.py names them
PROBLEM_KINDS = ("set aside", "file skipped")


def data_quality_tables(ctx: ReportContext) -> dict[str, pd.DataFrame]:
    """What the data behind every report left out or had to decide: rows set aside and why,
    conflicts with both values and sources, partial periods kept out of the fits."""
    exclusions = ctx.panel.exclusions
    set_aside = exclusions[exclusions["kind"].isin(PROBLEM_KINDS)][
        ["file", "sheet", "row", "column", "indicator", "year", "value", "reason", "suggestion"]]
    conflicts = ctx.panel.conflicts[["indicator_id", "region", "year", "measure", "unit", "kept_value",
                                     "kept_source", "other_value", "other_source", "rule"]]
    obs = ctx.panel.observations
    partial = obs[obs["period_kind"] != "annual"][
        ["indicator_id", "region", "period", "period_kind", "value", "unit", "source_detail", "origin"]]
    return {"set_aside": set_aside.reset_index(drop=True), "conflicts": conflicts.reset_index(drop=True),
            "partial_periods": partial.reset_index(drop=True)}


def data_quality(ctx: ReportContext) -> dict[str, pd.DataFrame]:
    """The "data quality" section every report shows before what made it; returns its tables."""
    tables = data_quality_tables(ctx)
    heading(ctx, "数据质量", "Data quality", 2)
    counts = {name: len(frame) for name, frame in tables.items()}
    paragraph(ctx, f"未采用的数据行 {counts['set_aside']} 行（原因及补救见下表）；来源不一致 "
                   f"{counts['conflicts']} 处（两个数值及来源均列出）；非全年数据 {counts['partial_periods']} "
                   "个（保留但不参与趋势拟合）。",
              f"Rows set aside: {counts['set_aside']} (reasons and remedies below); conflicts "
              f"between sources: {counts['conflicts']} (both values and sources listed); partial "
              f"periods: {counts['partial_periods']} (kept, never fitted as annual values).")
    titles = {"set_aside": ("未采用的数据行及原因", "Rows set aside and why"),
              "conflicts": ("来源不一致：采用值与另一值", "Conflicts: the value kept and the other"),
              "partial_periods": ("非全年数据（不参与拟合）", "Partial periods (kept out of fits)")}
    for name, frame in tables.items():
        if len(frame):
            show_table(ctx, frame, f"data_quality_{name}", *titles[name])
    return tables


def with_data_quality(closing):
    """A report's closing section preceded by the data-quality section (one line per report)."""
    def closing_with_data_quality(ctx: ReportContext, *args, **kwargs):
        data_quality(ctx)
        return closing(ctx, *args, **kwargs)
    closing_with_data_quality.__doc__ = closing.__doc__
    return closing_with_data_quality
