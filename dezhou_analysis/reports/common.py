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
    from dezhou_analysis.core.errors import ParameterError
    from dezhou_analysis.reports.charts import apply_style
    from dezhou_analysis.stages import load_processed, run_panel
    show_errors_as_messages()
    if language not in LANGUAGES:
        raise ParameterError(f"language = {language!r} is not allowed; allowed values: "
                             f"{', '.join(repr(v) for v in LANGUAGES)}")
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
    kept per character set in the user's cache folder."""
    import os

    from dezhou_analysis.reports import webfont
    if webfont.subsets_folder() is None:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        webfont.keep_subsets_in(cache / "dezhou-analysis" / "fonts")
    return webfont.font_face_rule(_cjk_characters_shown(ctx))


def _cjk_characters_shown(ctx: ReportContext) -> str:
    """The CJK characters of the package's own text, its registry and today's data."""
    from importlib import resources

    from dezhou_analysis.reports.webfont import cjk_characters
    texts = []
    package = resources.files("dezhou_analysis")
    for folder in ("reports", "assess", "package_data"):
        for item in package.joinpath(folder).iterdir():
            if item.name.endswith((".py", ".csv", ".yml")):
                texts.append(item.read_text(encoding="utf-8", errors="ignore"))
    for frame in (ctx.parse.targets, ctx.parse.observations, ctx.panel.observations,
                  ctx.panel.conflicts, ctx.panel.exclusions):
        texts.extend(frame.select_dtypes(include=["object", "string"]).astype(str).to_numpy().ravel().tolist())
    texts.extend(str(d) for d in ctx.parse.documents)
    return cjk_characters("".join(texts))


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
               max_rows: int = 200, styler=None) -> pd.DataFrame:
    """Show a table (escaped, headers as labels, numbers rounded) and save it as CSV and XLSX
    for briefings; returns the frame itself (not its display form), for a researcher to query."""
    save_table(ctx, frame, name)
    title = esc(ctx.t(title_zh, title_en, " · "))
    if max_rows <= 0:
        saved = f" — tables/{esc(ctx.notebook)}/{esc(name)}.csv, .xlsx" if ctx.output_dir else ""
        show_html(f'<p class="dz-caption"><b>{title}</b>: {len(frame)} '
                  f'{esc(ctx.t("行", "rows"))}{saved}</p>')
        return frame
    shown = display_frame(ctx, frame.head(max_rows))
    if styler is not None:
        body = styler(shown).format(escape="html", na_rep="—").hide(axis="index").to_html()
    else:
        body = shown.to_html(index=False, escape=True, na_rep="—", classes="dz-table", border=0)
    more = "" if len(frame) <= max_rows else f"<p>… {len(frame) - max_rows} more rows in {esc(name)}.csv</p>"
    show_html(f'<div class="dz-table-wrap"><p class="dz-caption"><b>{title}</b></p>{body}{more}'
              f"{flags_legend(ctx, frame)}</div>")
    return frame


# ---- labels and numbers as a reader sees them ----------------------------------------------

#: the label of every column a report shows, in Chinese and English: the one place to add one
COLUMN_LABELS = {
    "id": ("编号", "ID"), "target_id": ("编号", "ID"), "indicator_id": ("指标代码", "indicator code"),
    "name_zh": ("指标", "indicator"), "name_en": ("指标（英文）", "indicator (English)"),
    "indicator": ("指标", "indicator"), "label": ("标签", "label"), "region": ("地区", "region"),
    "unit": ("单位", "unit"), "year": ("年份", "year"), "period": ("时期", "period"),
    "period_kind": ("时期类型", "period type"), "value": ("数值", "value"),
    "measure": ("度量", "measure"), "basis": ("统计口径", "statistical basis"),
    "source": ("来源", "source"), "source_detail": ("出处", "where"), "note": ("备注", "note"),
    "reason": ("原因", "reason"), "warning": ("警告", "warning"), "where": ("出处", "where"),
    "derivation": ("推算方式", "derivation"), "reference_year": ("参照年份", "reference year"),
    "base_year": ("基期", "base year"), "base_value": ("基期值", "base value"),
    "target_year": ("目标年", "target year"), "target_value": ("目标值", "target value"),
    "target_high": ("目标上限", "target upper end"), "target_text": ("目标", "target"),
    "target_kind": ("目标类型", "kind of target"), "target_measure": ("目标度量", "target measure"),
    "direction": ("方向", "direction"), "latest_year": ("最新年份", "latest year"),
    "latest_value": ("最新值", "latest value"), "realised_year": ("实际年份", "realised year"),
    "realised_value": ("实际值", "realised value"), "verdict": ("结论", "verdict"),
    "status": ("状态", "status"), "status_reason": ("依据", "why"),
    "p_reached": ("达标概率", "P(reached)"), "P(reached)": ("达标概率", "P(reached)"),
    "brier": ("Brier 分数", "Brier score"), "n_points": ("数据点", "data points"),
    "required_rate": ("所需年变化", "required yearly change"),
    "observed_rate_5y": ("近五年年变化", "yearly change, last 5 years"),
    "rate_unit": ("变化单位", "rate unit"),
    "eurostat_category": ("欧盟统计局", "Eurostat"), "unsd_category": ("联合国统计司", "UNSD"),
    "destatis_category": ("德国统计局", "Destatis"), "midterm_category": ("中期评估", "mid-term"),
    "eurostat_note": ("欧盟统计局说明", "Eurostat note"), "unsd_note": ("联合国统计司说明", "UNSD note"),
    "destatis_note": ("德国统计局说明", "Destatis note"), "midterm_note": ("中期评估说明", "mid-term note"),
    "called_eurostat": ("欧盟统计局判断", "Eurostat call"), "called_unsd": ("联合国统计司判断", "UNSD call"),
    "called_destatis": ("德国统计局判断", "Destatis call"), "called_midterm": ("中期评估判断", "mid-term call"),
    "denominator_growth": ("GDP 年均增速（%）", "GDP growth (% a year)"),
    "numerator_growth": ("分子年均增速（%）", "numerator growth (% a year)"),
    "required_numerator_growth": ("所需分子年均增速（%）", "numerator growth needed (% a year)"),
    "kept_value": ("采用值", "value kept"), "kept_source": ("采用来源", "source kept"),
    "other_value": ("另一值", "other value"), "other_source": ("另一来源", "other source"),
    "difference": ("差额", "difference"), "file": ("文件", "file"), "md5": ("MD5", "MD5"),
    "parameter": ("参数", "parameter"), "component": ("组件", "component"),
    "version": ("版本", "version"), "flags": ("标记", "flags"),
    "q0.025": ("2.5% 分位", "2.5th percentile"), "q0.5": ("预测中位数", "forecast median"),
    "q0.975": ("97.5% 分位", "97.5th percentile"), "progress_pct": ("完成进度（%）", "progress (%)"),
    "elapsed_pct": ("时间进度（%）", "time elapsed (%)"), "n_targets": ("目标个数", "targets"),
    "ratio": ("目标年比重（%）", "target-year ratio (%)"), "clears": ("达到目标", "clears the target"),
    "missing_years": ("缺少年份", "years missing"), "targets": ("目标", "targets"),
    "bases": ("统计口径", "statistical bases"), "break": ("口径调整", "statistical break"),
    "category": ("类别", "category"), "date": ("日期", "date"), "encoding": ("编码", "encoding"),
    "kind": ("类型", "kind"), "type": ("类型", "type"), "title": ("标题", "title"),
    "industry": ("产业", "industry"), "numbers": ("数字", "numbers"), "sources": ("来源", "sources"),
    "values": ("数值个数", "values"), "years": ("年份", "years"), "table": ("表", "table"),
    "growth_%": ("增速（%）", "growth (%)"), "growth_kind": ("增速类型", "kind of growth"),
    "primary_share": ("第一产业（%）", "primary (%)"), "secondary_share": ("第二产业（%）", "secondary (%)"),
    "tertiary_share": ("第三产业（%）", "tertiary (%)"), "is_derived": ("标记", "flags"),
    "source_doc": ("文件", "document"), "source_line": ("行", "line"),
    "source_quote": ("原文", "quotation"), "source_section": ("位置", "part of the plan"),
    "kind_source": ("类型依据", "kind taken from"), "also_stated": ("另见", "also stated at"),
    "group": ("组", "group"), "share": ("比重", "share"),
    "review_zh": ("评估用语", "review wording (Chinese)"),
    "review_en": ("评估用语（英文）", "review wording"),
}

#: columns shown as probabilities: always two decimals
PROBABILITY_COLUMNS = {"p_reached", "P(reached)", "brier"}
#: columns holding years: whole numbers, never 2,017.0
YEAR_COLUMNS = {"year", "source_line", "base_year", "target_year", "latest_year", "realised_year", "reference_year",
                "first_year", "n_points"}
#: units counted in whole things: no decimals unless the value has them
COUNT_UNITS = {"个", "家", "项", "件", "人", "名", "所", "处", "张", "户", "年", "岁"}


def column_label(ctx: ReportContext, column: object) -> str:
    """The column's label in the report's language(s); an unlisted column keeps its name (and a
    test then finds a snake_case header and asks for a label here)."""
    zh_en = COLUMN_LABELS.get(str(column))
    if not zh_en:
        return str(column)
    return zh_en[0] if zh_en[0] == zh_en[1] else ctx.t(*zh_en)


def display_frame(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a reader sees it: every cell text, numbers rounded as their column and unit
    deserve, no nan/None, headers as labels in the report's language(s)."""
    units = frame["unit"] if "unit" in frame.columns else None
    out = {}
    for column in frame.columns:
        values = frame[column]
        name = str(column)
        if name == "is_derived":  # the derived flag, shown as charts show it
            cells = ["d" if v is True or v == 1 else "" for v in values]
        elif name in PROBABILITY_COLUMNS:
            cells = [format_p(v) for v in values]
        elif name in YEAR_COLUMNS:
            cells = [format_year(v) for v in values]
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            cells = [format_value(v, units.iloc[i] if units is not None else "")
                     for i, v in enumerate(values)]
        else:
            cells = [clean_text(v) for v in values]
        out[column_label(ctx, column)] = cells
    return pd.DataFrame(out, index=frame.index)


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_p(value) -> str:
    """A probability to two decimals, everywhere."""
    return "—" if _missing(value) else f"{float(value):.2f}"


def format_year(value) -> str:
    if _missing(value):
        return "—"
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return clean_text(value)


def format_value(value, unit: object = "") -> str:
    """A value rounded as its unit deserves: counts whole, shares and money to at most two
    decimals, small values to at most four."""
    if _missing(value):
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    value = float(value)
    if str(unit or "") in COUNT_UNITS and value.is_integer():
        return f"{value:.0f}"
    return format_number(value)


def clean_text(value) -> str:
    """Text for a reader: no 'nan' or 'None' where nothing is known, floats rounded."""
    if _missing(value):
        return "—"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    text = str(value)
    text = _NONE_WORD.sub("—", text)
    return _LONG_FLOAT.sub(lambda m: format_number(float(m.group(0))), text)


_NONE_WORD = re.compile(r"\b(?:None|nan|NaN)\b")
_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?![\w.])")


def format_number(value: float) -> str:
    """Numbers as statistical tables print them: no exponent, one decimal from 1000, two
    down to 0.01, four below (so a small value does not print as 0), no trailing zeros."""
    if _missing(value):
        return "—"
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    places = 1 if magnitude >= 1000 else 2 if magnitude >= 0.01 else 4
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def save_table(ctx: ReportContext, frame: pd.DataFrame, name: str) -> None:
    if ctx.output_dir is None:
        return
    folder = ctx.output_dir / "tables" / ctx.notebook
    write_bytes_atomic(folder / f"{name}.csv", frame_to_csv_text(frame).encode("utf-8"))
    write_bytes_atomic(folder / f"{name}.xlsx", xlsx_bytes({name: frame}))


def show_figure(ctx: ReportContext, fig, name: str, alt: str = ""):
    """Render the PNG once: the same image goes into the report (with alt text and, below it, a
    collapsible table of the values it draws) and, with an SVG, to disk. Returns the figure
    (closed to pyplot, still drawable: `fig.savefig(...)`, `display(fig)`)."""
    import base64

    from dezhou_analysis.reports.charts import (
        close,
        figure_alt,
        figure_data,
        figure_png,
        save_figure,
    )
    png = figure_png(fig)
    save_figure(fig, name, ctx.output_dir / "figures" / ctx.notebook if ctx.output_dir else None,
                png=png)
    width = int(fig.get_figwidth() * 110)
    data = figure_data(fig)
    alt = alt or figure_alt(fig)
    close(fig)
    encoded = base64.b64encode(png).decode("ascii")
    show_html(f'<figure class="dz-figure"><img src="data:image/png;base64,{encoded}" '
              f'alt="{esc(alt)}" width="{width}">{data_details(ctx, data)}</figure>')
    return fig


def flags_legend(ctx: ReportContext, frame: pd.DataFrame) -> str:
    """The legend of the observation flags a table shows (none: no legend)."""
    from dezhou_analysis.reports.charts import flag_legend
    used = set()
    if "flags" in frame.columns:
        used |= set("".join(str(f) for f in frame["flags"].dropna()))
    if "is_derived" in frame.columns and frame["is_derived"].fillna(False).astype(bool).any():
        used.add("d")
    return f'<p class="dz-flags">{esc(flag_legend(used, ctx.language))}</p>' if used else ""


def data_details(ctx: ReportContext, data: pd.DataFrame | None) -> str:
    """The table alternative of a chart: collapsed under it, the same values, flags explained."""
    if data is None or data.empty:
        return ""
    shown = display_frame(ctx, data)
    legend = flags_legend(ctx, data)
    body = shown.to_html(index=False, escape=True, na_rep="—", classes="dz-table", border=0)
    return (f'<details class="dz-data"><summary>{esc(ctx.t("图表数据", "Data table"))} '
            f'({len(data)} {esc(ctx.t("行", "rows"))})</summary>'
            f'<div class="dz-table-wrap">{body}</div>{legend}</details>')


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
        show_html(f"<p><b>{esc(title)}</b></p>" + display_frame(ctx, frame).to_html(
            index=False, escape=True, border=0, classes="dz-table"))


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
