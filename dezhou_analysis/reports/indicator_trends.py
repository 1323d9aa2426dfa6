"""Report: every indicator with data, its history and its statistical breaks."""

from __future__ import annotations

import pandas as pd

from dezhou_analysis.core.breaks import break_for
from dezhou_analysis.panel import annual_series
from dezhou_analysis.reports import charts as plotting
from dezhou_analysis.reports.common import (
    ReportContext,
    Section,
    heading,
    note,
    paragraph,
    provenance,
    show_figure,
    show_table,
    source_of,
    with_data_quality,
)
from dezhou_analysis.reports.common import setup as _setup

__all__ = ["setup", "coverage", "trends", "growth_rates", "conflicts", "provenance"]


def setup(**kwargs) -> ReportContext:
    return _setup("indicator_trends", **kwargs)


def _annual(ctx: ReportContext) -> pd.DataFrame:
    return annual_series(ctx.panel.observations, None, ctx.home, measure=None).sort_index()


def coverage(ctx: ReportContext) -> Section:
    """Which indicators have which years; returns `tables["coverage"]` (and the notes and
    partial-year values where there are any)."""
    heading(ctx, "数据覆盖情况", "What data there is", 1)
    obs = _annual(ctx)
    rows = []
    for (indicator_id, measure), group in obs.groupby(["indicator_id", "measure"], sort=True):
        ind = ctx.registry.indicators.get(indicator_id)
        brk = break_for(ind)
        rows.append({"indicator": ctx.name(indicator_id), "measure": measure, "values": len(group),
                     "years": ", ".join(str(y) for y in sorted(group["year"])),
                     "sources": ", ".join(sorted(set(s.split(":")[0] for s in group["source"]))),
                     "bases": ", ".join(sorted(set(b for b in group["basis"] if b))),
                     "break": brk.description_en if brk else ""})
    frame = pd.DataFrame(rows)
    paragraph(ctx, f"{ctx.home}共有 {len(frame)} 个指标序列（含增速序列），多数只有少量年份。",
              f"{len(frame)} series for {ctx.home} (growth series included); most have few years.")
    section = Section(tables={"coverage": show_table(ctx, frame, "coverage", "指标数据覆盖",
                                                     "Data coverage by indicator")})
    notes = ctx.panel.observations[ctx.panel.observations["note"] != ""]
    if len(notes):
        table = notes[["indicator_id", "region", "period", "value", "unit", "basis", "note", "source_detail"]].copy()
        table.insert(0, "indicator", [ctx.name(i) for i in table["indicator_id"]])
        section.tables["notes"] = show_table(ctx, table.drop(columns="indicator_id"), "notes",
                   "数据附注（口径、推算方法等）", "Notes on the data (basis, how derived)")
    partial = ctx.panel.observations[ctx.panel.observations["period_kind"] != "annual"]
    if len(partial):
        section.tables["non_annual"] = show_table(
            ctx, partial, "non_annual", "非年度数据（不参与趋势拟合）",
            "Partial-year and multi-year values (never fitted as annual)")
    return section


def trends(ctx: ReportContext) -> Section:
    """Small multiples of every indicator with two or more years; returns the pages."""
    heading(ctx, "指标走势", "Indicator histories")
    section = Section()
    note(ctx, "点划线标出普查后的统计口径调整：口径前后的数字不能直接连成趋势。",
         "Dash-dot lines mark census revisions: values either side are on different bases and "
         "are not joined into one trend.")
    obs = _annual(ctx)
    levels = obs[obs["measure"] == "level"]
    panels: list[dict] = []
    for indicator_id, group in levels.groupby("indicator_id", sort=True):
        if len(group) < 2:
            continue
        ind = ctx.registry.get(indicator_id)
        group = group.sort_values("year")
        bases = list(group["basis"])
        breaks = [int(group["year"].iloc[i]) for i in range(1, len(bases))
                  if bases[i] != bases[i - 1] and bases[i] and bases[i - 1]]
        panels.append({"title": ctx.t(ind.name_zh, ind.name_en, "\n"), "unit": ind.unit,
                       "category": ind.category,
                       "history": group[["year", "value"]], "breaks": breaks})
    if not panels:
        note(ctx, "没有两个年份以上的指标。", "No indicator has two or more years.")
        return section
    panels.sort(key=lambda p: (p["category"], p["title"]))
    per_figure = 12
    pages = [panels[i:i + per_figure] for i in range(0, len(panels), per_figure)]
    for number, page in enumerate(pages, 1):
        title = ctx.t(f"有两个以上年份数据的指标（{number}/{len(pages)}）",
                      f"Indicators with two or more years ({number}/{len(pages)})")
        fig = plotting.small_multiples(page, title=title, language=ctx.language,
                                       source=source_of(ctx, "plan", "yearbook"))
        section.figures[f"trends_{number:02d}"] = show_figure(ctx, fig, f"trends_{number:02d}")
    return section


def growth_rates(ctx: ReportContext) -> pd.DataFrame:
    """Every stated growth rate (year on year or average); returns the table."""
    heading(ctx, "增速", "Growth rates")
    obs = _annual(ctx)
    growth = obs[obs["measure"].isin(["growth_yoy", "growth_avg"])]
    if growth.empty:
        note(ctx, "没有增速数据。", "No growth rates.")
        return growth
    frame = growth[["indicator_id", "measure", "year", "value", "source", "source_detail"]].copy()
    frame.insert(0, "indicator", [ctx.name(i) for i in frame["indicator_id"]])
    return show_table(ctx, frame, "growth_rates", "增速（%，同比或年均）", "Growth rates (%, year on year or average)")


def conflicts(ctx: ReportContext) -> Section:
    """Cells where sources disagree and rows kept out of the panel; returns both tables."""
    heading(ctx, "来源不一致与排除的数据", "Disagreeing sources and excluded rows")
    section = Section()
    section.tables["conflicts"] = show_table(ctx, ctx.panel.conflicts, "conflicts", f"来源不一致（{len(ctx.panel.conflicts)} 处，采用统计数据）",
               f"Cells where sources disagree ({len(ctx.panel.conflicts)}; the yearbook value is kept)")
    section.tables["exclusions"] = show_table(ctx, ctx.panel.exclusions, "exclusions",
                                              "未进入面板的数据行及原因",
                                              "Rows not in the panel, with the reason")
    return section


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
