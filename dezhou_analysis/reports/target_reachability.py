"""Report: is each target reachable? The dashboard, a fan chart per target, the four monitors'
categories side by side, and ex-post verdicts where the data reach the target year."""

from __future__ import annotations

import pandas as pd

from dezhou_analysis.assess.assessor import Assessment, Assessor
from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.breaks import break_for
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
    show_html,
    show_table,
    source_of,
    with_data_quality,
)
from dezhou_analysis.reports.common import setup as _setup

__all__ = ["setup", "headline", "dashboard", "progress", "fan_charts", "methods", "ex_post",
           "official_review", "when_clear",
           "provenance"]


DEFAULTS = AssessmentSettings()


def setup(as_of: int = DEFAULTS.as_of or 0, seed: int = DEFAULTS.seed,
          n_paths: int = DEFAULTS.n_paths, tolerance: float = DEFAULTS.tolerance,
          evaluation_as_of: int = 0, **kwargs) -> ReportContext:
    return _setup("target_reachability", as_of=as_of, seed=seed, n_paths=n_paths,
                  tolerance=tolerance, evaluation_as_of=evaluation_as_of, **kwargs)


def assess(ctx: ReportContext, as_of: int | None) -> Assessment:
    """The report's settings with another as-of year (to score an earlier call)."""
    return Assessor(ctx.parse.targets, ctx.panel.observations, ctx.registry,
                    ctx.settings.replace(as_of=as_of)).fit()


def _frame(ctx: ReportContext) -> pd.DataFrame:
    return ctx.assessment.frame


def headline(ctx: ReportContext):
    """The count of targets by status, as a bar chart; returns the figure."""
    frame = _frame(ctx)
    as_of = ctx.params.get("as_of") or None
    heading(ctx, "目标能否实现", "Is each target reachable?", 1)
    counts = frame["status"].value_counts()
    parts_zh = "、".join(f"{plotting.STATUS_LABELS[s][0]} {counts[s]} 个" for s in plotting.STATUS_COLOURS if s in counts)
    parts_en = ", ".join(f"{counts[s]} {s}" for s in plotting.STATUS_COLOURS if s in counts)
    scope = f"（数据截至 {as_of} 年）" if as_of else "（使用全部数据）"
    paragraph(ctx, f"共评估 {len(frame)} 个目标{scope}：{parts_zh}。"
                   "“无法评估”的目标均注明原因，多数是因为缺少统计数据——请在 data/raw/yearbook 补充数据后重新运行。",
              f"{len(frame)} targets assessed {'using data up to ' + str(as_of) if as_of else 'on all data'}: "
              f"{parts_en}. Every target that cannot be assessed says why — mostly missing yearbook "
              "data; add it under data/raw/yearbook and re-run.")
    fig = plotting.status_bar(frame, language=ctx.language, source=source_of(ctx, "plan", "yearbook", "model"))
    return show_figure(ctx, fig, "status_overview")


def _dashboard_frame(ctx: ReportContext) -> pd.DataFrame:
    frame = _frame(ctx)
    table = pd.DataFrame({
        "id": frame["target_id"],
        ctx.t("指标", "indicator"): [ctx.name(i, n) for i, n in zip(frame["indicator_id"], frame["name_zh"], strict=True)],
        ctx.t("地区", "region"): frame["region"],
        ctx.t("目标", "target"): [f"{y}: {t}" for y, t in zip(frame["target_year"], frame["target_text"], strict=True)],
        ctx.t("最新值", "latest"): [f"{v:.4g} ({int(y)})" if pd.notna(v) else "—"
                                   for v, y in zip(frame["latest_value"], frame["latest_year"].fillna(0), strict=True)],
        "P(reached)": frame["p_reached"],
        ctx.t("状态", "status"): [plotting.status_label(s, ctx.language) for s in frame["status"]],
        ctx.t("依据", "why"): frame["status_reason"],
    })
    return table


def dashboard(ctx: ReportContext) -> pd.DataFrame:
    """Every target's status, one row per target (the `id` column is the target id that
    `ctx.assessment.results` is keyed by); returns that table."""
    heading(ctx, "目标仪表板", "Dashboard")
    frame = _frame(ctx)
    table = _dashboard_frame(ctx)
    status_col = ctx.t("状态", "status")
    colours = dict(zip(table[status_col], [plotting.STATUS_COLOURS.get(s, "#BBBBBB") for s in frame["status"]], strict=True))

    def styler(shown: pd.DataFrame):
        return shown.style.map(lambda v: f"background-color: {colours.get(v, '')}; color: #000",
                               subset=[status_col])
    show_table(ctx, table, "dashboard", "全部目标状态", "Status of every target", max_rows=400,
               styler=styler)
    show_table(ctx, frame, "assessment", "完整评估表（assessment.csv）", "Full assessment table",
               max_rows=0)
    note(ctx, "P(reached)：模型模拟路径中达到目标的比例；“左右”目标在 ±容差带内或更优即算达到。",
         "P(reached): the share of simulated paths that reach the target; an approx (左右) target "
         "counts as reached within its tolerance band or beyond it in the desired direction.")
    return table


def progress(ctx: ReportContext):
    """Share of the way to the target against the share of the period elapsed; returns the figure."""
    heading(ctx, "时间过半、任务过半", "Progress against time elapsed")
    fig = plotting.progress_chart(_frame(ctx), language=ctx.language,
                                  source=source_of(ctx, "plan", "yearbook"))
    return show_figure(ctx, fig, "progress_vs_time")


def fan_charts(ctx: ReportContext) -> Section:
    """A fan chart per target with enough data; returns them as `figures["fan_T001"]`, …"""
    heading(ctx, "分目标预测（扇形图）", "Forecast fan chart per target")
    assessment: Assessment = ctx.assessment
    section = Section()
    shown = 0
    for target_id, result in assessment.results.items():
        row = result.row
        if result.history is None or len(result.history) == 0:
            continue
        if len(result.history) < 2 and len(result.bands) == 0:
            continue
        ind = ctx.registry.indicators.get(row["indicator_id"])
        history = result.history.sort_values("year")
        bases = list(history["basis"].fillna(""))
        breaks = [int(history["year"].iloc[i]) for i in range(1, len(bases))
                  if bases[i] and bases[i - 1] and bases[i] != bases[i - 1]]
        brk = break_for(ind)
        title = f"{target_id} {ctx.name(row['indicator_id'], row['name_zh'])}"
        fig = plotting.fan_chart(history, result.bands, title=title, unit=row["unit"],
                                 target=row["target_value"], target_year=int(row["target_year"]),
                                 target_kind=row["target_kind"], tolerance=ctx.params["tolerance"],
                                 base_year=int(row["base_year"]) if pd.notna(row["base_year"]) else None,
                                 source=source_of(ctx, "plan", "yearbook", "model"),
                                 language=ctx.language, breaks=breaks)
        section.figures[f"fan_{target_id}"] = show_figure(ctx, fig, f"fan_{target_id}")
        p = row["p_reached"]
        summary = (f"P(reached) = {p:.2f}; " if p is not None and not pd.isna(p) else "") + \
            f"{esc(row['status_reason'])}"
        if brk and breaks:
            summary += f"<br>{esc(ctx.t(brk.description_zh, brk.description_en, '; '))}"
        show_html(f'<div class="dz-note">{summary}</div>')
        shown += 1
    if shown == 0:
        note(ctx, "没有可绘制扇形图的目标：统计数据太少。",
             "No target has enough data for a fan chart.")
    return section


def methods(ctx: ReportContext) -> Section:
    """The four monitors' categories per target; returns `tables["methods_assessed"]` and
    `tables["methods_all"]`."""
    heading(ctx, "四种官方监测方法对照", "Four official monitors side by side")
    paragraph(ctx,
              "欧盟统计局/加拿大统计局：实际增速与所需增速之比（≥95% 显著进展，60–95% 中等，0–60% 不足，<0 背离）；"
              "联合国统计司进展图：按年均复合增速外推，完成比 ≥0.95 正常，0.10–0.95 需加速，<0.10 进展有限，<0 倒退；"
              "德国可持续发展指标：按近五年年均变化外推，缺口未弥补部分 <5% 晴，5–20% 少云，>20% 多云，方向相反为雷雨；"
              "中国中期评估：“时间过半、任务过半”。",
              "Eurostat / Statistics Canada: observed ÷ required growth (≥95 % significant, 60–95 % moderate, "
              "0–60 % insufficient, < 0 moving away); UN Statistics Division Progress Chart: CAGR projection, "
              "completion ratio ≥0.95 on track, 0.10–0.95 acceleration needed, < 0.10 limited, < 0 "
              "deterioration; German sustainability indicators: five-year average change extrapolated, "
              "share of the remaining gap missed < 5 % sun, 5–20 % sun and cloud, > 20 % cloud, wrong "
              "direction thunderstorm; Chinese mid-term review: half the time, half the task.")
    frame = _frame(ctx)
    table = frame[["target_id", "name_zh", "n_points", "required_rate", "observed_rate_5y", "rate_unit",
                   "eurostat_category", "unsd_category", "destatis_category", "midterm_category",
                   "eurostat_note", "unsd_note", "destatis_note", "midterm_note"]]
    assessed = table[(table[["eurostat_category", "unsd_category", "destatis_category",
                             "midterm_category"]] != "unable to assess").any(axis=1)]
    return Section(tables={
        "methods_assessed": show_table(ctx, assessed, "methods_assessed",
                                       f"至少一种方法可评估的目标（{len(assessed)} 个）",
                                       f"Targets at least one method can assess ({len(assessed)})"),
        "methods_all": show_table(ctx, table, "methods_all", "全部目标的方法结果",
                                  "Every target, every method", max_rows=0)})


def ex_post(ctx: ReportContext) -> Section:
    """Verdicts where the data reach the target year, and the earlier call scored; returns
    `tables["verdicts"]` and `tables["scores_as_of_<year>"]` where there are any."""
    heading(ctx, "事后检验：目标实现了吗", "Ex post: was it reached?")
    frame = _frame(ctx)
    section = Section()
    realised = frame[frame["verdict"].notna()]
    if realised.empty:
        paragraph(ctx, "现有数据尚未覆盖目标年份，无法给出事后结论。加入目标年份的统计数据后，本节会列出每个目标是否实现，"
                       "并检验较早年份的预测是否准确。",
                  "The data do not reach the target year yet, so no target can be judged ex post. Once "
                  "yearbook data for the target year are added, this section lists which targets were "
                  "met and scores the earlier forecast.")
    else:
        section.tables["verdicts"] = show_table(ctx, realised[["target_id", "name_zh", "target_text", "realised_year",
                                  "realised_value", "verdict"]], "verdicts",
                   f"已有目标年份数据的目标（{len(realised)} 个）", f"Targets with target-year data ({len(realised)})")
    evaluation = int(ctx.params.get("evaluation_as_of") or 0)
    if not evaluation:
        return section
    earlier = assess(ctx, evaluation)
    scored = earlier.frame[earlier.frame["brier"].notna() | earlier.frame["called_eurostat"].notna()]
    heading(ctx, f"若在{evaluation}年评估", f"Had it been assessed in {evaluation}", 3)
    if scored.empty:
        note(ctx, f"没有目标同时具备 {evaluation} 年前的数据和目标年份的实际值，无法检验 {evaluation} 年的判断。",
             f"No target has both data up to {evaluation} and a realised target-year value, so the "
             f"{evaluation} call cannot be scored.")
        return section
    brier = earlier.brier_score()
    paragraph(ctx, f"{evaluation} 年时的 P(reached) 对照实际结果的 Brier 分数：{brier:.3f}（0 为完美，0.25 相当于五五开）。"
              if brier is not None else "", f"Brier score of the {evaluation} P(reached) against the outcomes: "
              f"{brier:.3f} (0 is perfect, 0.25 a coin toss)." if brier is not None else "")
    section.tables[f"scores_as_of_{evaluation}"] = show_table(ctx, scored[["target_id", "name_zh", "p_reached", "verdict", "brier", "called_eurostat",
                            "called_unsd", "called_destatis", "called_midterm"]], f"scores_as_of_{evaluation}",
               f"{evaluation}年判断与实际结果", f"The {evaluation} call against what happened")
    return section



# ---- for policy readers: the official review wording and when the answer became clear ----------

#: 时间过半、任务过半 with a margin: ahead when the share of the way done exceeds the share of the
#: time elapsed by a tenth of it, behind when it falls short by a tenth
REVIEW_MARGIN = 0.10


def review_wording(row) -> tuple[str, str]:
    """The wording of China's mid-term plan reviews for one assessment row, with its English:
    提前实现 (met ahead of time), 快于预期 (faster than planned), 基本符合预期 (broadly on
    schedule: 时间过半、任务过半), 滞后 (behind); empty when the mid-term rule could not judge."""
    category = str(row.get("midterm_category") or "")
    if category.startswith("target met"):
        latest, target_year = row.get("latest_year"), row.get("target_year")
        early = pd.notna(latest) and pd.notna(target_year) and int(latest) < int(target_year)
        return ("提前实现", "met ahead of time") if early else ("已实现", "met")
    done, elapsed = row.get("midterm_value"), row.get("elapsed_share")
    if done is None or elapsed is None or pd.isna(done) or pd.isna(elapsed):
        return "", ""
    if done >= elapsed * (1 + REVIEW_MARGIN):
        return "快于预期", "faster than planned"
    if done >= elapsed * (1 - REVIEW_MARGIN):
        return "基本符合预期", "broadly on schedule (时间过半、任务过半)"
    return "滞后", "behind schedule"


def review_table(assessment: Assessment) -> pd.DataFrame:
    """Each target's official review wording beside the four monitors' categories."""
    frame = assessment.frame
    wording = [review_wording(row) for row in frame.to_dict("records")]
    return frame[["target_id", "name_zh", "name_en", "eurostat_category", "unsd_category",
                  "destatis_category", "midterm_category"]].assign(
        review_zh=[w[0] for w in wording], review_en=[w[1] for w in wording])


def p_reached_by_year(targets: pd.DataFrame, observations: pd.DataFrame, first_year: int,
                      last_year: int, registry=None, settings: AssessmentSettings | None = None,
                      only: set[str] | None = None) -> pd.DataFrame:
    """When did it become clear? Each target's P(reached) as assessed with the data of every
    year from `first_year` (the plan's start) to `last_year`: one row per target (or per target
    id in `only`), one column per as-of year; the other settings are the report's."""
    base = settings or AssessmentSettings()
    columns = {}
    for year in range(first_year, last_year + 1):
        assessor = Assessor(targets, observations, registry, base.replace(as_of=year))
        frame = assessor.fit(only).frame
        columns[year] = frame.set_index("target_id")["p_reached"]
    return pd.DataFrame(columns)


def official_review(ctx: ReportContext) -> pd.DataFrame:
    """The wording of China's mid-term plan reviews (提前实现 / 快于预期 / 基本符合预期 / 滞后)
    beside the four monitors' categories, for the targets the mid-term rule could judge;
    returns the table."""
    heading(ctx, "按官方评估用语", "In the words of an official review")
    table = review_table(ctx.assessment)
    table = table[table["review_zh"] != ""].reset_index(drop=True)
    if table.empty:
        note(ctx, "没有目标具备判断“时间过半、任务过半”所需的数据。",
             "No target has the data the mid-term rule (时间过半、任务过半) needs.")
        return table
    return show_table(ctx, table, "official_review", "官方评估用语与四种监测方法",
                      "Official review wording beside the four monitors")


def when_clear(ctx: ReportContext) -> pd.DataFrame:
    """P(reached) of every forecast target as the data of each year from the plan's start would
    have had it: when the answer became clear. Returns the table (target × as-of year)."""
    heading(ctx, "何时见分晓", "When did it become clear?")
    frame = _frame(ctx)
    forecast = frame[frame["p_reached"].notna() & frame["base_year"].notna()]
    years = ctx.panel.observations["year"].dropna()
    if forecast.empty or years.empty:
        note(ctx, "没有可预测的目标，无法列出逐年的实现概率。",
             "No target could be forecast, so there is no P(reached) by year to show.")
        return pd.DataFrame()
    first = int(forecast["base_year"].min()) + 1
    last = min(int(forecast["target_year"].max()), int(years.max()))
    strip = p_reached_by_year(ctx.parse.targets, ctx.panel.observations, first, last,
                              ctx.registry, ctx.settings, only=set(forecast["target_id"]))
    strip = strip.loc[strip.index.intersection(forecast["target_id"])].dropna(how="all")
    table = forecast.set_index("target_id")[["name_zh", "target_text"]].join(strip, how="inner")
    paragraph(ctx, f"每一列是假如在该年用当时已有的数据评估时得到的实现概率（{first}—{last} 年）。",
              f"Each column is the P(reached) an assessment with the data then available would have "
              f"given in that year ({first}–{last}).")
    return show_table(ctx, table.reset_index(), "p_reached_by_year", "逐年的实现概率",
                      "P(reached) as of each year")


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
