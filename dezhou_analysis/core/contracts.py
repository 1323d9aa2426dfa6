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
        ("note", "string", "note carried from the source row"),
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
    ],
    "exclusions": [
        ("source", "string", "yearbook:<file>"),
        ("source_detail", "string", "file, sheet and row"),
        ("indicator", "string", "label as written"),
        ("year", "string", "period as written"),
        ("value", "string", "value as written"),
        ("reason", "string", "why the row is not in the annual panel"),
    ],
}


def empty_frame(table: str) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=_pandas_dtype(kind)) for name, kind, _ in TABLES[table]})


def _pandas_dtype(kind: str) -> str:
    return {"string": "object", "int": "Int64", "Int64": "Int64", "float": "float64",
            "bool": "bool"}[kind]


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Exactly the contract's columns, in order, with the contract's types."""
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
    rows = []
    for table in tables or list(TABLES):
        for name, kind, description in TABLES[table]:
            rows.append({"table": f"{table}.csv", "column": name, "type": kind,
                         "description": description})
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
