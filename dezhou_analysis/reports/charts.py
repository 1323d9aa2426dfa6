"""One house style, a CJK font that works on a fresh machine, and the suite's charts.

The font is loaded by path on import (a stale matplotlib font cache does not matter): Latin text
in DejaVu Sans, Chinese falling through to Noto Sans CJK SC, which comes from PyPI
(noto-cjk-sans-otc) so no system package or root is needed; a system CJK font is used if the
PyPI one is missing. Every chart has a title, units on its axes and its source in a caption.
"""

from __future__ import annotations

import importlib.resources
import io
import textwrap
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.transforms import Bbox, TransformedBbox

from dezhou_analysis.reports.status_style import STATUS_COLOURS, STATUS_LABELS

LATIN_FAMILY = "DejaVu Sans"
SYSTEM_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
PREFERRED_CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "AR PL UMing CN")

SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FIGURE_SIZES = {"html": (8.0, 4.5), "slides": (13.33, 7.5), "small": (5.5, 3.4)}

_cjk_family: str | None = None


def register_cjk_font() -> str | None:
    """Load a CJK font by path and return its family name (None if none is found)."""
    global _cjk_family
    if _cjk_family:
        return _cjk_family
    candidates: list[str] = []
    try:
        candidates.append(str(importlib.resources.files("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc"))
    except ModuleNotFoundError:
        pass
    candidates.extend(SYSTEM_CJK_FONTS)
    for path in candidates:
        if not Path(path).is_file():
            continue
        before = {f.name for f in font_manager.fontManager.ttflist}
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        names = {f.name for f in font_manager.fontManager.ttflist} - before or \
            {f.name for f in font_manager.fontManager.ttflist if f.fname == path}
        for family in PREFERRED_CJK_FAMILIES:
            if family in names:
                _cjk_family = family
                return family
        if names:
            _cjk_family = sorted(names)[0]
            return _cjk_family
    return None


def apply_style(size: str = "html") -> None:
    """The house style: seaborn theme, CJK fallback font, stable figure metadata."""
    import seaborn as sns
    family = register_cjk_font()
    sns.set_theme(style="whitegrid", context="notebook", palette=SERIES_COLOURS)
    fonts = [LATIN_FAMILY] + ([family] if family else [])
    plt.rcParams.update({
        "font.family": fonts, "font.sans-serif": fonts, "axes.unicode_minus": False,
        "figure.figsize": FIGURE_SIZES.get(size, FIGURE_SIZES["html"]), "figure.dpi": 110,
        "savefig.dpi": 110, "savefig.bbox": "tight", "axes.titlesize": 12,
        "axes.titleweight": "normal", "axes.labelsize": 10, "legend.fontsize": 9,
        "svg.hashsalt": "dezhou-analysis", "text.parse_math": False,
        "axes.spines.top": False, "axes.spines.right": False,
        # a fixed title height: matplotlib's automatic one measures every tick label of the
        # axes at each draw, a third of a small-multiples chart's drawing time; no chart of
        # the suite puts ticks above its axes, so titles land where they would anyway
        "axes.titley": 1.0,
    })


def bilingual(zh: str, en: str, language: str = "zh+en", sep: str = " ") -> str:
    if language == "zh":
        return zh
    if language == "en":
        return en
    return f"{zh}{sep}{en}" if en else zh


def status_label(status: str, language: str = "zh+en") -> str:
    zh, en = STATUS_LABELS.get(status, (status, status))
    return bilingual(zh, en, language, " / ")


def caption(fig, text: str) -> None:
    """The source line, placed below everything already on the figure (legends included) and
    wrapped to its width, so a long caption never widens the figure."""
    renderer = fig.canvas.get_renderer()
    before = fig.get_tightbbox(renderer)
    width = int(fig.get_figwidth() * 72 / (8 * 0.56))  # 8-pt text: Latin ≈ 0.56 em, CJK 1 em
    label = fig.text(0.0, min(before.y0 / fig.get_figheight(), 0.0) - 0.03, wrap_visual(text, width),
                     ha="left", va="top", fontsize=8, color="#555555", transform=fig.transFigure)
    # the figure's bounds now: what it had and the caption's box (what a second layout of the
    # whole figure would give, at a fraction of its cost)
    extent = Bbox.union([before, TransformedBbox(label.get_tightbbox(renderer),
                                                 fig.dpi_scale_trans.inverted())])
    fig._dezhou_bbox = (extent.padded(0.1), _artist_counts(fig))


def wrap_visual(text: str, width: int) -> str:
    """Wrap at spaces (or anywhere in a long Chinese run) counting a CJK character as two."""
    def size(chunk: str) -> int:
        return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in chunk)
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if size(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # a word wider than the line: cut it
            if size(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return "\n".join(lines)


def _tight_bbox(fig):
    """The tight bounding box, computed once per figure (saving with "tight" lays out twice),
    or taken from `caption` while nothing was added to the figure since."""
    bbox, counts = getattr(fig, "_dezhou_bbox", (None, None))
    if bbox is None or counts != _artist_counts(fig):
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)
        fig._dezhou_bbox = (bbox, _artist_counts(fig))
    return bbox


def _artist_counts(fig) -> tuple[int, ...]:
    return (len(fig.get_children()), *(len(ax.get_children()) for ax in fig.axes))


def figure_png(fig) -> bytes:
    """The figure as PNG bytes, with metadata that does not change between runs."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches=_tight_bbox(fig))
    return buffer.getvalue()


def save_figure(fig, name: str, output_dir: str | Path | None, png: bytes | None = None) -> list[Path]:
    """PNG and SVG with metadata that does not change between runs."""
    from dezhou_analysis.core.files import write_bytes_atomic
    if not output_dir:
        return []
    folder = Path(output_dir)
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None},
                bbox_inches=_tight_bbox(fig))
    written = [write_bytes_atomic(folder / f"{name}.png", png if png is not None else figure_png(fig)),
               write_bytes_atomic(folder / f"{name}.svg", svg.getvalue())]
    return written


# ---------------------------------------------------------------------------------------------
# charts

# ---- what a chart shows, for readers who cannot use the picture -------------------------------

#: observation flags, shown the same way in charts (letters beside the point) and tables
FLAG_LABELS = {
    "d": ("推算值", "derived"), "e": ("估计值", "estimated"), "p": ("初步数", "provisional"),
    "c": ("普查口径", "census basis"), "q": ("非全年", "partial year"),
}
_FLAG_WORDS = {
    "d": ("derived", "推算", "÷", "×"), "e": ("estimat", "预计", "估计", "约"),
    "p": ("provisional", "初步", "快报", "preliminary"), "c": ("census", "普查"),
}


def observation_flags(row) -> str:
    """The flag letters of one observation (a mapping with any of basis, source_detail, note,
    period_kind), e.g. "dc" for a derived value on a census basis."""
    def text(key):
        value = row.get(key) if hasattr(row, "get") else None
        return value if isinstance(value, str) else ""
    found = text("source_detail") + " " + text("note")
    flags = [flag for flag, words in _FLAG_WORDS.items() if flag != "c"
             and any(w in found for w in words)]
    if any(w in text("basis") for w in _FLAG_WORDS["c"]):
        flags.append("c")
    if text("period_kind") == "partial":
        flags.append("q")
    return "".join(flags)


def flag_legend(flags: str | set, language: str = "zh+en") -> str:
    """'d = 推算值 derived; c = 普查口径 census basis' for the flags that occur."""
    return "; ".join(f"{f} = {bilingual(*FLAG_LABELS[f], language)}" for f in FLAG_LABELS if f in flags)


def attach_data(fig, frame: pd.DataFrame, alt: str = "") -> None:
    """Keep the values a chart draws (and a description) with the figure, for its data table."""
    fig.dz_data = frame.reset_index(drop=True)
    if alt:
        fig.dz_alt = alt


def figure_data(fig) -> pd.DataFrame | None:
    return getattr(fig, "dz_data", None)


def figure_alt(fig) -> str:
    """Alt text: the description given, else the figure's titles and axis labels."""
    alt = getattr(fig, "dz_alt", "")
    if alt:
        return alt
    parts = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    for ax in fig.axes:
        bits = [ax.get_title(), ax.get_ylabel(), ax.get_xlabel()]
        parts.append(" / ".join(b.replace("\n", " ") for b in bits if b))
    return "; ".join(p for p in parts if p)[:400]


def _history_table(history: pd.DataFrame) -> pd.DataFrame:
    table = history[[c for c in ("year", "value") if c in history]].copy()
    table["flags"] = [observation_flags(r) for r in history.to_dict("records")]
    return table


def _annotate_flags(ax, history: pd.DataFrame, fontsize: float = 7) -> set:
    """Flag letters beside flagged points; returns the flags drawn, for the legend."""
    drawn = set()
    for record in history.to_dict("records"):
        flags = observation_flags(record)
        if flags and pd.notna(record.get("value")):
            ax.annotate(flags, (record["year"], record["value"]), textcoords="offset points",
                        xytext=(4, 4), fontsize=fontsize, color="#444444")
            drawn.update(flags)
    return drawn


def fan_chart(history: pd.DataFrame, bands: pd.DataFrame, *, title: str, unit: str,
              target: float | None, target_year: int, target_kind: str, tolerance: float,
              base_year: int | None, source: str, language: str = "zh+en",
              breaks: list[int] | None = None, ax=None):
    """History, statistical breaks, forecast median with 50/80/95 % bands, target and its band."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=FIGURE_SIZES["html"])
    if len(bands):
        last = history.iloc[-1]
        years = np.concatenate([[last["year"]], bands["year"].to_numpy()])

        def band(col):
            return np.concatenate([[last["value"]], bands[col].to_numpy()])
        for low, high, alpha, label in (("q0.025", "q0.975", 0.15, "95%"), ("q0.1", "q0.9", 0.25, "80%"),
                                        ("q0.25", "q0.75", 0.4, "50%")):
            ax.fill_between(years, band(low), band(high), color="#0072B2", alpha=alpha, lw=0,
                            label=bilingual(f"{label} 区间", f"{label} band", language))
        ax.plot(years, band("q0.5"), color="#0072B2", lw=1.8, ls="--",
                label=bilingual("预测中位数", "forecast median", language))
    for number, segment in enumerate(_segments(history, breaks or [])):
        _plot_observed(ax, segment, color="#000000", ms=4, lw=1.5,
                       label=bilingual("实际值", "observed", language) if number == 0 else None)
    flags = _annotate_flags(ax, history)
    if target is not None and not np.isnan(target):
        ax.scatter([target_year], [target], marker="*", s=180, color="#D55E00", zorder=5,
                   label=bilingual(f"{target_year}年目标", f"{target_year} target", language))
        if target_kind == "approx":
            ax.fill_between([target_year - 0.3, target_year + 0.3], target * (1 - tolerance),
                            target * (1 + tolerance), color="#D55E00", alpha=0.2, lw=0,
                            label=bilingual("目标容差带", "target band", language))
    if base_year:
        ax.axvline(base_year, color="#999999", lw=1, ls=":")
        ax.annotate(bilingual("规划基期", "plan base", language, "\n"), (base_year, 0.98),
                    xycoords=("data", "axes fraction"), ha="left", va="top", fontsize=8,
                    color="#666666", xytext=(3, 0), textcoords="offset points")
    for year in breaks or []:
        ax.axvline(year - 0.5, color="#CC79A7", lw=1.2, ls="-.")
        ax.annotate(bilingual("统计口径调整", "statistical break", language, "\n"), (year - 0.5, 0.02),
                    xycoords=("data", "axes fraction"), ha="right", va="bottom", fontsize=8,
                    color="#CC79A7", rotation=90)
    ax.set_title(title)
    ax.set_xlabel(bilingual("年份", "year", language))
    ax.set_ylabel(unit or bilingual("指数", "index", language))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, frameon=False, ncol=4)
    caption(fig, source + ("  " + flag_legend(flags, language) if flags else ""))
    table = _history_table(history)
    if len(bands):
        forecast = bands[["year", "q0.025", "q0.5", "q0.975"]].copy()
        table = pd.concat([table, forecast], ignore_index=True)
    attach_data(fig, table)
    return fig


def _plot_observed(ax, segment: pd.DataFrame, *, color: str, ms: float, lw: float,
                   label: str | None = None) -> None:
    """Values joined by a solid line between consecutive years and a dotted one across years
    without data, so a straight line never suggests values nobody reported."""
    years = segment["year"].to_numpy(dtype=float)
    values = segment["value"].to_numpy(dtype=float)
    ax.plot(years, values, ls="none", marker="o", ms=ms, color=color, label=label)
    gap = np.diff(years) > 1
    for style, pairs in (("-", ~gap), (":", gap)):
        if pairs.any():  # one line per style, its pairs separated by NaN
            first = np.flatnonzero(pairs)
            xs = np.column_stack([years[first], years[first + 1], np.full(len(first), np.nan)])
            ys = np.column_stack([values[first], values[first + 1], np.full(len(first), np.nan)])
            ax.plot(xs.ravel(), ys.ravel(), color=color, lw=lw, ls=style)


def _segments(history: pd.DataFrame, breaks: list[int]) -> list[pd.DataFrame]:
    """The history cut at statistical breaks, so no line joins two statistical bases."""
    if not len(history):
        return []
    edges = sorted(breaks)
    labels = np.searchsorted(edges, history["year"].to_numpy(), side="right")
    return [history[labels == k] for k in sorted(set(labels))]


def small_multiples(panels: list[dict], *, title: str, language: str = "zh+en", source: str = "",
                    ncols: int = 3):
    """One small chart per series: {"title", "unit", "history" (year, value), "breaks"}."""
    nrows = max(1, -(-len(panels) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(10.0, 2.9 * nrows + 0.6), squeeze=False)
    flags, tables = set(), []
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        history = panel["history"]
        for segment in _segments(history, panel.get("breaks", [])):
            _plot_observed(ax, segment, color="#0072B2", ms=3.5, lw=1.4)
        flags |= _annotate_flags(ax, history, fontsize=6)
        tables.append(_history_table(history).assign(
            indicator=panel["title"].replace("\n", " "), unit=panel["unit"])[
                ["indicator", "unit", "year", "value", "flags"]])
        for year in panel.get("breaks", []):
            ax.axvline(year - 0.5, color="#CC79A7", lw=1.1, ls="-.")
        ax.set_title("\n".join(textwrap.fill(line, 34) for line in panel["title"].split("\n")),
                     fontsize=8.5)
        ax.set_ylabel(panel["unit"] or bilingual("指数", "index", language), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=5))
    for ax in axes.ravel()[len(panels):]:
        ax.set_axis_off()
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    caption(fig, source + "  " + bilingual("点划线：统计口径调整（普查修订）；虚点线：其间年份无数据",
                                          "dash-dot line: statistical break (census revision); "
                                          "dotted: years without data", language)
            + ("  " + flag_legend(flags, language) if flags else ""))
    if tables:
        attach_data(fig, pd.concat(tables, ignore_index=True))
    return fig


def progress_chart(frame: pd.DataFrame, *, language: str = "zh+en", source: str = ""):
    """Share of the way from base to target (bars) against share of time elapsed (marker)."""
    data = frame.dropna(subset=["midterm_value"]).sort_values("midterm_value")
    height = max(2.5, 0.42 * len(data) + 1.2)
    fig, ax = plt.subplots(figsize=(8.0, height))
    if data.empty:
        ax.text(0.5, 0.5, bilingual("暂无可计算进度的目标", "no target has base and later values",
                                    language, "\n"), ha="center", va="center")
        ax.set_axis_off()
    else:
        labels = [bilingual(r.name_zh, "", language) if language != "en" else r.name_en
                  for r in data.itertuples()]
        colours = [STATUS_COLOURS.get(s, "#BBBBBB") for s in data["status"]]
        y = np.arange(len(data))
        ax.barh(y, np.clip(data["midterm_value"] * 100, -50, 150), color=colours)
        ax.scatter(data["elapsed_share"] * 100, y, marker="|", s=300, color="#000000",
                   label=bilingual("时间进度", "time elapsed", language), zorder=4)
        ax.axvline(100, color="#555555", lw=1, ls=":")
        ax.set_yticks(y, labels, fontsize=8)
        ax.set_xlabel(bilingual("完成进度（%，基期到目标）", "progress from base to target (%)", language))
        ax.legend(loc="lower right", frameon=False)
        attach_data(fig, pd.DataFrame({"target_id": data["target_id"], "name_zh": data["name_zh"],
                                       "progress_pct": data["midterm_value"] * 100,
                                       "elapsed_pct": data["elapsed_share"] * 100,
                                       "status": data["status"]}))
    ax.set_title(bilingual("目标完成进度与时间进度", "Progress towards targets vs time elapsed", language))
    caption(fig, source)
    return fig


def status_bar(frame: pd.DataFrame, *, language: str = "zh+en", source: str = ""):
    counts = frame["status"].value_counts()
    order = [s for s in STATUS_COLOURS if s in counts]
    fig, ax = plt.subplots(figsize=(8.0, 1.9))
    left = 0
    for status in order:
        ax.barh([0], [counts[status]], left=left, color=STATUS_COLOURS[status],
                label=f"{status_label(status, language)} ({counts[status]})")
        left += counts[status]
    ax.set_yticks([])
    ax.set_xlabel(bilingual("目标个数", "number of targets", language))
    ax.set_title(bilingual("全部目标评估结果", "Status of all targets", language))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55), ncol=4, frameon=False, fontsize=8)
    caption(fig, source)
    attach_data(fig, pd.DataFrame({"status": [status_label(s, language) for s in order],
                                   "n_targets": [int(counts[s]) for s in order]}))
    return fig


def scenario_heatmap(grid: pd.DataFrame, *, title: str, numerator: tuple[str, str],
                     denominator: tuple[str, str], target: float, language: str = "zh+en",
                     source: str = ""):
    """Target-year ratio for each pair of growth rates; the black line is where it reaches the
    target. `numerator` and `denominator` are (Chinese, English) names."""
    import seaborn as sns
    table = grid.pivot(index="numerator_growth", columns="denominator_growth", values="ratio")
    table = table.sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(8.0, 6.0))
    sns.heatmap(table, ax=ax, cmap="RdBu", center=target, cbar_kws={
        "label": bilingual(f"{int(grid['target_year'].iloc[0])}年比重（%）",
                           f"ratio in {int(grid['target_year'].iloc[0])} (%)", language)})
    clears = grid.pivot(index="numerator_growth", columns="denominator_growth", values="clears")
    clears = clears.sort_index(ascending=False).to_numpy()
    ax.contour(np.arange(clears.shape[1]) + 0.5, np.arange(clears.shape[0]) + 0.5,
               clears.astype(float), levels=[0.5], colors="#000000", linewidths=1.5)
    step = max(1, len(table.columns) // 10)
    ax.set_xticks(np.arange(0, len(table.columns), step) + 0.5,
                  [f"{v:g}" for v in table.columns[::step]], rotation=0)
    step = max(1, len(table.index) // 12)
    ax.set_yticks(np.arange(0, len(table.index), step) + 0.5,
                  [f"{v:g}" for v in table.index[::step]])
    ax.set_xlabel(bilingual(f"{denominator[0]}年均增速（%）", f"{denominator[1]} growth (% a year)",
                            language, "\n"))
    ax.set_ylabel(bilingual(f"{numerator[0]}年均增速（%）", f"{numerator[1]} growth (% a year)",
                            language, "\n"))
    ax.set_title(title)
    caption(fig, source)
    attach_data(fig, grid[["numerator_growth", "denominator_growth", "ratio", "clears"]],
                alt=f"{title.replace(chr(10), ' ')}: heatmap of the target-year ratio over "
                    f"{grid['numerator_growth'].nunique()} × {grid['denominator_growth'].nunique()} "
                    "growth pairs; the black line marks where the target is reached")
    return fig


def structure_chart(frame: pd.DataFrame, *, language: str = "zh+en", source: str = ""):
    """Three-sector structure by year (stacked shares)."""
    fig, ax = plt.subplots(figsize=FIGURE_SIZES["small"])
    years = frame.index.astype(str)
    bottom = np.zeros(len(frame))
    names = {"primary_share": ("第一产业", "primary"), "secondary_share": ("第二产业", "secondary"),
             "tertiary_share": ("第三产业", "tertiary")}
    for colour, column in zip(("#009E73", "#0072B2", "#E69F00"), frame.columns, strict=False):
        values = frame[column].to_numpy(dtype=float)
        ax.bar(years, values, bottom=bottom, color=colour, label=bilingual(*names.get(column, (column, column)), language))
        for x, b, v in zip(years, bottom, values, strict=True):
            if not np.isnan(v):
                ax.text(x, b + v / 2, f"{v:.1f}", ha="center", va="center", fontsize=9, color="white")
        bottom = bottom + np.nan_to_num(values)
    ax.set_ylabel(bilingual("占地区生产总值比重（%）", "share of GDP (%)", language))
    ax.set_xlabel(bilingual("年份", "year", language))
    ax.set_title(bilingual("三次产业结构", "Three-sector structure", language))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
    caption(fig, source)
    table = frame.rename(columns={c: bilingual(*names[c], language) for c in frame.columns if c in names})
    attach_data(fig, table.rename_axis("year").reset_index())
    return fig


def line_chart(frame: pd.DataFrame, *, title: str, ylabel: str, language: str = "zh+en",
               source: str = "", annotate: bool = True):
    """One or more series (columns) over years (index)."""
    fig, ax = plt.subplots(figsize=FIGURE_SIZES["small"])
    for column in frame.columns:
        series = frame[column].dropna()
        ax.plot(series.index, series.to_numpy(), marker="o", label=str(column))
        if annotate:
            for x, v in series.items():
                ax.annotate(f"{v:g}", (x, v), textcoords="offset points", xytext=(0, 6),
                            ha="center", fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(bilingual("年份", "year", language))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if len(frame.columns) > 1:
        ax.legend(frameon=False)
    caption(fig, source)
    attach_data(fig, frame.rename_axis("year").reset_index())
    return fig


def comparison_chart(frame: pd.DataFrame, *, title: str, unit: str, highlight: str,
                     language: str = "zh+en", source: str = ""):
    """Horizontal bars of one value per region, the home region highlighted."""
    data = frame.sort_values("value")
    fig, ax = plt.subplots(figsize=(FIGURE_SIZES["small"][0], max(2.2, 0.45 * len(data) + 1)))
    colours = ["#D55E00" if r == highlight else "#0072B2" for r in data["region"]]
    ax.barh(data["region"], data["value"], color=colours)
    for y, (value, derived) in enumerate(zip(data["value"], data["is_derived"], strict=True)):
        ax.text(value, y, f" {value:g}" + (" d" if derived else ""), va="center", fontsize=9)
    ax.set_xlabel(unit)
    ax.set_title(title)
    caption(fig, source + ("  " + flag_legend("d", language) if data["is_derived"].any() else ""))
    attach_data(fig, pd.DataFrame({"region": data["region"], "value": data["value"], "unit": unit,
                                   "flags": ["d" if d else "" for d in data["is_derived"]]}))
    return fig


def industry_chart(frame: pd.DataFrame, *, language: str = "zh+en", source: str = ""):
    """Revenue or value-added targets of the "6+6" industries, observed values beside them."""
    data = frame.sort_values("target_value")
    year = int(data["target_year"].max())
    fig, ax = plt.subplots(figsize=(8.0, max(3.0, 0.42 * len(data) + 1.2)))
    y = np.arange(len(data))
    ax.barh(y, data["target_value"], color="#56B4E9", label=bilingual(f"{year}年目标", f"{year} target", language))
    if "latest_value" in data:
        observed = data["latest_value"].to_numpy(dtype=float)
        ok = ~np.isnan(observed)
        ax.scatter(observed[ok], y[ok], color="#000000", zorder=4,
                   label=bilingual("最新实际值", "latest observed", language))
    for yy, value in zip(y, data["target_value"], strict=True):
        ax.text(value, yy, f" {value:g}", va="center", fontsize=8)
    ax.set_yticks(y, data["label"], fontsize=8)
    ax.set_xlabel(bilingual("亿元", "100 million yuan", language))
    ax.set_title(bilingual(f"“6+6”产业{year}年目标", f"Targets of the 6+6 industries for {year}", language))
    ax.legend(frameon=False, loc="lower right")
    caption(fig, source)
    attach_data(fig, data[[c for c in ("label", "target_value", "latest_value") if c in data]])
    return fig


def document_counts(frame: pd.DataFrame, *, language: str = "zh+en", source: str = ""):
    """How many targets and statistics each document yielded (documents as rows)."""
    fig, ax = plt.subplots(figsize=(8.0, max(2.4, 0.5 * len(frame) + 1.2)))
    y = np.arange(len(frame))
    height = 0.38
    for i, (column, colour) in enumerate(zip(frame.columns, ("#0072B2", "#E69F00"), strict=False)):
        values = frame[column].to_numpy()
        ax.barh(y + (i - 0.5) * height, values, height=height, color=colour, label=column)
        for yy, v in zip(y + (i - 0.5) * height, values, strict=True):
            ax.text(v, yy, f" {v}", va="center", fontsize=8)
    ax.set_yticks(y, [name if len(name) < 46 else name[:43] + "…" for name in frame.index], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(bilingual("个数", "count", language))
    ax.set_title(bilingual("各文件解析出的目标和统计数字", "Targets and statistics found in each document", language))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the bars, never on them
    caption(fig, source)
    attach_data(fig, frame.rename_axis("file").reset_index())
    return fig


def close(fig) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plt.close(fig)


register_cjk_font()
