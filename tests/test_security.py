"""Nothing a user opens runs the data; no small file exhausts the machine.

Each hostile input is read in its own process under a memory ceiling and a timeout, and must
end with a message that names it; a whole run on hostile data must put no script into any
report and no formula into any table.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dezhou_analysis.core.files import formula_like, frame_to_csv_text, xlsx_bytes
from dezhou_analysis.core.rawfiles import RawFileError, read_raw_bytes, read_sidecar_file, shown
from tests.conftest import copy_project

GB = 1 << 30
HEAD = "indicator,region,year,value,unit,source,note\n"
ROW = "地区生产总值,德州市,2017,3140.2,亿元,bench,"


def bounded(args: list[str], cwd: Path, seconds: int = 30, memory: int = GB):
    """Run the CLI in a child limited to `seconds` and 3 GB of address space (a safety net);
    returns (exit code, output, peak resident memory of the child in bytes)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * GB, 3 * GB))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "dezhou_analysis", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=seconds, preexec_fn=limit)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert peak < memory or before * 1024 >= memory, f"peak memory {peak / GB:.2f} GB"
    return done.returncode, done.stdout + done.stderr


def _xlsx_with_sheet(path: Path, edit) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(["indicator", "region", "year", "value", "unit"])
    workbook.active.append(["地区生产总值", "德州市", 2017, 3140.2, "亿元"])
    raw = io.BytesIO()
    workbook.save(raw)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = edit(data)
            out.writestr(info.filename, data)
    return path


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9)
) + "region: *j\n"


def _yearbook_case(case: str, folder: Path) -> Path:
    """One hostile yearbook file (and sidecar) in `folder`; returns the file."""
    csv_path = folder / f"{case}.csv"
    if case == "alias bomb sidecar":
        csv_path.write_text(HEAD + ROW + "\n", encoding="utf-8")
        csv_path.with_name(f"{case}.meta.yml").write_text(ALIAS_BOMB, encoding="utf-8")
    elif case == "invalid sidecar":
        csv_path.write_text(HEAD + ROW + "\n", encoding="utf-8")
        csv_path.with_name(f"{case}.meta.yml").write_text("title: ok\nregion: [济南市\n", encoding="utf-8")
    elif case == "python tag sidecar":
        csv_path.write_text(HEAD + ROW + "\n", encoding="utf-8")
        csv_path.with_name(f"{case}.meta.yml").write_text(
            "region: !!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    elif case == "huge declared dimension":
        return _xlsx_with_sheet(folder / f"{case}.xlsx", lambda d: re.sub(
            rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', d))
    elif case == "compression bomb":
        row = b'<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>'
        return _xlsx_with_sheet(folder / f"{case}.xlsx", lambda d: d.replace(
            b"</sheetData>", row * 3_000_000 + b"</sheetData>"))
    elif case == "control character in a note":
        csv_path.write_text(HEAD + ROW + "note\x01\x1bwith controls\n", encoding="utf-8")
    elif case == "NUL after 4 KB":
        filler = "".join(f"地区生产总值,样本{i}区,2017,{100 + i},亿元,bench,bench\n" for i in range(90))
        assert len(filler.encode()) > 4096
        csv_path.write_text(HEAD + filler + ROW + "x\x00y\n", encoding="utf-8")
    elif case == "fifo":
        os.mkfifo(csv_path)
    elif case == "symlink out of the folder":
        csv_path.symlink_to("/etc/passwd")
    return csv_path


YEARBOOK_CASES = {
    "alias bomb sidecar": (1, r"alias bomb sidecar\.meta\.yml: not valid YAML at line \d+.*aliases are not allowed"),
    "invalid sidecar": (1, r"invalid sidecar\.meta\.yml: not valid YAML at line 2"),
    "python tag sidecar": (1, r"python tag sidecar\.meta\.yml: not valid YAML at line 1"),
    "huge declared dimension": (1, r"declares 1,048,576 rows × 16,384 columns"),
    "compression bomb": (1, r"compressed \d+ to 1"),
    "control character in a note": (0, r"row 2, column '#7': control characters removed"),
    "NUL after 4 KB": (0, r"row 92, column '#7': control characters removed"),
    "fifo": (1, r"fifo\.csv: a named pipe, not a regular file"),
    "symlink out of the folder": (1, r"a link to /etc/passwd, outside the data folder"),
}


@pytest.mark.parametrize("case", sorted(YEARBOOK_CASES))
def test_hostile_yearbook_file_gives_a_named_message_within_30_s_and_1_gb(case, tmp_path):
    folder = tmp_path / "yearbook"
    folder.mkdir()
    path = _yearbook_case(case, folder)
    code, output = bounded(["validate", "--region", "德州市", str(path)], tmp_path)
    expected_code, message = YEARBOOK_CASES[case]
    assert code == expected_code, output
    assert re.search(message, output), output
    assert "Traceback" not in output and "internal error" not in output
    assert not (tmp_path / "pwned").exists()


def test_an_invalid_yearbook_sidecar_stops_only_its_file(tmp_path):
    """The file is reported, not read with the wrong region; the other file still reads."""
    from dezhou_analysis.yearbook.reader import read_yearbooks
    bad = _yearbook_case("invalid sidecar", tmp_path)
    good = tmp_path / "good.csv"
    good.write_text(HEAD + ROW + "\n", encoding="utf-8")
    result = read_yearbooks([bad, good], default_region="德州市")
    assert [str(i) for i in result.issues] == [
        "invalid sidecar.csv: invalid sidecar.meta.yml: not valid YAML at line 2, column 9 "
        "(expected ',' or ']', but got '<stream end>'); expected plain `field: value` lines"]
    assert [o["source"] for o in result.observations] == ["yearbook:good.csv"]


def _documents(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project")
    return project / "data" / "raw" / "documents"


DOCUMENT_CASES = {
    "symlinked document": r"passwd_title\.txt: a link to /etc/passwd, outside the data folder",
    "alias bomb sidecar": r"speech\.meta\.yml: not valid YAML at line \d+.*aliases are not allowed",
    "oversized sidecar": r"speech\.meta\.yml: 68 KB, over the 64 KB limit for a sidecar",
    "fifo document": r"pipe\.txt: a named pipe, not a regular file",
}


@pytest.mark.parametrize("case", sorted(DOCUMENT_CASES))
def test_hostile_document_gives_a_named_message_within_30_s_and_1_gb(case, tmp_path):
    documents = _documents(tmp_path)
    if case == "symlinked document":
        (documents / "passwd_title.txt").symlink_to("/etc/passwd")
    elif case == "fifo document":
        os.mkfifo(documents / "pipe.txt")
    else:
        (documents / "speech.txt").write_text("2017年实现地区生产总值3140.2亿元。\n", encoding="utf-8")
        text = ALIAS_BOMB if case == "alias bomb sidecar" else "title: " + "x" * 70_000 + "\n"
        (documents / "speech.meta.yml").write_text(text, encoding="utf-8")
    code, output = bounded(["--project", str(documents.parents[2]), "parse", "--out",
                            str(tmp_path / "out")], tmp_path)
    assert code == 1 and re.search(DOCUMENT_CASES[case], output), output
    assert "root:" not in output  # nothing of the linked file is shown


def test_a_symlink_inside_the_data_folder_is_read(tmp_path):
    folder = tmp_path / "data" / "raw" / "yearbook"
    folder.mkdir(parents=True)
    (folder / "real.csv").write_text(HEAD + ROW + "\n", encoding="utf-8")
    (folder / "alias.csv").symlink_to(folder / "real.csv")
    assert read_raw_bytes(folder / "alias.csv") == (folder / "real.csv").read_bytes()


def test_size_caps_are_stated_and_raised_by_a_flag(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (2 << 20))
    monkeypatch.setenv("DEZHOU_MAX_INPUT_MB", "1")
    with pytest.raises(RawFileError, match=r"big\.csv: 2\.0 MB, over the 1.0 MB limit.*--max-input-mb"):
        read_raw_bytes(path)
    monkeypatch.setenv("DEZHOU_MAX_INPUT_MB", "3")
    assert len(read_raw_bytes(path)) == 2 << 20
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--max-input-mb" in readme and "256 MB" in readme


def test_sidecar_reader_refuses_aliases_but_reads_plain_fields(tmp_path):
    (tmp_path / "a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "a.meta.yml").write_text("title: 标题\nregion: 济南市\ndate: 2019-01-01\n", encoding="utf-8")
    assert read_sidecar_file(tmp_path / "a.csv")["region"] == "济南市"
    (tmp_path / "a.meta.yml").write_text("x: &v 1\nregion: *v\n", encoding="utf-8")
    with pytest.raises(RawFileError, match=r"a\.meta\.yml: not valid YAML at line 2, column 9"):
        read_sidecar_file(tmp_path / "a.csv")


def test_file_names_with_control_characters_are_shown_escaped():
    assert shown("evil\x1b[2Jname\u202e.csv") == "evil\\x1b[2Jname\\u202e.csv"


# ---- spreadsheet-safe exports -------------------------------------------------------------------

HOSTILE_CELLS = ["=1+1", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                 "\t=1", "\r=1"]


def test_exports_keep_formulas_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame({"note": HOSTILE_CELLS + ["-3.5", "007", "ok"],
                          "value": [-3.5, 1, 2, 3, 4, 5, 6, -3.5, 7, 8]})
    text = frame_to_csv_text(frame)
    for line in text.splitlines()[1:8]:
        assert line.startswith(("'", "\"'")), line
    assert "\n-3.5,-3.5\n" in text and "\n007,7\n" in text
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"t": frame})))
    cells = list(workbook["t"].iter_rows(min_row=2))
    assert [c[0].value for c in cells] == [v.replace("\r", "\n") for v in frame["note"]]  # XML
    assert all(c[0].data_type == "s" for c in cells) and cells[0][1].data_type == "n"


def test_tables_over_the_excel_row_limit_continue_on_further_sheets():
    from dezhou_analysis.core.files import sheet_parts
    frame = pd.DataFrame({"a": range(25)})
    parts = sheet_parts("observations", frame, max_rows=10)
    assert [(name, len(part)) for name, part in parts] == [
        ("observations", 10), ("observations (2)", 10), ("observations (3)", 5)]


# ---- a whole run on hostile data ----------------------------------------------------------------

XSS = {"img": "<img src=x onerror=alert(181)>", "script": "<script>alert(182)</script>",
       "attr": '"><svg onload=alert(183)>', "md": "[click](javascript:alert(184))"}
MARKERS = ("<img src=x onerror=alert(181)", "<img src=x onerror=alert(185)", "<script>alert(182)", "<svg onload=alert(183)",
           'href="javascript:alert(184)')


@pytest.fixture(scope="module")
def hostile_suite(tmp_path_factory):
    """Every report run on a project whose files put hostile text in every field they can set:
    document sidecar fields (title, region, issuer…), document text and file name, yearbook
    labels' notes, regions, sources and file name, and a yearbook sidecar."""
    from dezhou_analysis.cli import main
    project = copy_project(tmp_path_factory.mktemp("xss") / "project")
    hostile = " ".join(XSS.values())
    documents = project / "data" / "raw" / "documents"
    name = 'speech_<img src=x onerror=alert(185)>_"q".txt'
    (documents / name).write_text(f"{hostile}\n2017年实现地区生产总值3140.2亿元{XSS['img']}。\n",
                                  encoding="utf-8")
    (documents / name.replace(".txt", ".meta.yml")).write_text(
        "\n".join(f"{field}: {hostile!r}" for field in ("title", "title_en", "issuer", "region",
                                                        "document_number", "original_file"))
        + "\nkind: speech\ndate: 2019-01-01\n", encoding="utf-8")
    yearbook = project / "data" / "raw" / "yearbook"
    (yearbook / 'hostile_<b>"y".csv').write_text(
        HEAD + f'地区生产总值,德州市,2018,3380.3,亿元,"{XSS["script"]}","=1+1 {XSS["attr"]}"\n'
        f'地区生产总值,德州市,2019,3400.1,亿元,"=HYPERLINK(""http://x"",""y"")","{XSS["md"]}"\n'
        f'一般公共预算收入,"{XSS["img"]}",2019,100.5,亿元,@SUM(A1),"+cmd|\' /C calc\'!A0"\n',
        encoding="utf-8")
    out = project / "outputs" / "hostile"
    code = main(["--project", str(project), "run", "--out", str(out)])
    return code, out, project


@pytest.mark.slow
def test_no_script_from_data_reaches_any_report(hostile_suite):
    code, out, _ = hostile_suite
    assert code == 0
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 13  # six reports, their full versions, the index
    escaped = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for marker in MARKERS:
            assert marker not in text, f"{page.relative_to(out)} holds {marker!r} unescaped"
        escaped += text.count("&lt;img src=x onerror=alert(181)&gt;")
    assert escaped > 0, "the hostile text never reached a report: the test proves nothing"


@pytest.mark.slow
def test_no_formula_from_data_reaches_any_table(hostile_suite):
    code, out, project = hostile_suite
    workbooks = sorted(out.rglob("*.xlsx"))
    assert workbooks
    for path in workbooks:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.startswith("xl/worksheets/"):
                    assert not re.search(rb"<(?:\w+:)?f[\s>]", archive.read(member)), f"{path}: {member}"
    tables = sorted(out.rglob("*.csv")) + sorted((project / "data" / "processed").glob("*.csv"))
    found = 0
    for path in tables:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in frame.columns:
            assert not frame[column].map(formula_like).any(), f"{path.name}: {column}"
            found += frame[column].str.startswith("'=").sum()
    assert found > 0, "the hostile notes never reached a table: the test proves nothing"


def test_an_added_plan_whose_region_sorts_first_does_not_switch_the_home_region(tmp_path):
    from dezhou_analysis.documents.reader import parse_documents
    from dezhou_analysis.stages import documents_home_region, home_region
    documents = _documents(tmp_path)
    assert home_region(parse_documents(documents)) == "德州市"
    (documents / "aaa_other_plan.txt").write_text(
        "北京市某区发展规划\n到2022年，地区生产总值达到5000亿元。\n", encoding="utf-8")
    (documents / "aaa_other_plan.meta.yml").write_text(
        "title: 北京市某区发展规划\nkind: plan\nregion: 北京市\ndate: 2017-01-01\n", encoding="utf-8")
    assert "北京市" < "德州市"
    assert home_region(parse_documents(documents)) == "德州市"
    assert documents_home_region(documents) == "德州市"
