"""The whole suite from the command line: reports, index, manifest, failures, parameters,
determinism and escaping. These tests run real notebooks through papermill and nbconvert."""

import json
import re

import nbformat
import pandas as pd
import pytest

from dezhou_analysis.cli import main
from dezhou_analysis.run.export import remote_references
from dezhou_analysis.run.runner import NOTEBOOK_ORDER
from tests.conftest import ROOT, copy_project, insert_cell

pytestmark = pytest.mark.slow


def test_full_run_produces_every_report_without_errors(suite_run):
    code, out = suite_run
    assert code == 0
    assert (out / "index.html").is_file() and (out / "manifest.json").is_file()
    for name in NOTEBOOK_ORDER:
        report = (out / "reports" / f"{name}.html").read_text(encoding="utf-8")
        full = (out / "full" / f"{name}.html").read_text(encoding="utf-8")
        assert re.search(r"[\u4e00-\u9fff]{4}", report), f"{name}: no Chinese text"
        assert "<img" in report and "data:image/png;base64," in report, f"{name}: no figure"
        code_text = "from dezhou_analysis.reports import"
        assert code_text not in re.sub(r"<[^>]+>", "", report)
        assert code_text in re.sub(r"<[^>]+>", "", full), "the full version shows the code"
        assert remote_references(report) == []
        # only the scenarios page carries a script: its offline sliders, inline
        scripts = re.findall(r"<script\b[^>]*>", report)
        assert scripts == ([] if name != "scenarios" else ["<script>"] * len(scripts)), name
        nb = nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output.output_type != "error", (name, output)
                assert not (output.output_type == "stream" and output.name == "stderr"), (name, output.text)


def test_index_lists_every_target_with_its_status(suite_run):
    _, out = suite_run
    index = (out / "index.html").read_text(encoding="utf-8")
    import pandas as pd
    assessment = pd.read_csv(out / "tables" / "data" / "assessment.csv")
    for target_id in assessment["target_id"]:
        assert f"<td>{target_id}</td>" in index
    for name in NOTEBOOK_ORDER:
        assert f'href="reports/{name}.html"' in index
    assert remote_references(index) == [] and "<script" not in index


def test_manifest_records_what_made_the_run(suite_run):
    _, out = suite_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["failures"] == []
    assert {r["notebook"] for r in manifest["notebooks"]} == set(NOTEBOOK_ORDER)
    assert all(r["seconds"] > 0 for r in manifest["notebooks"])
    assert "data/raw/yearbook/yearbook_sample_2013_2019.csv" in manifest["inputs_md5"]
    assert manifest["packages"]["papermill"] and manifest["parameters"]["runner"]["cell_timeout"] == 600
    hashed = manifest["outputs"]
    assert any(k.endswith(".png") for k in hashed) and any(k.endswith(".svg") for k in hashed)
    assert any(k.endswith(".xlsx") for k in hashed) and any(k.endswith(".csv") for k in hashed)
    for relative, digest in hashed.items():
        from dezhou_analysis.core.files import sha256_file
        assert sha256_file(out / relative) == digest


def test_each_report_ends_with_what_made_it(suite_run):
    _, out = suite_run
    for name in NOTEBOOK_ORDER:
        report = (out / "reports" / f"{name}.html").read_text(encoding="utf-8")
        tail = report[report.rfind("What made this report"):]
        assert "yearbook_sample_2013_2019.csv" in tail and "dezhou-analysis" in tail
        assert re.search(r"[0-9a-f]{32}", tail), "input md5s"


def test_two_runs_give_identical_tables_and_figures(suite_run, tmp_path):
    _, first = suite_run
    second = tmp_path / "second"
    assert main(["--project", str(ROOT), "run", "--jobs", "2", "--out", str(second)]) == 0
    a = json.loads((first / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    b = json.loads((second / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert a == b and len(a) > 50
    latest = ROOT / "outputs" / "latest"
    assert not latest.is_symlink() or latest.exists(), \
        "a run written elsewhere does not repoint outputs/latest (the link would dangle)"


def test_a_failing_notebook_is_named_and_the_others_still_report(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    insert_cell(project, "baseline", "report.no_such_section(ctx)", at=5)
    out = tmp_path / "run"
    code = main(["--project", str(project), "run", "--jobs", "2", "--out", str(out),
                 "--only", "plan_extraction", "baseline"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "FAILED baseline: cell 5 (AttributeError" in printed
    assert (out / "reports" / "plan_extraction.html").is_file()
    assert (out / "reports" / "baseline.html").is_file(), "the partial report is kept"
    partial = nbformat.read(out / "notebooks" / "baseline.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in partial.cells for o in c.get("outputs", []))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["failures"][0]["notebook"] == "baseline"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failed — cell 5: AttributeError" in index


def test_parameters_are_checked_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["--project", str(ROOT), "run", "-p", "as_off=2019", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "as_off: no notebook declares this parameter" in err and "as_of" in err
    assert main(["--project", str(ROOT), "run", "-p", "target_reachability.n_path=5", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "target_reachability.n_path: unknown parameter of target_reachability" in err
    assert "n_paths" in err and "tolerance" in err
    assert main(["--project", str(ROOT), "run", "-p", "n_paths=many", "-p", "language=fr",
                 "-p", "as_of=1800", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "n_paths='many': expected int" in err and "language='fr'" in err and "as_of=1800" in err
    assert not out.exists()


def test_data_text_shows_literally_in_reports(hostile_run):
    code, out = hostile_run
    assert code == 0
    for name in ("plan_extraction", "indicator_trends"):
        html = (out / "reports" / f"{name}.html").read_text(encoding="utf-8")
        assert "<script" not in html and "<img src=x" not in html and "<b onmouseover" not in html
        assert not re.search(r"<[^>]+\son\w+\s*=", html), "no event-handler attribute"
    trends = (out / "reports" / "indicator_trends.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;" in trends
    extraction = (out / "reports" / "plan_extraction.html").read_text(encoding="utf-8")
    assert "&lt;b onmouseover=alert(3)&gt;" in extraction


def test_no_report_contains_a_missing_glyph_warning(suite_run):
    _, out = suite_run
    for page in [out / "index.html", *sorted((out / "reports").glob("*.html"))]:
        text = page.read_text(encoding="utf-8")
        assert "missing from font" not in text and "Glyph" not in text, page.name


def test_industry_counts_in_the_report_add_up(suite_run):
    _, out = suite_run
    report = (out / "reports" / "industries.html").read_text(encoding="utf-8")
    found = re.search(r"规划为 (\d+) 个产业（传统产业 (\d+) 个、新兴产业 (\d+) 个）设定了 (\d+) 个2022年目标", report)
    assert found, "the industries paragraph states its counts"
    industries, traditional, emerging, _ = map(int, found.groups())
    assert (industries, traditional, emerging) == (12, 6, 6)


def _bulletin_2018_2022(path):
    """A yearbook sheet reaching the target year, kept the way statistics bureaus print it."""
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["德州市国民经济主要指标（2018—2022）"])
    sheet.append(["指标", "单位", "2018年", "2019年", "2020年", "2021年", "2022年(快报)", "比上年增长(%)"])
    sheet.append(["地区生产总值", "亿元", 3380.3, 3022.27, 3078.99, 3488.77, 3633.6, 4.5])
    sheet.append(["一般公共预算收入（万元）", "", 2047000, 2121000, 2146000, 2377000, 2362000, -0.6])
    sheet.append(["研究与试验发展(R&D)经费支出", "亿元", 55.2, 66.75, 70.1, 80.2, 86.0, None])
    sheet.append(["高新技术企业数", "家", 280, 380, 521, 703, 905, None])
    sheet.append(["注：2019年起地区生产总值为第四次全国经济普查后数据。"])
    workbook.save(path)


def test_data_reaching_the_target_year_give_verdicts_in_every_report(tmp_path):
    from dezhou_analysis.cli import main
    project = copy_project(tmp_path / "project")
    _bulletin_2018_2022(project / "data" / "raw" / "yearbook" / "统计公报2018_2022.xlsx")
    out = project / "outputs" / "expost"
    code = main(["--project", str(project), "run", "--out", str(out),
                 "--only", "scenarios", "target_reachability"])
    assert code == 0
    assessment = pd.read_csv(out / "tables" / "data" / "assessment.csv")
    verdicts = assessment.set_index("indicator_id")["verdict"].dropna().to_dict()
    assert verdicts["budget_revenue_gdp_share"] == "missed"  # 236.2 / 3633.6 = 6.5% against ~8%
    assert verdicts["rd_gdp_share"] == "met" and verdicts["hightech_enterprises"] == "met"
    scenarios = (out / "reports" / "scenarios.html").read_text(encoding="utf-8")
    assert "2022年实际为 6.50%" in scenarios and "未达到" in scenarios


def test_the_index_has_every_status_when_the_reachability_report_fails(suite_run, tmp_path):
    """The runner takes the assessment the reachability report hands over; when that report
    fails before it can, the runner fits the same models itself: the same table, byte for byte."""
    project = copy_project(tmp_path / "project")
    insert_cell(project, "target_reachability", "raise RuntimeError('stop before the assessment')", at=3)
    out = tmp_path / "run"
    code = main(["--project", str(project), "run", "--out", str(out), "--only", "target_reachability"])
    assert code == 1
    _, handed_over = suite_run
    fitted = (out / "tables" / "data" / "assessment.csv").read_bytes()
    assert fitted == (handed_over / "tables" / "data" / "assessment.csv").read_bytes()
    assert fitted == (project / "data" / "processed" / "assessment.csv").read_bytes()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<tr><td>T\d+</td>", index)) == len(pd.read_csv(out / "tables" / "data" / "assessment.csv"))
