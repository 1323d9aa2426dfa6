"""The notebooks are thin: typed parameters, one import, one call per section (its result kept
under the section's name), outputs stripped, the project's kernel named; each ends with an
explore section that runs."""

import ast

import nbformat
import papermill as pm
import pytest

from dezhou_analysis.run.runner import KERNEL, NOTEBOOK_ORDER
from tests.conftest import ROOT

COMMON = {"project_dir": ("str", '".."'), "language": ("str", '"zh+en"'), "output_dir": ("str", '""')}
EXPECTED = {
    "plan_extraction": {},
    "baseline": {},
    "indicator_trends": {},
    "target_reachability": {"as_of": ("int", "0"), "evaluation_as_of": ("int", "2019"),
                            "seed": ("int", "20180608"), "n_paths": ("int", "4000"),
                            "tolerance": ("float", "0.05")},
    "scenarios": {"as_of": ("int", "0"), "tolerance": ("float", "0.05"), "interactive": ("bool", "True")},
    "industries": {"as_of": ("int", "0")},
}


@pytest.mark.parametrize("name", NOTEBOOK_ORDER)
def test_declared_parameters(name):
    declared = pm.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"))
    expected = {**COMMON, **EXPECTED[name]}
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in declared.items()} == expected
    assert all(v["help"] for v in declared.values()), "every parameter has an inline comment"


@pytest.mark.parametrize("name", NOTEBOOK_ORDER)
def test_notebooks_hold_no_logic_and_no_outputs(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == KERNEL
    assert "widgets" not in nb.metadata
    explore = explore_start(nb)
    code = [c for c in nb.cells[:explore] if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[1].source == f"from dezhou_analysis.reports import {name} as report"
    for cell in nb.cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
    for cell in code[2:]:
        tree = ast.parse(cell.source)
        assert len(tree.body) == 1, cell.source
        statement = tree.body[0]
        call = statement.value if isinstance(statement, (ast.Expr, ast.Assign)) else None
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        assert call.func.value.id == "report"
        if isinstance(statement, ast.Assign) and call.func.attr != "setup":
            assert statement.targets[0].id == call.func.attr, "a section's result keeps its name"
    assert nb.cells[-1].source == "report.provenance(ctx)"


def explore_start(nb) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.cell_type == "markdown" and c.source.startswith("## 探索 · Explore"))


@pytest.mark.parametrize("name", NOTEBOOK_ORDER)
def test_every_notebook_has_an_explore_section(name):
    """Two or three visible cells that use the context's documented attributes."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells[explore_start(nb) + 1:-1] if c.cell_type == "code"]
    assert 2 <= len(cells) <= 3
    source = "\n".join(c.source for c in cells)
    assert "ctx.state" not in source, "explore with the documented attributes"
    assert any(word in source for word in ("ctx.", "(ctx)", ".tables[")), source


def test_an_edited_parameter_cell_is_named_and_run_with_the_official_values(tmp_path, capsys):
    """A parameter edited in JupyterLab and saved never silently changes the official report."""
    from dezhou_analysis.core.paths import ProjectPaths
    from dezhou_analysis.run.runner import make_tasks, plan_run
    from tests.conftest import copy_project
    project = copy_project(tmp_path / "project")
    path = project / "notebooks" / "scenarios.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('language: str = "zh+en"', 'language: str = "en"') \
        .replace("tolerance: float = 0.05", "tolerance: float = 0.1")
    nbformat.write(nb, path)
    paths = ProjectPaths.discover(project)
    plan = plan_run(paths, None, [], 1, None)
    said = capsys.readouterr().out
    assert "notebooks/scenarios.ipynb" in said and "language = 'en' (official 'zh+en')" in said
    assert "tolerance = 0.1 (official 0.05)" in said
    assert set(plan.edited) == {"scenarios"}
    task = next(t for t in make_tasks(plan, paths, tmp_path / "run") if t.name == "scenarios")
    assert task.parameters["language"] == "zh+en" and task.parameters["tolerance"] == 0.05
    plan = plan_run(paths, None, ["language=en"], 1, None)  # asked for on the command line: used
    task = next(t for t in make_tasks(plan, paths, tmp_path / "run") if t.name == "scenarios")
    assert task.parameters["language"] == "en"


def test_the_runner_names_the_project_kernel():
    from jupyter_client.kernelspec import find_kernel_specs

    from dezhou_analysis.run.runner import kernel_name
    expected = KERNEL if KERNEL in find_kernel_specs() else "python3"
    assert kernel_name() == expected


@pytest.fixture(scope="module")
def reachability():
    from dezhou_analysis.reports import target_reachability as report
    return report, report.setup(project_dir=str(ROOT))


def test_sections_return_what_they_show(reachability):
    import pandas as pd
    from matplotlib.figure import Figure
    report, ctx = reachability
    dashboard = report.dashboard(ctx)
    assert isinstance(dashboard, pd.DataFrame)
    assert len(dashboard) == len(ctx.assessment.frame) == dashboard["id"].nunique()
    assert list(dashboard["id"]) == list(ctx.assessment.frame["target_id"])
    assert isinstance(report.headline(ctx), Figure)
    fans = report.fan_charts(ctx)
    assert fans.figures and all(name.removeprefix("fan_") in ctx.assessment.results for name in fans.figures)
    shown = [ctx.assessment.results[name.removeprefix("fan_")] for name in fans.figures]
    assert all(len(r.history) for r in shown) and any(len(r.bands) for r in shown)
    assert {"methods_assessed", "methods_all"} <= set(report.methods(ctx).tables)
    assert ctx.plan_targets is ctx.parse.targets and ctx.settings.n_paths == 4000


def test_a_bad_parameter_is_one_line_naming_it():
    from dezhou_analysis.core.errors import ParameterError
    from dezhou_analysis.reports import baseline as report
    with pytest.raises(ParameterError) as caught:
        report.setup(project_dir=str(ROOT), language="fr")
    message = str(caught.value)
    assert "\n" not in message and "language = 'fr'" in message and "'zh+en'" in message


def test_a_bad_parameter_shows_one_line_in_the_kernel_and_fails_the_cell():
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from dezhou_analysis.run.runner import kernel_name
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from dezhou_analysis.reports import baseline as report\n"
        f"ctx = report.setup(project_dir={str(ROOT)!r}, language='fr')")]
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, kernel_name=kernel_name(), timeout=120).execute()
    [error] = nb.cells[0].outputs
    assert error.output_type == "error" and error.ename == "ParameterError"
    assert error.traceback == [f"ParameterError: {error.evalue}"]
    assert "language = 'fr'" in error.evalue and "'zh+en'" in error.evalue


def test_jupyterlab_gets_the_cjk_web_font(reachability):
    """A notebook opened in Lab (no output folder) shows Chinese text in the package's font."""
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from dezhou_analysis.reports.common import lab_font_face
    _, ctx = reachability
    css = lab_font_face(ctx)
    match = re.search(r'font-family: "DZ CJK".*url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)', css)
    assert match, css[:200]
    cmap = TTFont(io.BytesIO(base64.b64decode(match.group(1)))).getBestCmap()
    shown = ctx.home + "目标可达性" + ctx.plan_targets["name_zh"].iloc[0]
    assert all(ord(ch) in cmap for ch in shown if ord(ch) >= 0x2E80)
