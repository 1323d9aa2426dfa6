"""Report: growth-assumption grids for the ratio targets (budget revenue ÷ GDP, R&D ÷ GDP).

In JupyterLab the sliders (ipywidgets) let a researcher try growth rates; the HTML report has
the static grid and range inputs driven by it with a few lines of inline script (no kernel)."""

from __future__ import annotations

from dezhou_analysis.assess.monitors import target_met
from dezhou_analysis.assess.scenarios import (
    latest_base,
    ratio_grid,
    ratio_indicators,
    required_numerator_growth,
)
from dezhou_analysis.reports import charts as plotting
from dezhou_analysis.reports.common import (
    ReportContext,
    Section,
    esc,
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
from dezhou_analysis.reports.html_sliders import offline_sliders

__all__ = ["setup", "grids", "sliders", "provenance"]


def setup(as_of: int = 0, tolerance: float = 0.05, interactive: bool = True, **kwargs) -> ReportContext:
    return _setup("scenarios", as_of=as_of, tolerance=tolerance, interactive=interactive, **kwargs)


def _ratio_targets(ctx: ReportContext):
    targets = ctx.parse.targets
    ids = ratio_indicators(ctx.registry)
    chosen = targets[targets["indicator_id"].isin(ids) & (targets["region"] == ctx.home)
                     & targets["target_value"].notna()]
    return chosen.sort_values(["source_section", "indicator_id"], ascending=[False, True]) \
        .drop_duplicates(["indicator_id", "target_year"])


def grids(ctx: ReportContext) -> Section:
    """Per ratio target: the heatmap of target-year ratios over both growth rates, the numerator
    growth needed for a given GDP growth, and the grid itself; returns them by indicator id
    (`figures["scenario_rd_gdp_share"]`, `tables["required_growth_rd_gdp_share"]`,
    `tables["grid_rd_gdp_share"]`)."""
    heading(ctx, "比重目标的增速情景", "Growth scenarios for ratio targets", 1)
    paragraph(ctx, "一般公共预算收入占GDP比重、研发经费占GDP比重取决于分子和GDP两个增速。"
                   "下图每一格为一种增速组合下目标年的比重，黑线以上（以左）的组合可以达到目标。",
              "A share of GDP moves with two growth rates, the numerator's and GDP's. Each cell is the "
              "target-year ratio under one pair of growth rates; pairs beyond the black line clear the target.")
    as_of = ctx.params.get("as_of") or None
    ctx.state["bases"] = {}
    section = Section()
    for target in _ratio_targets(ctx).to_dict("records"):
        ind = ctx.registry.get(target["indicator_id"])
        target_year = int(target["target_year"])
        _realised(ctx, ind, target, as_of)
        base = latest_base(ctx.panel.observations, ind.id, ctx.home, ctx.registry,
                           min(as_of or target_year - 1, target_year - 1))
        if base is None:
            note(ctx, f"{esc(ind.name_zh)}：{target_year}年以前缺少分子和GDP的同年数据，无法计算情景。",
                 f"{esc(ind.name_en)}: no year before {target_year} with both parts, no scenario.")
            continue
        ctx.state["bases"][ind.id] = (base, target)
        grid = ratio_grid(base, target["target_value"], int(target["target_year"]), target["target_kind"],
                          target["direction"] or "increase", ctx.params["tolerance"])
        numerator = ctx.name(ind.numerator)
        title = ctx.t(f"{ind.name_zh}：{int(target['target_year'])}年目标 {target['target_text']}",
                      f"{ind.name_en}: target {target['target_text']} in {int(target['target_year'])}", "\n")
        num, gdp = ctx.registry.get(ind.numerator), ctx.registry.get("gdp")
        fig = plotting.scenario_heatmap(grid, title=title, numerator=(num.name_zh, num.name_en),
                                        denominator=(gdp.name_zh, "GDP"),
                                        target=float(target["target_value"]), language=ctx.language,
                                        source=source_of(ctx, "plan", "yearbook", "model"))
        section.figures[f"scenario_{ind.id}"] = show_figure(ctx, fig, f"scenario_{ind.id}")
        paragraph(ctx, f"起点：{base.year}年 {esc(numerator)} {base.numerator:g}、GDP {base.denominator:g}，比重 {base.ratio:.2f}%"
                       f"（{esc(base.basis or '口径未注明')}）。",
                  f"Start: {base.year}, numerator {base.numerator:g}, GDP {base.denominator:g}, ratio "
                  f"{base.ratio:.2f}% ({esc(base.basis or 'basis not stated')}).")
        needed = required_numerator_growth(base, float(target["target_value"]), int(target["target_year"]),
                                           [0, 2, 4, 6, 8])
        section.tables[f"required_growth_{ind.id}"] = show_table(ctx, needed, f"required_growth_{ind.id}", "达到目标所需的分子年均增速（%）",
                   "Numerator growth needed to reach the target (% a year)")
        section.tables[f"grid_{ind.id}"] = show_table(ctx, grid, f"grid_{ind.id}", "情景网格",
                                                      "Scenario grid", max_rows=0)
    return section


def _realised(ctx: ReportContext, ind, target: dict, as_of: int | None) -> None:
    """Where the data reach the target year, the ratio as it turned out, before the grid."""
    target_year = int(target["target_year"])
    if as_of is not None and as_of < target_year:
        return
    latest = latest_base(ctx.panel.observations, ind.id, ctx.home, ctx.registry, as_of)
    if latest is None or latest.year != target_year:
        return
    met = target_met(latest.ratio, float(target["target_value"]), target["target_kind"],
                     target["direction"] or "increase", ctx.params["tolerance"])
    paragraph(ctx, f"{esc(ind.name_zh)}：{target_year}年实际为 {latest.ratio:.2f}%（"
                   f"{esc(ctx.name(ind.numerator))} {latest.numerator:g} ÷ GDP {latest.denominator:g}），"
                   f"目标 {esc(target['target_text'])}，{'已达到' if met else '未达到'}。"
                   f"下面的情景从{target_year}年以前最后一个有数据的年份起算。",
              f"{esc(ind.name_en)}: {latest.ratio:.2f}% in {target_year} ({latest.numerator:g} ÷ GDP "
              f"{latest.denominator:g}), target {esc(target['target_text'])}: "
              f"{'met' if met else 'missed'}. The scenario below starts from the last year with "
              f"data before {target_year}.")


def sliders(ctx: ReportContext) -> dict:
    """In JupyterLab: for every ratio target with a base year, the indicator's name, a slider
    for its numerator's growth and one for GDP's (both nominal), and a chart of the ratio's path
    to the target year that redraws as they move; returns the widget boxes by indicator id."""
    heading(ctx, "交互情景", "Try your own growth rates")
    if not ctx.params.get("interactive") or not ctx.state.get("bases"):
        offline_sliders(ctx)
        note(ctx, "上面的滑块按本报告计算的增速网格取值，离线可用；在 JupyterLab 中打开本笔记本（interactive=True）可任意调整增速并重绘路径。",
             "The sliders above read the growth grid this report computes and work offline; open this "
             "notebook in JupyterLab (interactive=True) to try any growth rate and redraw the path.")
        return {}
    from IPython.display import display
    boxes = {}
    for indicator_id, (base, target) in ctx.state["bases"].items():
        boxes[indicator_id] = _slider_box(ctx, base, target)
        display(boxes[indicator_id])
    return boxes


def _growth_label(ctx: ReportContext, indicator_id: str) -> str:
    ind = ctx.registry.get(indicator_id)
    nominal = "元" in (ind.unit or "") or indicator_id == "gdp"
    name_en = "GDP" if indicator_id == "gdp" else ind.name_en
    return ctx.t(f"{ind.name_zh}{'名义' if nominal else ''}年均增速（%）",
                 f"{name_en}, {'nominal ' if nominal else ''}growth (% a year)", " · ")


def _slider_box(ctx: ReportContext, base, target: dict):
    """One ratio target's controls: its name above two sliders and a chart that redraws."""
    import ipywidgets as widgets
    layout, style = widgets.Layout(width="720px"), {"description_width": "340px"}
    ind = ctx.registry.get(base.indicator_id)
    title = widgets.HTML(f"<h4>{esc(ctx.name(ind.id))}: "
                         f"{esc(ctx.t('目标', 'target'))} {esc(target['target_text'])} "
                         f"({int(target['target_year'])})</h4>")
    numerator = widgets.FloatSlider(value=6.0, min=-5, max=20, step=0.5, layout=layout, style=style,
                                    description=_growth_label(ctx, base.numerator_id))
    gdp = widgets.FloatSlider(value=5.0, min=-5, max=15, step=0.5, layout=layout, style=style,
                              description=_growth_label(ctx, base.denominator_id))
    verdict, chart = widgets.HTML(), widgets.Output()

    def redraw(_=None):
        verdict.value, figure = _slider_result(ctx, base, target, numerator.value, gdp.value)
        with chart:
            chart.clear_output(wait=True)
            from IPython.display import display
            display(figure)
        plotting.close(figure)
    numerator.observe(redraw, "value")
    gdp.observe(redraw, "value")
    redraw()
    return widgets.VBox([title, numerator, gdp, verdict, chart])


def _slider_result(ctx: ReportContext, base, target: dict, numerator_growth: float,
                   gdp_growth: float):
    """The verdict line and the chart of the ratio's path for one pair of growth rates."""
    import matplotlib.pyplot as plt
    target_year, value = int(target["target_year"]), float(target["target_value"])
    grid = ratio_grid(base, value, target_year, target["target_kind"],
                      target["direction"] or "increase", ctx.params["tolerance"],
                      [numerator_growth], [gdp_growth])
    row = grid.iloc[0]
    years = list(range(base.year, target_year + 1))
    path = [base.ratio * ((1 + numerator_growth / 100) / (1 + gdp_growth / 100)) ** (y - base.year)
            for y in years]
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    ax.plot(years, path, marker="o", color="#0072B2",
            label=ctx.t("所选增速下的路径", "path at the chosen growth rates"))
    ax.axhline(value, color="#D55E00", linestyle="--",
               label=ctx.t(f"目标 {target['target_text']}", f"target {target['target_text']}"))
    ax.set_ylabel("%")
    ax.set_xticks(years)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(ctx.name(base.indicator_id), fontsize=10)
    reached = ctx.t("达到目标", "clears the target") if row["clears"] else ctx.t("未达到目标", "misses the target")
    text = (f"<b>{row['ratio']:.2f}%</b> {esc(ctx.t('于', 'in'))} {int(row['target_year'])} — "
            f"{esc(reached)}")
    return text, fig


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
