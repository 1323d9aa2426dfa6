"""Report: growth-assumption grids for the ratio targets (budget revenue ÷ GDP, R&D ÷ GDP).

In JupyterLab the sliders (ipywidgets) let a researcher try growth rates; the HTML report shows
the static grid, which needs no script."""

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


def grids(ctx: ReportContext) -> None:
    heading(ctx, "比重目标的增速情景", "Growth scenarios for ratio targets", 1)
    paragraph(ctx, "一般公共预算收入占GDP比重、研发经费占GDP比重取决于分子和GDP两个增速。"
                   "下图每一格为一种增速组合下目标年的比重，黑线以上（以左）的组合可以达到目标。",
              "A share of GDP moves with two growth rates, the numerator's and GDP's. Each cell is the "
              "target-year ratio under one pair of growth rates; pairs beyond the black line clear the target.")
    as_of = ctx.params.get("as_of") or None
    ctx.state["bases"] = {}
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
        show_figure(ctx, fig, f"scenario_{ind.id}")
        paragraph(ctx, f"起点：{base.year}年 {esc(numerator)} {base.numerator:g}、GDP {base.denominator:g}，比重 {base.ratio:.2f}%"
                       f"（{esc(base.basis or '口径未注明')}）。",
                  f"Start: {base.year}, numerator {base.numerator:g}, GDP {base.denominator:g}, ratio "
                  f"{base.ratio:.2f}% ({esc(base.basis or 'basis not stated')}).")
        needed = required_numerator_growth(base, float(target["target_value"]), int(target["target_year"]),
                                           [0, 2, 4, 6, 8])
        show_table(ctx, needed, f"required_growth_{ind.id}", "达到目标所需的分子年均增速（%）",
                   "Numerator growth needed to reach the target (% a year)")
        show_table(ctx, grid, f"grid_{ind.id}", "情景网格", "Scenario grid", max_rows=0)


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


def sliders(ctx: ReportContext) -> None:
    heading(ctx, "交互情景", "Try your own growth rates")
    if not ctx.params.get("interactive") or not ctx.state.get("bases"):
        offline_sliders(ctx)
        note(ctx, "在 JupyterLab 中打开本笔记本（interactive=True）即可用滑块调整增速；HTML 报告只显示上面的静态网格。",
             "Open this notebook in JupyterLab (interactive=True) to move sliders; the HTML report shows the static grid above.")
        return
    import ipywidgets as widgets
    from IPython.display import display
    for indicator_id, (base, target) in ctx.state["bases"].items():
        numerator = widgets.FloatSlider(value=6.0, min=-5, max=20, step=0.5, description="分子 %/yr")
        gdp = widgets.FloatSlider(value=5.0, min=-5, max=15, step=0.5, description="GDP %/yr")
        out = widgets.HTML()

        def update(_=None, base=base, target=target, numerator=numerator, gdp=gdp, out=out,
                   indicator_id=indicator_id):
            grid = ratio_grid(base, target["target_value"], int(target["target_year"]), target["target_kind"],
                              target["direction"] or "increase", ctx.params["tolerance"],
                              [numerator.value], [gdp.value])
            row = grid.iloc[0]
            verdict = ctx.t("达到目标", "clears the target") if row["clears"] else ctx.t("未达到目标", "misses the target")
            out.value = f"<b>{esc(ctx.name(indicator_id))}</b>: {row['ratio']:.2f}% in {int(row['target_year'])} — {esc(verdict)}"
        numerator.observe(update, "value")
        gdp.observe(update, "value")
        update()
        display(widgets.VBox([numerator, gdp, out]))


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
