"""The whole suite on a yearbook folder as a user fills it: the shipped sample plus a real-world
long CSV and a bureau-style workbook with unknown labels and disagreeing sources. `run` exits 0
and builds every report, each listing the rows set aside and the conflicts; `validate` exits 1
listing the same rows; the raw files are unchanged."""

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dezhou_analysis.cli import main
from tests.conftest import copy_project

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "yearbook"
REPORTS = ("plan_extraction", "baseline", "indicator_trends", "target_reachability", "scenarios",
           "industries")


def md5s(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def real_world_run(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("real_world") / "project")
    yearbook = project / "data" / "raw" / "yearbook"
    for path in DATA.iterdir():
        shutil.copy(path, yearbook / path.name)
    before = md5s(yearbook)
    out = project / "outputs" / "run"
    code = main(["--project", str(project), "run", "--jobs", "2", "--out", str(out)])
    return project, out, code, before


def test_run_exits_0_and_every_report_lists_the_rows_set_aside(real_world_run):
    project, out, code, before = real_world_run
    assert code == 0
    exclusions = pd.read_csv(project / "data" / "processed" / "exclusions.csv", keep_default_na=False)
    aside = exclusions[exclusions["kind"] == "set aside"]
    assert len(aside) == 9  # eight rows, one of them with two year cells
    conflicts = pd.read_csv(project / "data" / "processed" / "conflicts.csv")
    assert {2641, 1539} <= set(conflicts["other_value"])
    for name in REPORTS:
        html = (out / "reports" / f"{name}.html").read_text(encoding="utf-8")
        assert "Data quality" in html
        for label in aside["indicator"]:
            assert label.split("（")[0] in html, (name, label)
        assert "a later row over an earlier one" in html and "2641" in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "rows set aside 9" in index and "conflicts 4" in index
    assert md5s(project / "data" / "raw" / "yearbook") == before


def test_validate_lists_the_same_rows(real_world_run, capsys):
    project, _, _, _ = real_world_run
    exclusions = pd.read_csv(project / "data" / "processed" / "exclusions.csv", keep_default_na=False)
    code = main(["--project", str(project), "validate", str(project / "data" / "raw" / "yearbook")])
    err = capsys.readouterr().err
    assert code == 1
    for rec in exclusions[exclusions["kind"] == "set aside"].to_dict("records"):
        assert f"{rec['file']}" in err and f"row {rec['row']}," in err
