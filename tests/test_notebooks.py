"""The notebooks are thin: typed parameters, one import, one call per section, outputs stripped."""

import ast

import nbformat
import papermill as pm
import pytest

from dezhou_analysis.run.runner import NOTEBOOK_ORDER
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
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[1].source == f"from dezhou_analysis.reports import {name} as report"
    for cell in code:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
    for cell in code[2:]:
        tree = ast.parse(cell.source)
        assert len(tree.body) == 1, cell.source
        statement = tree.body[0]
        call = statement.value if isinstance(statement, (ast.Expr, ast.Assign)) else None
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        assert call.func.value.id == "report"
