"""Every shipped document has a sidecar whose md5 matches the file."""

import hashlib

import pytest
import yaml

from dezhou_analysis.core.errors import DocumentError
from dezhou_analysis.documents.sources import (
    SIDECAR_FIELDS,
    check_sidecar,
    decode_bytes,
    list_documents,
    load_document,
)
from tests.conftest import DOCUMENTS, YEARBOOK


def test_five_documents_each_with_a_sidecar():
    docs = list_documents(DOCUMENTS)
    assert len(docs) == 5
    for path in docs:
        assert check_sidecar(path) == [], path.name


@pytest.mark.parametrize("path", list_documents(DOCUMENTS), ids=lambda p: p.name)
def test_sidecar_md5_and_fields(path):
    meta = yaml.safe_load(path.with_name(path.stem + ".meta.yml").read_text(encoding="utf-8"))
    assert meta["md5"] == hashlib.md5(path.read_bytes()).hexdigest()
    for field in SIDECAR_FIELDS:
        assert field in meta
    assert meta["original_file"].endswith(".txt")


def test_yearbook_sample_has_a_sidecar_with_matching_md5():
    for path in YEARBOOK.glob("*.csv"):
        meta = yaml.safe_load(path.with_name(path.stem + ".meta.yml").read_text(encoding="utf-8"))
        assert meta["md5"] == hashlib.md5(path.read_bytes()).hexdigest()
        assert "unofficial" in meta["description"].lower()


def test_sidecar_check_reports_a_wrong_md5(tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text("到2022年，城镇化率达到63%。", encoding="utf-8")
    (tmp_path / "plan.meta.yml").write_text(
        "title: t\nissuer: i\ndate: 2018-01-01\ndocument_number: null\nkind: plan\n"
        "region: 德州市\noriginal_file: x.txt\nmd5: \"0000\"\n", encoding="utf-8")
    problems = check_sidecar(doc)
    assert any("md5 0000 does not match" in p for p in problems)


def test_gb18030_document_is_decoded_and_says_so(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("2017年实现地区生产总值3140.2亿元。".encode("gb18030"))
    doc = load_document(path)
    assert "3140.2" in doc.text
    assert any("GB18030" in w for w in doc.warnings)


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_unreadable_documents_raise_a_clear_error(data, message):
    with pytest.raises(DocumentError, match=message):
        decode_bytes(data, "bad.txt")
