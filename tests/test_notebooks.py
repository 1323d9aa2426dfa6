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
