"""Sliders that work in the exported HTML: no kernel, no CDN, a few lines of inline script.

For each ratio target the scenarios report computes the grid of target-year ratios over pairs
of numerator and GDP growth rates. The grid, rounded for display, is written into the page as
JSON; two range inputs pick a pair and the script looks its ratio and verdict up. Nothing is
computed in the browser, so the page shows exactly the values of the static heatmap.
"""

from __future__ import annotations

import json

from dezhou_analysis.assess.scenarios import ratio_grid
from dezhou_analysis.reports.common import ReportContext, esc, show_html

SCRIPT = """<script>
(function () {
  var box = document.getElementById("%(id)s"), data = JSON.parse(box.getAttribute("data-grid"));
  var num = box.querySelector(".dz-num"), gdp = box.querySelector(".dz-gdp");
  function show() {
    var i = +num.value, j = +gdp.value, cell = data.ratio[i][j];
    box.querySelector(".dz-num-value").textContent = data.num[i].toFixed(1) + "%%";
    box.querySelector(".dz-gdp-value").textContent = data.gdp[j].toFixed(1) + "%%";
    box.querySelector(".dz-ratio").textContent = cell.toFixed(2) + "%%";
    box.querySelector(".dz-verdict").textContent = data.clears[i][j] ? data.yes : data.no;
  }
  num.addEventListener("input", show); gdp.addEventListener("input", show); show();
})();
</script>"""


def slider_payload(ctx: ReportContext, grid) -> dict:
    """The grid as the script reads it: rates, ratios to two decimals, verdicts, labels."""
    ratio = grid.pivot(index="numerator_growth", columns="denominator_growth", values="ratio")
    clears = grid.pivot(index="numerator_growth", columns="denominator_growth", values="clears")
    return {"num": [float(n) for n in ratio.index], "gdp": [float(g) for g in ratio.columns],
            "ratio": [[round(float(v), 2) for v in row] for row in ratio.to_numpy()],
            "clears": [[bool(v) for v in row] for row in clears.to_numpy()], "yes": ctx.t("达到目标", "clears the target"),
            "no": ctx.t("未达到目标", "misses the target")}


def _start(values: list[float], preferred: float) -> int:
    return min(range(len(values)), key=lambda k: abs(values[k] - preferred))


def slider_html(ctx: ReportContext, indicator_id: str, base, target: dict, grid) -> str:
    """Two range inputs, the resulting ratio and verdict, and the script that joins them."""
    data = slider_payload(ctx, grid)
    box = f"dz-slider-{indicator_id}"
    numerator = ctx.name(ctx.registry.get(indicator_id).numerator)
    year = int(target["target_year"])
    return f"""<div class="dz-sliders" id="{esc(box)}" data-grid="{esc(json.dumps(data, ensure_ascii=False))}">
<p><b>{esc(ctx.name(indicator_id))}</b> — {esc(ctx.t("目标", "target"))} {esc(target["target_text"])}
({esc(ctx.t(f"起点 {base.year} 年", f"from {base.year}"))}, {base.ratio:.2f}%)</p>
<label>{esc(numerator)} {esc(ctx.t("年均增速", "growth, % a year"))}: <output class="dz-num-value"></output>
<input type="range" class="dz-num" min="0" max="{len(data["num"]) - 1}" step="1"
 value="{_start(data["num"], 6.0)}" aria-label="{esc(numerator)} growth"></label>
<label>GDP {esc(ctx.t("年均增速", "growth, % a year"))}: <output class="dz-gdp-value"></output>
<input type="range" class="dz-gdp" min="0" max="{len(data["gdp"]) - 1}" step="1"
 value="{_start(data["gdp"], 5.0)}" aria-label="GDP growth"></label>
<p>{esc(ctx.t(f"{year}年比重", f"Ratio in {year}"))}: <output class="dz-ratio"></output> —
<output class="dz-verdict"></output></p>
</div>
{SCRIPT % {"id": box}}"""


def offline_sliders(ctx: ReportContext) -> list[str]:
    """Show the offline sliders for every ratio target the report computed a grid for; returns
    the indicator ids shown."""
    shown = []
    for indicator_id, (base, target) in (ctx.state.get("bases") or {}).items():
        grid = ratio_grid(base, target["target_value"], int(target["target_year"]),
                          target["target_kind"], target["direction"] or "increase",
                          ctx.params["tolerance"])
        show_html(slider_html(ctx, indicator_id, base, target, grid))
        shown.append(indicator_id)
    return shown
