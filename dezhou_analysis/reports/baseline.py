"""Report: the 2017 position, the three-sector structure, contribution rates, and Dezhou against
the province and the peer cities named in the 2018 launch speech."""

from __future__ import annotations

import pandas as pd

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

__all__ = ["setup", "position", "structure", "contributions", "peers", "provenance"]


def setup(**kwargs) -> ReportContext:
    return _setup("baseline", **kwargs)


def _plan_obs(ctx: ReportContext) -> pd.DataFrame:
    return ctx.parse.observations[ctx.parse.observations["indicator_id"] != ""]


def base_year(ctx: ReportContext) -> int:
    table = ctx.parse.targets[ctx.parse.targets["source_section"] == "table"]
    return int(table["base_year"].mode().iloc[0]) if len(table) else int(_plan_obs(ctx)["year"].max())


def position(ctx: ReportContext) -> pd.DataFrame:
    """The base year's figures as the documents state them; returns the table."""
    year = base_year(ctx)
    heading(ctx, f"{year}年的起点", f"The starting position in {year}", 1)
    obs = _plan_obs(ctx)
    rows = obs[(obs["region"] == ctx.home) & (obs["year"] == year) & (~obs["is_derived"])
               & (obs["measure"].isin(["level", "share", "count"]))]
    rows = rows.drop_duplicates(["indicator_id"], keep="first")
    growth = obs[(obs["region"] == ctx.home) & (obs["year"] == year)
                 & obs["measure"].isin(["growth_avg", "growth_yoy"])]
    growth = growth.drop_duplicates("indicator_id").set_index("indicator_id")
    table = pd.DataFrame({
        "indicator": [ctx.name(i) for i in rows["indicator_id"]],
        "value": rows["value"].to_numpy(), "unit": rows["unit"].to_numpy(),
        "growth_%": [growth["value"].get(i) for i in rows["indicator_id"]],
        "growth_kind": [growth["measure"].get(i) for i in rows["indicator_id"]],
        "source": (rows["source_doc"] + ":" + rows["source_line"].astype(str)).to_numpy(),
    })
    paragraph(ctx, f"规划及相关讲话给出的{year}年数字（{len(table)} 项），增速为文中所述（年均或同比）。",
              f"Figures for {year} stated in the plan and the speeches ({len(table)}); growth as the text "
              "gives it (average annual or year on year).")
    return show_table(ctx, table, "base_year_position", f"{year}年主要指标", f"Main indicators in {year}")


def structure(ctx: ReportContext) -> Section:
    """The three sectors' shares of GDP by year; returns the chart and the wide table."""
    heading(ctx, "三次产业结构", "Three-sector structure")
    obs = ctx.panel.observations
    parts = ["primary_share", "secondary_share", "tertiary_share"]
    data = obs[obs["indicator_id"].isin(parts) & (obs["region"] == ctx.home) & (obs["measure"] == "level")]
    if data.empty:
        note(ctx, "没有三次产业结构数据。", "No three-sector data.")
        return Section()
    wide = data.pivot_table(index="year", columns="indicator_id", values="value", aggfunc="last")
    wide = wide.reindex(columns=[p for p in parts if p in wide.columns])
    fig = plotting.structure_chart(wide, language=ctx.language, source=source_of(ctx, "plan", "yearbook"))
    section = Section(figures={"three_sector_structure": show_figure(ctx, fig, "three_sector_structure")})
    section.tables["three_sector_structure"] = show_table(
        ctx, wide.reset_index(), "three_sector_structure", "三次产业结构（%）",
        "Three-sector structure (% of GDP)")
    first, last = wide.index.min(), wide.index.max()
    if "tertiary_share" in wide and first != last:
        change = wide.loc[last, "tertiary_share"] - wide.loc[first, "tertiary_share"]
        paragraph(ctx, f"{first}—{last}年，第三产业比重变化 {change:+.1f} 个百分点。",
                  f"From {first} to {last} the tertiary share changed by {change:+.1f} percentage points.")
    return section


def contributions(ctx: ReportContext) -> Section:
    """Industry's and investment's contribution to growth; returns the chart and the table."""
    heading(ctx, "贡献率", "Contribution rates")
    obs = ctx.panel.observations
    ids = ["industry_contribution_rate", "investment_contribution_rate"]
    data = obs[obs["indicator_id"].isin(ids) & (obs["region"] == ctx.home)]
    if data.empty:
        note(ctx, "没有贡献率数据。", "No contribution rates.")
        return Section()
    wide = data.pivot_table(index="year", columns="indicator_id", values="value", aggfunc="last")
    wide.columns = [ctx.name(c) for c in wide.columns]
    fig = plotting.line_chart(wide, title=ctx.t("工业与投资对经济增长的贡献率", "Contribution of industry and investment to growth"),
                              ylabel=ctx.t("贡献率（%）", "contribution (%)"), language=ctx.language,
                              source=source_of(ctx, "plan"))
    return Section(
        tables={"contribution_rates": show_table(ctx, wide.reset_index(), "contribution_rates",
                                                 "贡献率（%）", "Contribution rates (%)")},
        figures={"contribution_rates": show_figure(ctx, fig, "contribution_rates")})


def peers(ctx: ReportContext) -> Section:
    """Dezhou against other regions, one chart and table per indicator and year."""
    heading(ctx, "与全省及周边城市比较", "Against the province and peer cities")
    section = Section()
    obs = ctx.parse.observations
    others = obs[(obs["indicator_id"] != "") & (obs["region"] != ctx.home)
                 & obs["measure"].isin(["share", "level"])]
    if others.empty:
        note(ctx, "文件中没有与其他地区的比较。", "The documents compare with no other region.")
        return section
    paragraph(ctx, "带 d 的数值由讲话中“低于全省…个百分点”等关系推算，不是原文直接给出的数。",
              "Values marked d are derived from relations such as “2.4 points below the province”, "
              "not stated directly.")
    for (indicator_id, year), group in others.groupby(["indicator_id", "year"], sort=True):
        home = obs[(obs["indicator_id"] == indicator_id) & (obs["year"] == year)
                   & (obs["region"] == ctx.home) & obs["measure"].isin(["share", "level"])]
        frame = pd.concat([home.head(1), group])[["region", "value", "is_derived", "unit",
                                                  "source_doc", "source_line", "derivation"]]
        frame = frame.drop_duplicates("region")
        unit = frame["unit"].iloc[0] or ctx.t("指数", "index")
        title = f"{ctx.name(indicator_id)}（{year}）"
        fig = plotting.comparison_chart(frame, title=title, unit=unit, highlight=ctx.home,
                                        language=ctx.language, source=source_of(ctx, "plan"))
        name = f"peers_{indicator_id}_{year}"
        section.figures[name] = show_figure(ctx, fig, name)
        section.tables[name] = show_table(ctx, frame, name, title, title)
    return section


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
