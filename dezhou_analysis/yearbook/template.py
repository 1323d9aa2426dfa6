"""Fill-in templates for yearbook data: every registry indicator, its names and unit, year columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dezhou_analysis.core.files import atomic_path
from dezhou_analysis.core.indicators import Registry, default_registry

ID_COLUMN, ZH_COLUMN, EN_COLUMN = "indicator_id", "指标", "indicator_en"
UNIT_COLUMN, REGION_COLUMN, NOTE_COLUMN = "单位", "地区", "备注"


def template_frame(registry: Registry | None = None, years: range | None = None,
                   region: str = "", indicators: list[str] | None = None) -> pd.DataFrame:
    """Every registry indicator entered directly, or only `indicators` (in their order)."""
    registry = registry or default_registry()
    years = years or range(2013, dt.date.today().year)
    rows = []
    chosen = ([registry.get(i) for i in indicators if i in registry] if indicators is not None
              else sorted(registry, key=lambda i: (i.category, i.id)))
    for ind in chosen:
        if ind.kind == "structure":
            continue  # entered through its parts
        row = {ID_COLUMN: ind.id, ZH_COLUMN: ind.name_zh, EN_COLUMN: ind.name_en,
               UNIT_COLUMN: ind.unit, REGION_COLUMN: region, NOTE_COLUMN: ""}
        row.update({str(year): None for year in years})
        rows.append(row)
    return pd.DataFrame(rows)


def write_template(path: str | Path, fmt: str, registry: Registry | None = None,
                   years: range | None = None, region: str = "",
                   indicators: list[str] | None = None) -> Path:
    frame = template_frame(registry, years, region, indicators)
    path = Path(path)
    if fmt == "csv":
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        return path
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}; expected xlsx or csv")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append(list(record))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "G2"
    for column, width in zip("ABCDEF", (28, 34, 48, 10, 10, 24), strict=True):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet("说明 README")
    for line in (
        "填写说明 How to fill in",
        "每行一个指标，每列一个年份；只填数字（百分比可写 6.8 或 6.8%）。",
        "One row per indicator, one column per year; numbers only (6.8 or 6.8% for shares).",
        "单位列给出登记表的单位；如数据单位不同（如万元），请改写单位列，程序会换算。",
        "The unit column holds the registry unit; change it if your figures use another (e.g. 万元).",
        "备注可写口径，如“普查后 post-census”；地区为空时使用文件旁 .meta.yml 的 region。",
        "Notes may give the basis (post-census); an empty region uses the sidecar's region.",
        "部分年度数据（如 2022年1-9月）请另起一行在长表中填写，勿填入年度列。",
        "Partial-year figures (2022Q1-3) belong in a long-layout file, not in a year column.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path
