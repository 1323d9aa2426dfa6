"""Bad documents give a clear error naming the file; the parser never raises anything else."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dezhou_analysis.core.errors import DezhouError, DocumentError, InputError
from dezhou_analysis.documents.reader import parse_documents, parse_text


def test_folder_with_empty_and_binary_files_names_each(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (tmp_path / "fine.txt").write_text("2017年实现地区生产总值3140.2亿元。", encoding="utf-8")
    with pytest.raises(InputError, match=r"(?s)empty\.txt.*empty.*image\.txt.*binary"):
        parse_documents(tmp_path)


def test_gb18030_documents_parse(tmp_path):
    (tmp_path / "gbk.txt").write_bytes("2017年实现地区生产总值3140.2亿元，年均增长8%。".encode("gb18030"))
    result = parse_documents(tmp_path)
    assert any("GB18030" in w for w in result.warnings)
    assert 3140.2 in set(result.observations["value"])


def test_a_pdf_or_word_file_beside_the_documents_is_named_not_skipped_silently(tmp_path):
    (tmp_path / "plan.txt").write_text("2017年实现地区生产总值3140.2亿元。", encoding="utf-8")
    (tmp_path / "plan.meta.yml").write_text("kind: report\n", encoding="utf-8")
    (tmp_path / "规划原文.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "讲话.docx").write_bytes(b"PK\x03\x04")
    warnings = parse_documents(tmp_path).warnings
    assert [w.split(":")[0] for w in warnings if "not read" in w] == ["规划原文.pdf", "讲话.docx"]


def test_malformed_table_number_is_a_warning_and_the_row_is_kept(tmp_path):
    (tmp_path / "plan.txt").write_text(
        "表1 指标表\n指标\t单位\t2017年\t2022年\n1.高新技术企业数量\t家\t33八\t680\n"
        "2.新培育山东名牌\t个\t16\t50\n", encoding="utf-8")
    result = parse_documents(tmp_path)
    assert any(w.startswith("plan.txt:3:") and "33八" in w for w in result.warnings)
    rows = result.targets[result.targets["indicator_id"] == "hightech_enterprises"]
    assert len(rows) == 1 and rows.iloc[0]["source_quote"].startswith("1.高新技术企业数量")


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(DocumentError, match="no documents"):
        parse_documents(tmp_path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789.%:：，。、；年月日亿万元个百分点比提高下降增长达到分别为其中以上左右"
                                          "到约近第一二三十百千XＸ（）()—-\t\n 地区生产总值城镇化率全省滨州表指标单位*<>")),
            max_size=400),
    st.text(max_size=400)))
def test_arbitrary_text_raises_only_the_suite_errors(text):
    try:
        parse_text(text, "random.txt", {"kind": "plan", "date": "2018-06-01", "region": "德州市"})
    except DezhouError:
        pass
