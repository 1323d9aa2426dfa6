"""Shared fixtures: the project paths and one parse of the shipped documents."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ROOT / "data" / "raw" / "documents"
YEARBOOK = ROOT / "data" / "raw" / "yearbook"
PLAN = "dezhou_plan_new_old_drivers_2018-2022.txt"
SPEECHES = "dezhou_launch_meeting_speeches_2018-02-28.txt"
INTERVIEWS = "dazhong_daily_four_city_interviews_2019-02-24.txt"
ANONYMISED = "anonymised_district_speech_2018.txt"


def raw_md5s() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted((ROOT / "data" / "raw").rglob("*")) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def raw_data_untouched():
    """Raw files are byte-identical after every test session."""
    before = raw_md5s()
    yield
    assert raw_md5s() == before, "a test changed a file under data/raw"


@pytest.fixture(scope="session")
def parsed():
    from dezhou_analysis.documents.reader import parse_documents
    return parse_documents(DOCUMENTS)


@pytest.fixture(scope="session")
def targets(parsed):
    return parsed.targets


@pytest.fixture(scope="session")
def observations(parsed):
    return parsed.observations


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "first"
    from dezhou_analysis.cli import main
    code = main(["--project", str(ROOT), "run", "--jobs", "2", "--out", str(out)])
    return code, out


def copy_project(target: Path) -> Path:
    for name in ("data/raw", "notebooks"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    (target / "data" / "processed").mkdir()
    for path in (target / "data" / "raw").rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


def insert_cell(project: Path, name: str, source: str, at: int = 4) -> None:
    """Put a code cell into a project copy's notebook (to make it fail, hang or die)."""
    import nbformat
    path = project / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory):
    """A project copy whose yearbook notes, sources and document text carry HTML and scripts."""
    from dezhou_analysis.cli import main
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    (project / "data" / "raw" / "yearbook" / "hostile.csv").write_text(
        "指标,地区,年份,数值,单位,来源,备注\n"
        "地区生产总值,德州市,2018,3380.3,亿元,<script>alert(1)</script>,"
        "<img src=x onerror=alert(2)>\n", encoding="utf-8")
    (project / "data" / "raw" / "documents" / "hostile_note.txt").write_text(
        "2017年实现地区生产总值3140.2亿元<b onmouseover=alert(3)>粗体</b>。\n", encoding="utf-8")
    out = project / "outputs" / "hostile"
    code = main(["--project", str(project), "run", "--out", str(out),
                 "--only", "plan_extraction", "indicator_trends"])
    return code, out
