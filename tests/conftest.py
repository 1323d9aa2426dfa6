"""Shared fixtures: the project paths and one parse of the shipped documents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ROOT / "data" / "raw" / "documents"
YEARBOOK = ROOT / "data" / "raw" / "yearbook"
FIXTURES = ROOT / "tests" / "fixtures"
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
    from dezhou_analysis.parsing.document_set import parse_documents
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
