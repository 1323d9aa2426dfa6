"""Chinese glyphs render on a fresh machine: any missing-glyph warning fails the test."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from dezhou_analysis.reports import charts as plotting  # noqa: E402


def test_cjk_font_is_registered_by_path():
    family = plotting.register_cjk_font()
    assert family in plotting.PREFERRED_CJK_FAMILIES
    plotting.apply_style()
    assert plt.rcParams["font.family"][:2] == [plotting.LATIN_FAMILY, family]


def test_chinese_labels_render_without_missing_glyphs(tmp_path):
    plotting.apply_style()
    history = pd.DataFrame({"year": [2015, 2016, 2017, 2019], "value": [5.9, 6.26, 5.97, 6.82],
                            "basis": ["pre-census"] * 3 + ["post-census"]})
    bands = pd.DataFrame({"year": [2020, 2021, 2022], **{f"q{q:g}": [6.9, 7.0, 7.1] for q in
                                                           (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plotting.fan_chart(history, bands, title="一般公共预算收入占GDP比重 General budget revenue",
                                 unit="%（占地区生产总值）", target=8.0, target_year=2022,
                                 target_kind="approx", tolerance=0.05, base_year=2017,
                                 source="资料来源：德州市统计局；德政发〔2018〕13号", breaks=[2019])
        written = plotting.save_figure(fig, "fan", tmp_path)
        plotting.close(fig)
    assert [p.suffix for p in written] == [".png", ".svg"]
    assert b"Date" not in (tmp_path / "fan.svg").read_bytes()[:2000]
