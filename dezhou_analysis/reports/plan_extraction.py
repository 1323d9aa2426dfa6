"""Report: what was parsed from the plan documents, with provenance, and what was not matched."""

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

__all__ = ["setup", "overview", "indicator_table", "narrative_targets", "statements",
           "unmatched", "provenance"]


def setup(**kwargs) -> ReportContext:
    return _setup("plan_extraction", **kwargs)


def overview(ctx: ReportContext) -> Section:
    """The documents and how many numbers each gave; returns `tables["documents"]` and the
    chart of counts."""
    counts = ctx.parse.summary()
    heading(ctx, "规划文本解析结果", "What the documents say", 1)
    paragraph(ctx,
              f"共解析 {counts['documents']} 份文件：得到 {counts['targets']} 个目标"
              f"（指标表 {counts['targets_from_table']} 个，正文 {counts['targets_from_text']} 个）"
              f"和 {counts['observations']} 个统计数字（其中 {counts['derived_observations']} 个由文中关系推算）。"
              "每个数字都注明来源文件、行号和原文。",
              f"{counts['documents']} documents parsed: {counts['targets']} targets "
              f"({counts['targets_from_table']} from the indicator table, {counts['targets_from_text']} "
              f"from the text) and {counts['observations']} stated numbers ({counts['derived_observations']} "
              "derived from relations the text states). Every number carries its file, line and sentence.")
    docs = pd.DataFrame(ctx.parse.documents)[["file", "title", "kind", "date", "region", "encoding", "md5"]]
    section = Section(tables={"documents": show_table(ctx, docs, "documents", "文件清单", "Documents")})
    counts_by_doc = pd.DataFrame({
        ctx.t("目标", "targets"): ctx.parse.targets.groupby("source_doc").size(),
        ctx.t("统计数字", "statistics"): ctx.parse.observations.groupby("source_doc").size(),
    }).reindex(docs["file"]).fillna(0).astype(int)
    fig = plotting.document_counts(counts_by_doc, language=ctx.language,
                                   source=source_of(ctx, "plan"))
    section.tables["numbers_by_document"] = counts_by_doc
    section.figures["numbers_by_document"] = show_figure(ctx, fig, "numbers_by_document")
    return section


def indicator_table(ctx: ReportContext) -> pd.DataFrame:
    """Table 1 as parsed; returns it."""
    heading(ctx, "指标表（表1）", "The indicator table (Table 1)")
    table = ctx.parse.targets[ctx.parse.targets["source_section"] == "table"]
    shown = table[["category", "label", "unit", "base_year", "base_value", "target_year",
                   "target_text", "target_kind", "kind_source", "indicator_id", "source_line"]]
    shown = show_table(ctx, shown, "indicator_table", "表1 指标：基期值与目标值",
                       "Table 1: base and target values")
    note(ctx, "“目标类型”读自限定词：左右→约数，以上/不低于→下限，以下/以内→上限，稳定增长→定性。"
              "正文对同一目标给出限定词时（如“60%以上”），表格行采用正文的类型并注明出处。",
         "Target kinds come from the qualifiers: 左右 approx, 以上/不低于 at least, 以下/以内 at most, "
         "稳定增长 qualitative. Where the text restates a table target with a qualifier (60%以上), "
         "the table row takes it and says where it came from (kind_source).")
    return shown


def narrative_targets(ctx: ReportContext) -> pd.DataFrame:
    """Targets set in the text (not in Table 1); returns them."""
    heading(ctx, "正文中的目标", "Targets stated in the text")
    text = ctx.parse.targets[ctx.parse.targets["source_section"] == "text"].copy()
    text["where"] = text["source_doc"] + ":" + text["source_line"].astype(str)
    shown = text[["name_zh", "region", "target_year", "target_text", "target_kind", "target_measure",
                  "unit", "where", "source_quote"]]
    return show_table(ctx, shown, "narrative_targets", f"正文目标（{len(text)} 个）",
               f"Targets in the text ({len(text)})")


def statements(ctx: ReportContext) -> Section:
    """Numbers stated in the text and those derived from stated relations; returns both."""
    heading(ctx, "文中的统计数字", "Statistics stated in the text")
    obs = ctx.parse.observations.copy()
    obs["where"] = obs["source_doc"] + ":" + obs["source_line"].astype(str)
    stated = obs[~obs["is_derived"]]
    section = Section()
    section.tables["stated_numbers"] = show_table(ctx, stated[["name_zh", "region", "year", "value", "unit", "measure", "reference_year",
                            "where", "source_quote"]], "stated_numbers",
               f"原文数字（{len(stated)} 个）", f"Numbers as stated ({len(stated)})")
    derived = obs[obs["is_derived"]]
    section.tables["derived_numbers"] = show_table(ctx, derived[["name_zh", "region", "year", "value", "unit", "derivation", "where"]],
               "derived_numbers", f"由文中关系推算的数字（{len(derived)} 个）",
               f"Numbers derived from stated relations ({len(derived)})")
    return section


def unmatched(ctx: ReportContext) -> Section:
    """Labels the registry does not know, numbers left out and parser warnings."""
    heading(ctx, "未匹配与未采用", "Unmatched labels and numbers left out")
    frame = ctx.parse.unmatched
    section = Section()
    section.tables["unmatched_labels"] = show_table(ctx, frame, "unmatched_labels", f"未能匹配指标登记表的标签（{len(frame)} 个，已保留）",
               f"Labels not in the indicator registry ({len(frame)}, kept with an empty id)")
    skipped = pd.DataFrame(sorted(ctx.parse.skipped.items()), columns=["reason", "numbers"])
    section.tables["numbers_left_out"] = show_table(ctx, skipped, "numbers_left_out", "未作为统计数字采用的数字及原因",
               "Numbers in the text not taken as statistics, by reason")
    if ctx.parse.warnings:
        section.tables["parse_warnings"] = show_table(
            ctx, pd.DataFrame({"warning": ctx.parse.warnings}), "parse_warnings", "解析警告",
            "Parser warnings")
    return section


provenance = with_data_quality(provenance)  # every report shows its data quality before what made it
