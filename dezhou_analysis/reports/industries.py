"""Report: the twelve "6+6" industries' targets, with yearbook data where present."""

from __future__ import annotations

import pandas as pd

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

__all__ = ["setup", "targets", "progress_table", "provenance"]


TYPE_EN = {"新兴产业": "emerging", "传统产业": "traditional"}
KIND_LABELS = {"at_least": ("下限", "at least"), "approx": ("约数", "approx"),
               "at_most": ("上限", "at most"), "qualitative": ("定性", "qualitative")}


def setup(as_of: int = 0, **kwargs) -> ReportContext:
    return _setup("industries", as_of=as_of, **kwargs)


def industry_targets(ctx: ReportContext) -> pd.DataFrame:
    grouped = {ind.id: ind.group for ind in ctx.registry if ind.group}
    targets = ctx.parse.targets
    rows = targets[targets["indicator_id"].isin(grouped) & (targets["region"] == ctx.home)].copy()
    rows["group"] = rows["indicator_id"].map(grouped)
    rows["industry"] = rows["group"].str.split(":").str[-1]
    rows["type"] = rows["group"].str.split(":").str[0]
    return rows.drop_duplicates(["indicator_id", "target_year", "target_value"])


def _latest(ctx: ReportContext, indicator_id: str) -> tuple[float | None, int | None]:
    obs = ctx.panel.observations
    as_of = ctx.params.get("as_of") or None
    data = annual_series(obs, indicator_id, ctx.home, "level", as_of)
    if data.empty:
        return None, None
    last = data.sort_values("year").iloc[-1]
    return float(last["value"]), int(last["year"])


def readable_table(ctx: ReportContext, rows: pd.DataFrame) -> pd.DataFrame:
    """The industry targets with headers and values a reader understands, in the report's
    language (the raw columns stay in industry_targets)."""
    def kind(value: str) -> str:
        return ctx.t(*KIND_LABELS.get(value, (value, value)))
    return pd.DataFrame({
        ctx.t("类型", "type"): [ctx.t(k, TYPE_EN.get(k, k)) for k in rows["type"]],
        ctx.t("产业", "industry"): rows["industry"].to_numpy(),
        ctx.t("指标", "indicator"): [ctx.name(i, n) for i, n in zip(rows["indicator_id"], rows["name_zh"], strict=True)],
        ctx.t("目标年份", "target year"): rows["target_year"].to_numpy(),
        ctx.t("目标", "target"): rows["target_text"].to_numpy(),
        ctx.t("单位", "unit"): rows["unit"].to_numpy(),
        ctx.t("目标类型", "kind"): [kind(k) for k in rows["target_kind"]],
        ctx.t("最新值", "latest value"): rows["latest_value"].to_numpy(),
        ctx.t("最新年份", "latest year"): rows["latest_year"].to_numpy(),
        ctx.t("出处", "source"): (rows["source_doc"] + ":" + rows["source_line"].astype(str)).to_numpy(),
    })


def targets(ctx: ReportContext) -> Section:
    """The industries' targets with their latest values; returns `tables["industry_targets"]`
    (readable headers) and the chart of the money targets."""
    heading(ctx, "“6+6”产业目标", "The 6+6 industries' targets", 1)
    rows = industry_targets(ctx)
    named = rows[rows["group"].str.contains(":")]  # a group without ":" is a type as a whole
    per_type = named.groupby("type")["industry"].nunique()
    years = [str(int(y)) for y in sorted(rows["target_year"].dropna().unique())]
    whole = len(rows) - len(named)
    paragraph(ctx, f"规划为 {named['industry'].nunique()} 个产业（"
                   + "、".join(f"{kind} {n} 个" for kind, n in per_type.items())
                   + f"）设定了 {len(named)} 个{'、'.join(years)}年目标"
                   + (f"，另有 {whole} 个产业整体目标" if whole else "") + "。",
              f"The plan sets {len(named)} targets for {', '.join(years)} across "
              f"{named['industry'].nunique()} industries ("
              + ", ".join(f"{n} {TYPE_EN.get(kind, kind)}" for kind, n in per_type.items()) + ")"
              + (f", and {whole} for a type of industry as a whole" if whole else "") + ".")
    latest = [_latest(ctx, i) for i in rows["indicator_id"]]
    rows["latest_value"] = [v for v, _ in latest]
    rows["latest_year"] = [y for _, y in latest]
    section = Section(tables={"industry_targets": show_table(
        ctx, readable_table(ctx, rows), "industry_targets", "产业目标与最新数据",
        "Industry targets and latest data")})
    money = rows[rows["unit"] == "亿元"].copy()
    money["label"] = [ctx.name(i) for i in money["indicator_id"]]
    if len(money):
        fig = plotting.industry_chart(money, language=ctx.language, source=source_of(ctx, "plan", "yearbook"))
        section.figures["industry_targets"] = show_figure(ctx, fig, "industry_targets")
    missing = rows[rows["latest_value"].isna()]
    if len(missing):
        note(ctx, f"{len(missing)} 个产业目标尚无统计数据。产业主营业务收入通常见于统计年鉴“分行业规模以上工业企业”表，"
                  "可按模板填入 data/raw/yearbook。",
             f"{len(missing)} industry targets have no data yet. Industry revenue is usually in the yearbook's "
             "tables of industrial enterprises by sector; add it under data/raw/yearbook with the template.")
    return section


def progress_table(ctx: ReportContext) -> pd.DataFrame:
    """The assessment's rows for the industry targets; returns them."""
    heading(ctx, "产业目标的进展", "Progress of the industry targets")
    ids = set(industry_targets(ctx)["indicator_id"])
    frame = ctx.assessment.frame
    frame = frame[frame["indicator_id"].isin(ids)]
    return show_table(ctx, frame[["target_id", "name_zh", "target_text", "latest_value", "latest_year",
                           "required_rate", "p_reached", "status", "status_reason"]],
               "industry_progress", "产业目标评估", "Assessment of the industry targets")


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
