"""The run's index.html: the headline status of every target and links to every report.

Plain HTML with inline CSS and no script, so it opens from disk on a machine without internet.
All text from data files is escaped.
"""

from __future__ import annotations

import json

import pandas as pd

from dezhou_analysis import __version__
from dezhou_analysis.reports.charts import STATUS_COLOURS, STATUS_LABELS
from dezhou_analysis.reports.common import esc

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
.reports td:first-child, .targets td:first-child, .targets td:nth-child(3) { white-space: nowrap; }
.targets th { overflow-wrap: normal; }
.failed { color: #B00020; }
footer { color: #666; font-size: 12px; margin-top: 30px; }
a { color: #0057A0; }
"""


def _chip(status: str) -> str:
    zh, en = STATUS_LABELS.get(status, (status, status))
    return f'<span class="chip" style="background:{STATUS_COLOURS.get(status, "#BBB")}">{esc(zh)} · {esc(en)}</span>'


def _num(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{value:.{digits}g}"


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


def render_index(assessment, records: list[dict], manifest: dict, documents: list[dict]) -> str:
    title_zh, title_en = plan_titles(documents)
    frame = assessment.frame
    counts = frame["status"].value_counts()
    chips = " ".join(f"<span>{_chip(s)} {counts[s]}</span>" for s in STATUS_COLOURS if s in counts)
    rows = []
    for r in frame.itertuples():
        latest = f"{_num(r.latest_value)} ({int(r.latest_year)})" if pd.notna(r.latest_value) else "—"
        p = f"{r.p_reached:.2f}" if pd.notna(r.p_reached) else "—"
        rows.append(
            f"<tr><td>{esc(r.target_id)}</td><td>{esc(r.name_zh)}<br><small>{esc(r.name_en)}</small></td>"
            f"<td>{esc(r.region)}</td><td>{esc(r.target_year)}: {esc(r.target_text)}</td><td>{esc(latest)}</td>"
            f"<td>{esc(p)}</td><td>{_chip(r.status)}</td><td><small>{esc(r.status_reason)}</small></td></tr>")
    report_rows = []
    for record in records:
        name = record["notebook"]
        zh, en = TITLES.get(name, (name, name))
        if record["status"] == "ok":
            state = "完成 ok"
        else:
            err = record.get("error") or {}
            state = (f'<span class="failed">失败 failed — cell {esc(err.get("cell"))}: '
                     f'{esc(err.get("ename"))}: {esc(err.get("evalue"))}</span>')
        report_rows.append(
            f'<tr><td><a href="reports/{esc(name)}.html">{esc(zh)} · {esc(en)}</a></td>'
            f'<td><a href="full/{esc(name)}.html">含代码 with code</a> · '
            f'<a href="notebooks/{esc(name)}.ipynb">.ipynb</a></td>'
            f"<td>{state}</td><td>{esc(record.get('seconds'))} s</td></tr>")
    as_of = assessment.as_of
    scope = f"数据截至 {as_of} 年 · data up to {as_of}" if as_of else "使用全部数据 · all data used"
    brier = assessment.brier_score()
    brier_line = (f"<p>Brier score of P(reached) against realised values: {brier:.3f}</p>"
                  if brier is not None else "")
    params = json.dumps(manifest["parameters"], ensure_ascii=False, sort_keys=True)
    quality = _quality_line(manifest.get("data_quality"))
    return f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title_zh)}目标监测 · Monitoring {esc(title_en)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>{esc(title_zh)}目标监测</h1>
<p class="sub">Monitoring the targets of {esc(title_en)} ·
{esc(scope)} · run {esc(manifest['run'])}</p>
<h2>总体状况 · Headline</h2>
<p class="counts">{chips}</p>
<p>共 {len(frame)} 个目标。“无法评估”表示现有数据不足，原因见右栏；在 data/raw/yearbook 补充统计数据后重新运行即可更新。<br>
{len(frame)} targets. “Unable to assess” means the data are too few; the reason is given on the right.
Add yearbook data under data/raw/yearbook and re-run to update.</p>
{brier_line}
{quality}
<h2>报告 · Reports</h2>
<div class="wrap"><table class="reports"><tr><th>报告 Report</th><th>其他格式 Other formats</th><th>状态 Status</th><th>用时 Time</th></tr>
{''.join(report_rows)}</table></div>
<h2>全部目标 · Every target</h2>
<div class="wrap"><table class="targets"><tr><th>ID</th><th>指标 Indicator</th><th>地区 Region</th><th>目标 Target</th>
<th>最新值 Latest</th><th>P(reached)</th><th>状态 Status</th><th>依据 Why</th></tr>
{''.join(rows)}</table></div>
<h2>数据与记录 · Data and record</h2>
<p><a href="tables/data/assessment.csv">assessment.csv</a> · <a href="tables/data/assessment.xlsx">assessment.xlsx</a> ·
<a href="tables/data/observations.csv">observations.csv</a> ·
<a href="tables/data/conflicts.csv">conflicts.csv</a> · <a href="tables/data/exclusions.csv">exclusions.csv</a> · <a href="tables/data/plan_targets.csv">plan_targets.csv</a> ·
<a href="manifest.json">manifest.json</a> (parameters, input md5s, versions, timings, output hashes)</p>
<footer>dezhou-analysis {esc(__version__)} · parameters: <code>{esc(params)}</code></footer>
</main></body></html>
"""
