"""The run's index.html: the headline status of every target and links to every report.

Verdict first: the headline counts, the targets grouped by verdict, then the data that would
let the suite assess the rest. Plain HTML with inline CSS and no script, so it opens from disk on a machine without internet.
All text from data files is escaped.
"""

from __future__ import annotations

import json

import pandas as pd

from dezhou_analysis import __version__
from dezhou_analysis.reports.common import clean_text, esc, format_p, format_value
from dezhou_analysis.reports.data_needed import data_needed
from dezhou_analysis.reports.print_style import PRINT_CSS
from dezhou_analysis.reports.status_style import STATUS_COLOURS, STATUS_LABELS

TITLES = {
    "plan_extraction": ("规划文本解析", "Plan extraction"),
    "baseline": ("基期状况", "Baseline"),
    "indicator_trends": ("指标走势", "Indicator trends"),
    "target_reachability": ("目标可达性", "Target reachability"),
    "scenarios": ("增速情景", "Scenarios"),
    "industries": ("“6+6”产业", "The 6+6 industries"),
}

CSS = """
body { font-family: "DZ CJK", "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, "Noto Sans CJK SC",
       "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; color: #222; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; margin-top: 28px; }
.sub { color: #555; margin-top: 0; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #000; white-space: nowrap; }
.counts span { margin-right: 10px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th { background: #DDEBF7; text-align: left; position: sticky; top: 0; }
td, th { padding: 4px 6px; border-bottom: 1px solid #e3e3e3; vertical-align: top; overflow-wrap: anywhere; }
.wrap { overflow-x: auto; }
.reports td:first-child, .targets td:first-child { white-space: nowrap; }
.verdict h3 { margin: 18px 0 6px; font-size: 15px; }
td.num { text-align: right; }
details { margin: 10px 0; } summary { cursor: pointer; color: #0057A0; }
table.targets { table-layout: fixed; }
@media (max-width: 640px) {
  main { padding: 12px 12px 32px; }
  table.targets, table.needed, table.targets tbody, table.needed tbody, table.targets tr,
  table.needed tr, table.targets td, table.needed td { display: block; width: auto; }
  table.targets colgroup, table.targets tr:first-child, table.needed tr:first-child { display: none; }
  table.targets tr, table.needed tr { border-bottom: 1px solid #ccc; padding: 6px 0; }
  table.targets td, table.needed td { border: none; padding: 1px 0; }
  td.num { text-align: left; }
  td[data-label]::before { content: attr(data-label) ": "; color: #666; font-size: 12px; }
}
.targets th { overflow-wrap: normal; }
.failed { color: #B00020; }
footer { color: #666; font-size: 12px; margin-top: 30px; }
a { color: #0057A0; }
"""


def _chip(status: str) -> str:
    zh, en = STATUS_LABELS.get(status, (status, status))
    return f'<span class="chip" style="background:{STATUS_COLOURS.get(status, "#BBB")}">{esc(zh)} · {esc(en)}</span>'


#: the verdict groups in the order a reader wants them: what happened, then what is likely
VERDICT_GROUPS = (
    ("met", ("met", "met at base")),
    ("missed", ("missed",)),
    ("on track", ("on track",)),
    ("uncertain", ("uncertain",)),
    ("off track", ("off track",)),
)


def one_line(reason: object, limit: int = 160) -> str:
    """The first clause of a status reason, short enough for one line of a table."""
    text = clean_text(reason)
    for stop in ("; ", "；", "。"):
        head, found, _ = text.partition(stop)
        if found and len(head) >= 12:
            text = head
            break
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _target_rows(frame: pd.DataFrame) -> str:
    rows = []
    for r in frame.itertuples():
        latest = (f"{format_value(r.latest_value, r.unit)} {r.unit or ''} ({int(r.latest_year)})"
                  if pd.notna(r.latest_value) and pd.notna(r.latest_year) else "—")
        rows.append(
            f"<tr><td>{esc(r.target_id)}</td><td>{esc(r.name_zh)}<br><small>{esc(clean_text(r.name_en))}</small></td>"
            f'<td data-label="地区 Region">{esc(r.region)}</td>'
            f'<td data-label="目标 Target">{esc(r.target_year)}: {esc(r.target_text)}</td>'
            f'<td data-label="最新值 Latest">{esc(latest)}</td>'
            f'<td data-label="P(reached)">{esc(format_p(r.p_reached))}</td>'
            f'<td data-label="依据 Why"><small>{esc(one_line(r.status_reason))}</small></td></tr>')
    return "".join(rows)


TARGET_HEADER = ('<colgroup><col style="width:7%"><col style="width:27%"><col style="width:9%">'
                 '<col style="width:12%"><col style="width:13%"><col style="width:9%"><col></colgroup>'
                 "<tr><th>编号 ID</th><th>指标 Indicator</th><th>地区 Region</th><th>目标 Target</th>"
                 "<th>最新值 Latest</th><th>达标概率 P(reached)</th><th>依据 Why</th></tr>")


def verdict_sections(frame: pd.DataFrame) -> str:
    """One table per verdict, each target with its latest value, target, P(reached), reason."""
    parts = []
    for group, statuses in VERDICT_GROUPS:
        chosen = frame[frame["status"].isin(statuses)]
        if chosen.empty:
            continue
        parts.append(f'<section class="verdict"><h3>{_chip(group)} {len(chosen)}</h3>'
                     f'<div class="wrap"><table class="targets">{TARGET_HEADER}'
                     f"{_target_rows(chosen)}</table></div></section>")
    return "\n".join(parts) or "<p>没有可评估的目标 · no target can be assessed yet.</p>"


def needed_section(frame: pd.DataFrame, needed: pd.DataFrame, template: str | None) -> str:
    """The targets that cannot be assessed, collapsed into the data that would unlock them."""
    unable = frame[frame["status"] == "unable to assess"]
    if unable.empty:
        return ""
    rows = "".join(
        f"<tr><td>{esc(r.name_zh)}<br><small>{esc(clean_text(r.name_en))}</small></td>"
        f'<td data-label="单位 Unit">{esc(r.unit or "—")}</td>'
        f'<td data-label="缺少年份 Years missing">{esc(r.missing_years or "—")}</td>'
        f'<td class="num" data-label="可评估目标数 Targets unlocked">{r.n_targets}</td>'
        f'<td data-label="目标 Targets"><small>{esc(r.targets)}</small></td></tr>'
        for r in needed.itertuples())
    link = (f'<p>填报模板（仅含上列指标）· Fill-in template with exactly these indicators: '
            f'<a href="{esc(template)}">{esc(template)}</a> — 填好后放入 data/raw/yearbook 并重新运行 · '
            f"fill it in, put it under data/raw/yearbook and re-run.</p>" if template else "")
    return f"""<h2 id="data-needed">需要的数据 · Data needed</h2>
<p>{_chip("unable to assess")} {len(unable)} 个目标因数据不足无法评估。补充下列指标的数据即可评估，按可评估的目标数排序。<br>
{len(unable)} targets cannot be assessed for lack of data. Data for these indicators would unlock them,
most targets first.</p>
{link}
<div class="wrap"><table class="needed"><tr><th>指标 Indicator</th><th>单位 Unit</th><th>缺少年份 Years missing</th>
<th>可评估目标数 Targets unlocked</th><th>目标 Targets</th></tr>{rows}</table></div>
<details><summary>无法评估的 {len(unable)} 个目标 · the {len(unable)} targets</summary>
<div class="wrap"><table class="targets"><tr><th>编号 ID</th><th>指标 Indicator</th><th>地区 Region</th>
<th>目标 Target</th></tr>{"".join(
        f"<tr><td>{esc(r.target_id)}</td><td>{esc(r.name_zh)}<br><small>{esc(clean_text(r.name_en))}</small></td>"
        f"<td>{esc(r.region)}</td><td>{esc(r.target_year)}: {esc(r.target_text)}</td></tr>"
        for r in unable.itertuples())}</table></div></details>"""


def plan_titles(documents: list[dict]) -> tuple[str, str]:
    """The monitored plan's title in Chinese and English, from its sidecar."""
    plans = [d for d in documents if d.get("kind") == "plan" and d.get("title")]
    if not plans:
        return "规划目标监测", "Plan target monitor"
    return plans[0]["title"], plans[0].get("title_en") or "the plan"


def _quality_line(counts: dict | None) -> str:
    """Data quality in one line; each report's "data quality" section lists the rows."""
    if not counts:
        return ""
    return (f'<p class="quality">数据质量：未采用数据行 {counts["set_aside"]}，跳过文件 {counts["files_skipped"]}，'
            f'来源不一致 {counts["conflicts"]}，非全年数据 {counts["partial_periods"]}（各报告“数据质量”一节列出明细）。<br>'
            f'Data quality: rows set aside {counts["set_aside"]}, files skipped {counts["files_skipped"]}, '
            f'conflicts {counts["conflicts"]}, partial periods {counts["partial_periods"]} (listed in each '
            'report\'s "data quality" section).</p>')


def render_index(assessment, records: list[dict], manifest: dict, documents: list[dict],
                 template: str | None = None) -> str:
    """The index: headline counts, targets by verdict, the data needed for the rest, reports.
    `template` is the run-folder path of the fill-in template for the data needed."""
    title_zh, title_en = plan_titles(documents)
    frame = assessment.frame
    counts = frame["status"].value_counts()
    chips = " ".join(f"<span>{_chip(s)} {counts[s]}</span>" for s in STATUS_COLOURS if s in counts)
    as_of = assessment.as_of
    scope = f"数据截至 {as_of} 年 · data up to {as_of}" if as_of else "使用全部数据 · all data used"
    brier = assessment.brier_score()
    brier_line = (f"<p>P(reached) 对照实际结果的 Brier 分数 · Brier score of P(reached) against "
                  f"realised values: {brier:.3f}</p>" if brier is not None else "")
    params = json.dumps(manifest["parameters"], ensure_ascii=False, sort_keys=True)
    quality = _quality_line(manifest.get("data_quality"))
    return f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title_zh)}目标监测 · Monitoring {esc(title_en)}</title>
<style>{CSS}{PRINT_CSS}</style></head>
<body><main>
<h1>{esc(title_zh)}目标监测</h1>
<p class="sub">Monitoring the targets of {esc(title_en)} ·
{esc(scope)} · run {esc(manifest['run'])}</p>
<h2>总体状况 · Headline</h2>
<p class="counts">{chips}</p>
<p>共 {len(frame)} 个目标，按结论分组列在下面；无法评估的目标归入“<a href="#data-needed">需要的数据</a>”。<br>
{len(frame)} targets, grouped by verdict below; those that cannot be assessed are summed up under
“<a href="#data-needed">data needed</a>”.</p>
{brier_line}
{quality}
<h2>按结论 · By verdict</h2>
{verdict_sections(frame)}
{needed_section(frame, data_needed(assessment), template)}
<nav class="reports-nav"><h2>报告 · Reports</h2>
<div class="wrap"><table class="reports"><tr><th>报告 Report</th><th>其他格式 Other formats</th><th>状态 Status</th><th>用时 Time</th></tr>
{_report_rows(records)}</table></div></nav>
<h2>数据与记录 · Data and record</h2>
<p><a href="tables/data/assessment.csv">assessment.csv</a> · <a href="tables/data/assessment.xlsx">assessment.xlsx</a> ·
<a href="tables/data/observations.csv">observations.csv</a> ·
<a href="tables/data/conflicts.csv">conflicts.csv</a> · <a href="tables/data/exclusions.csv">exclusions.csv</a> ·
<a href="tables/data/plan_targets.csv">plan_targets.csv</a> ·
<a href="manifest.json">manifest.json</a> (parameters, input md5s, versions, timings, output hashes)</p>
<footer>dezhou-analysis {esc(__version__)} · parameters: <code>{esc(params)}</code></footer>
</main></body></html>
"""


def _report_rows(records: list[dict]) -> str:
    rows = []
    for record in records:
        name = record["notebook"]
        zh, en = TITLES.get(name, (name, name))
        if record["status"] == "ok":
            state = "完成 ok"
        else:
            err = record.get("error") or {}
            state = (f'<span class="failed">失败 failed — cell {esc(err.get("cell"))}: '
                     f'{esc(err.get("ename"))}: {esc(err.get("evalue"))}</span>')
        seconds = record.get("seconds")
        rows.append(
            f'<tr><td><a href="reports/{esc(name)}.html">{esc(zh)} · {esc(en)}</a></td>'
            f'<td><a href="full/{esc(name)}.html">含代码 with code</a> · '
            f'<a href="notebooks/{esc(name)}.ipynb">.ipynb</a></td>'
            f"<td>{state}</td><td>{esc(f'{seconds:.1f} s' if seconds is not None else '—')}</td></tr>")
    return "".join(rows)
