"""Column contracts of every published table (see DESIGN.md), and the data dictionary built from them.

A table is always written with exactly these columns in this order, so files compare byte for
byte across runs and a reader can rely on the dictionary.
"""

from __future__ import annotations

import pandas as pd

Column = tuple[str, str, str]  # name, type, description

PROVENANCE: list[Column] = [
    ("source_doc", "string", "file name of the source document under data/raw/documents/"),
    ("source_line", "int", "1-based line of the raw document where the number stands"),
    ("source_quote", "string", "verbatim text from that raw line (search for it to find the sentence)"),
]

TABLES: dict[str, list[Column]] = {
    "plan_targets": [
        ("indicator_id", "string", "registry id; empty when the label matches no registry entry"),
        ("name_zh", "string", "registry name in Chinese (the label as written when unmatched)"),
        ("name_en", "string", "registry name in English"),
        ("category", "string", "category from the table (质量效益类…) or the registry"),
        ("unit", "string", "unit of base_value and target_value as written in the source"),
        ("base_year", "Int64", "base year (from the table header, else the plan's base year)"),
        ("base_value", "float", "value in the base year stated by the plan, if any"),
        ("target_year", "Int64", "year the target is due"),
        ("target_value", "float", "target value (lower end of a range)"),
        ("target_high", "float", "upper end of a range such as 1—2个, else empty"),
        ("target_kind", "string", "point | approx | at_least | at_most | qualitative"),
        ("target_measure", "string", "what the target constrains: level | share | count | growth_avg | multiple (翻一番: times the base year's value)"),
        ("target_text", "string", "the target as written (e.g. 8 左右, 60%以上, 稳定增长)"),
        ("direction", "string", "increase | decrease: which way is progress"),
        ("every_year", "bool", "true when the target must hold each year (每年保持在…以上)"),
        ("cumulative", "bool", "true when the plan counts the indicator cumulatively (累计)"),
        ("attribute", "string", "预期性 (expected) | 约束性 (binding), from a table's 属性 column; "
                                "binding targets are the ones a mid-term review warns on"),
        ("region", "string", "region the target is for"),
        ("label", "string", "the label as written in the source"),
        ("source_section", "string", "table | text"),
        *PROVENANCE,
        ("kind_source", "string", "where target_kind comes from when the text refines the table"),
    ],
    "plan_observations": [
        ("indicator_id", "string", "registry id; empty when the label matches no registry entry"),
        ("name_zh", "string", "registry name in Chinese (the label as written when unmatched)"),
        ("label", "string", "the label as written in the source"),
        ("region", "string", "the document's home region (德州市) unless the text names 全省, 全国, another city or a district"),
        ("year", "Int64", "year the value refers to"),
        ("value", "float", "the number (signed for changes)"),
        ("unit", "string", "unit as written"),
        ("measure", "string", "level | share | count | growth_yoy | growth_avg | pp_change | "
                              "multiple | abs_change | ratio_part"),
        ("value_qualifier", "string", "point | approx | at_least | at_most (近, 多, 余, 以上…)"),
        ("reference_year", "Int64", "the year a change, multiple or average growth is measured from"),
        ("reference_region", "string", "the region a comparison is made with"),
        ("is_derived", "bool", "true when computed from a stated relation rather than stated"),
        ("derivation", "string", "how a derived value was computed, or which part of a series it is"),
        ("year_source", "string", "stated | paragraph | document: how the year was determined"),
        ("source_section", "string", "table | text"),
        *PROVENANCE,
    ],
    "plan_unmatched": [
        ("kind", "string", "target | observation: what the number would have been"),
        ("label", "string", "the words before the number, which name no indicator"),
        ("value", "float", "the number as written (signed for a decrease)"),
        ("unit", "string", "unit as written"),
        ("year", "Int64", "the year the number would have had"),
        ("region", "string", "the region the number would have had"),
        ("reason", "string", "why the number is not in plan_targets or plan_observations"),
        *PROVENANCE,
    ],
    "observations": [
        ("indicator_id", "string", "registry id"),
        ("region", "string", "region"),
        ("year", "Int64", "year the value belongs to (the end year of a span)"),
        ("period", "string", "period as read: 2019, 2018H1, 2022Q1-3, 2017-2021"),
        ("period_kind", "string", "annual | partial | span; only annual values are fitted"),
        ("value", "float", "value in the registry unit"),
        ("unit", "string", "registry unit"),
        ("measure", "string", "level | share | count | growth_yoy | growth_avg | …"),
        ("basis", "string", "statistical basis, e.g. pre-census / post-census"),
        ("source", "string", "plan | yearbook:<file>"),
        ("source_detail", "string", "file:line of the plan sentence, or file, sheet and row"),
        ("note", "string", "note carried from the source row (and what a unit relation or a "
                           "figure's status says of the value)"),
        ("origin", "string", "where the yearbook row says the figure comes from (its source/来源 "
                             "column), empty for the plan"),
    ],
    "conflicts": [
        ("indicator_id", "string", "registry id"),
        ("region", "string", "region"),
        ("year", "Int64", "year"),
        ("measure", "string", "measure"),
        ("unit", "string", "registry unit"),
        ("kept_value", "float", "the value the panel keeps (yearbook over plan)"),
        ("kept_source", "string", "its source"),
        ("other_value", "float", "the disagreeing value"),
        ("other_source", "string", "its source"),
        ("difference", "float", "kept_value − other_value"),
        ("rule", "string", "why the kept value is kept (see README: which value the panel keeps)"),
    ],
    "exclusions": [
        ("source", "string", "yearbook:<file>"),
        ("source_detail", "string", "file, sheet and row"),
        ("file", "string", "file name"),
        ("sheet", "string", "sheet name (workbooks)"),
        ("row", "Int64", "row of the file (1-based, as a spreadsheet numbers it)"),
        ("column", "string", "column the reason is about, as written in the header"),
        ("indicator", "string", "label as written"),
        ("year", "string", "period as written"),
        ("value", "string", "value as written"),
        ("kind", "string", "set aside | file skipped (problems `validate` lists) | no value | "
                           "duplicate | superseded"),
        ("reason", "string", "why the row is not in the annual panel"),
        ("nearest", "string", "for an unknown label: the nearest known indicator names"),
        ("suggestion", "string", "what would bring the row in (e.g. the line to add to "
                                 "data/raw/yearbook/indicators.local.csv)"),
    ],
    "assessment": [
        ("target_id", "string", "T001…: one per distinct target, home region and table rows first"),
        ("indicator_id", "string", "registry id"),
        ("name_zh", "string", "indicator name in Chinese"),
        ("name_en", "string", "indicator name in English"),
        ("region", "string", "region the target is for"),
        ("unit", "string", "unit of the target, the values and the forecasts"),
        ("base_year", "Int64", "the plan's base year"),
        ("base_value", "float", "value in the base year (stated by the plan, else observed)"),
        ("target_year", "Int64", "year the target is due"),
        ("target_value", "float", "target value (lower end of a range)"),
        ("target_high", "float", "upper end of a range, else empty"),
        ("target_kind", "string", "point | approx | at_least | at_most | qualitative"),
        ("target_measure", "string", "level | share | count | growth_avg | …"),
        ("direction", "string", "increase | decrease: which way is progress"),
        ("every_year", "bool", "true when the target must hold each year"),
        ("target_text", "string", "the target as written"),
        ("source_section", "string", "table | text"),
        ("source_doc", "string", "document the target was read from"),
        ("source_line", "Int64", "line of that document"),
        ("also_stated", "string", "other places stating the same target (doc:line)"),
        ("as_of", "Int64", "last year of data used (empty: all data)"),
        ("n_points", "Int64", "annual values on one statistical basis used"),
        ("first_year", "Int64", "first year of those values"),
        ("latest_year", "Int64", "latest year with a value, at most the target year"),
        ("latest_value", "float", "that value"),
        ("years_left", "Int64", "target year − latest year"),
        ("rate_unit", "string", "how rates are expressed (% per year, points per year)"),
        ("required_rate", "float", "yearly change needed from the latest value to the target"),
        ("observed_rate_5y", "float", "yearly change over the last five years"),
        ("observed_rate_all", "float", "yearly change over all values"),
        ("observed_rate_plan", "float", "yearly change since the plan's base year"),
        ("break_note", "string", "statistical break inside the series and how it was handled"),
        ("eurostat_category", "string", "Eurostat SDG monitoring category"),
        ("eurostat_value", "float", "the ratio the Eurostat category is read from"),
        ("eurostat_note", "string", "how the Eurostat category was reached"),
        ("unsd_category", "string", "UN Statistics Division progress category"),
        ("unsd_value", "float", "the ratio the UNSD category is read from"),
        ("unsd_note", "string", "how the UNSD category was reached"),
        ("destatis_category", "string", "German sustainability indicators' weather symbol"),
        ("destatis_value", "float", "the deviation the Destatis category is read from"),
        ("destatis_note", "string", "how the Destatis category was reached"),
        ("midterm_category", "string", "Chinese mid-term rule 时间过半、任务过半"),
        ("midterm_value", "float", "share of the task done"),
        ("midterm_note", "string", "how the mid-term category was reached"),
        ("elapsed_share", "float", "share of the plan period elapsed at the latest year"),
        ("forecast_median", "float", "median forecast for the target year"),
        ("forecast_low80", "float", "lower end of the 80 % interval"),
        ("forecast_high80", "float", "upper end of the 80 % interval"),
        ("forecast_low95", "float", "lower end of the 95 % interval"),
        ("forecast_high95", "float", "upper end of the 95 % interval"),
        ("p_reached", "float", "P(target reached) from the simulated paths, or from observed values"),
        ("models", "string", "models in the forecast combination"),
        ("models_skipped", "string", "models left out and why"),
        ("realised_year", "Int64", "the target year when the data reach it"),
        ("realised_value", "float", "the value in the target year"),
        ("verdict", "string", "met | missed, where the data reach the target year"),
        ("brier", "float", "Brier score of the earlier call against the verdict"),
        ("called_eurostat", "string", "was the Eurostat category's call right"),
        ("called_unsd", "string", "was the UNSD category's call right"),
        ("called_destatis", "string", "was the Destatis category's call right"),
        ("called_midterm", "string", "was the mid-term category's call right"),
        ("status", "string", "met | missed | on track | uncertain | off track | met at base | unable to assess"),
        ("status_reason", "string", "one line saying why"),
    ],
}

#: the columns that identify one row of each table (checked unique when a table is written)
KEYS: dict[str, tuple[str, ...]] = {
    "plan_targets": ("source_doc", "source_line", "label", "target_year", "target_value",
                     "target_kind", "target_measure", "region"),
    "plan_observations": ("source_doc", "source_line", "label", "region", "year", "value",
                          "measure", "is_derived"),
    "plan_unmatched": ("source_doc", "source_line", "label", "value", "kind"),
    "observations": ("indicator_id", "region", "period", "measure", "basis"),
    "conflicts": ("indicator_id", "region", "year", "measure", "kept_source", "other_source",
                  "other_value"),
    "exclusions": ("source", "source_detail", "indicator", "year"),
    "assessment": ("target_id",),
}


class ContractError(ValueError):
    """A frame does not fit its table's contract: a defect in the code that built it."""


def columns(table: str) -> list[str]:
    return [name for name, _, _ in TABLES[table]]


def empty_frame(table: str) -> pd.DataFrame:
    """A table with no rows and the contract's columns and types."""
    return pd.DataFrame({name: pd.Series(dtype=_pandas_dtype(kind)) for name, kind, _ in TABLES[table]})


def _pandas_dtype(kind: str) -> str:
    return {"string": "object", "int": "Int64", "Int64": "Int64", "float": "float64",
            "bool": "bool"}[kind]


def conform(frame: pd.DataFrame, table: str, working: tuple[str, ...] = ()) -> pd.DataFrame:
    """Exactly the contract's columns, in order, with the contract's types.

    working: the builder's own helper columns, dropped here, as is any column whose name starts
    with "_"; any other column the contract does not list is an error, so a new field cannot
    vanish from a published table unnoticed."""
    unknown = [c for c in frame.columns
               if c not in columns(table) and c not in working and not str(c).startswith("_")]
    if unknown:
        raise ContractError(f"{table}: columns {unknown} are not in its contract "
                            "(core/contracts.py); add them there or name them as working columns")
    out = pd.DataFrame(index=frame.index)
    for name, kind, _ in TABLES[table]:
        series = frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        if kind in ("int", "Int64"):
            series = pd.to_numeric(series, errors="coerce").round().astype("Int64")
        elif kind == "float":
            series = pd.to_numeric(series, errors="coerce").astype("float64")
        elif kind == "bool":
            series = series.fillna(False).astype(bool)
        else:
            series = series.astype("object").where(series.notna(), "")
            series = series.map(lambda v: "" if v is None else str(v))
        out[name] = series
    return out.reset_index(drop=True)


def data_dictionary(tables: list[str] | None = None) -> pd.DataFrame:
    """One row per column of every published table, with its type, key flag and meaning."""
    rows = []
    for table in tables or list(TABLES):
        for name, kind, description in TABLES[table]:
            rows.append({"table": f"{table}.csv", "column": name, "type": kind,
                         "key": name in KEYS[table], "description": description})
    return pd.DataFrame(rows)


def read_table(path, table: str) -> pd.DataFrame:
    """Read a published CSV back with the contract's types ("" stays "", True/False are bools)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for name, kind, _ in TABLES[table]:
        if name not in frame.columns:
            continue
        if kind == "bool":
            frame[name] = frame[name].str.lower().map({"true": True, "false": False, "": False})
        elif kind in ("int", "Int64", "float"):
            frame[name] = frame[name].replace("", None)
    return conform(frame, table)
