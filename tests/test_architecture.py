"""The house rules that keep the package readable: stages flow one way, few modules at the root,
one home for the assessment's defaults."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dezhou_analysis.assess.settings import AssessmentSettings
from tests.conftest import ROOT

PACKAGE = ROOT / "dezhou_analysis"


def test_layers_contract_is_kept():
    """No lower layer imports a higher one (the contract is in pyproject.toml)."""
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_a_broken_layer_is_caught(tmp_path):
    """The check is real: a core module importing a report breaks the contract."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "dezhou_analysis", copy / "dezhou_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    bad = copy / "dezhou_analysis" / "core" / "units.py"
    bad.write_text(bad.read_text(encoding="utf-8") + "\nfrom dezhou_analysis.reports import common\n",
                   encoding="utf-8")
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=copy, capture_output=True, text=True,
                            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "dezhou_analysis.core.units -> dezhou_analysis.reports.common" in result.stdout


def test_few_modules_at_the_package_root():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 8, modules


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_notebook_defaults_are_the_settings_defaults(notebook):
    """A notebook's parameter cell keeps literal defaults (papermill needs them); they must be
    the ones AssessmentSettings owns."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells
                  if "parameters" in c.get("metadata", {}).get("tags", []))
    defaults = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign):
            defaults[node.target.id] = ast.literal_eval(node.value)
    expected = AssessmentSettings().as_params()
    for name, value in defaults.items():
        if name in expected:
            assert value == expected[name], (notebook.stem, name, value, expected[name])


def test_every_published_table_has_a_key_and_a_dictionary_entry():
    from dezhou_analysis.core.contracts import KEYS, TABLES, data_dictionary
    assert set(KEYS) == set(TABLES)
    for table, key in KEYS.items():
        assert set(key) <= {name for name, _, _ in TABLES[table]}, table
    dictionary = data_dictionary()
    assert set(dictionary["table"]) == {f"{t}.csv" for t in TABLES}
    assert dictionary["description"].str.len().min() > 0


def test_an_unknown_column_is_an_error_not_a_silent_drop():
    import pandas as pd

    from dezhou_analysis.core.contracts import ContractError, conform
    frame = pd.DataFrame({"indicator_id": ["gdp"], "surprise": [1]})
    with pytest.raises(ContractError, match=r"observations: columns \['surprise'\]"):
        conform(frame, "observations")
    assert list(conform(frame.rename(columns={"surprise": "_work"}), "observations").columns)[0] \
        == "indicator_id"


def test_the_assessment_table_is_written_in_its_contract():
    from dezhou_analysis.assess.assessor import ASSESSMENT_COLUMNS
    from dezhou_analysis.core.contracts import columns
    assert ASSESSMENT_COLUMNS == columns("assessment")
