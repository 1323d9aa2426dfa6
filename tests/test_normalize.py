"""Text quirks of PDF extractions and web pages, and the map back to raw lines."""

from dezhou_analysis.documents.normalize import normalise, sentences


def norm(text: str) -> str:
    return normalise(text).text.strip()


def test_full_width_digits_and_punctuation():
    assert norm("２０１７年实现ＧＤＰ３１４０．２亿元，增长７．５％。") == "2017年实现GDP3140.2亿元，增长7.5%。"


def test_spaces_inside_numbers_and_before_units():
    assert norm("人均 11 .9 万元，比 2017 年 增长 8 %。") == "人均11.9万元，比2017年增长8%。"
    assert norm("共 1 000 家企业") == "共1000家企业"


def test_markdown_html_and_ascii_punctuation():
    text = '<img src="x.png" />比2016年提高**8.4**个百分点,达到2,345.6亿元;'
    assert norm(text) == "比2016年提高8.4个百分点，达到2345.6亿元；"


def test_dashes_ratio_colon_and_traditional_characters():
    assert norm("2014—2017年分别为2–3个") == "2014-2017年分别为2-3个"
    assert norm("三次产业比例为10.4∶52.0∶37.6") == "三次产业比例为10.4:52.0:37.6"
    assert norm("地區生產總值達到3140.2億元") == "地区生产总值达到3140.2亿元"


def test_lines_broken_inside_a_sentence_are_joined():
    raw = "截至2017年底，我市共建成企业技术中心等人才平台载\n\n体共 903 个，其中国家级 28 个。\n\n第二节 发展机遇\n\n下一段。"
    n = normalise(raw)
    paragraphs = [n.text[p.start:p.end] for p in n.paragraphs]
    assert paragraphs[0] == "截至2017年底，我市共建成企业技术中心等人才平台载体共903个，其中国家级28个。"
    assert paragraphs[1] == "第二节发展机遇"


def test_positions_map_back_to_raw_lines():
    raw = "第一行没有数字。\n\n第三行：2017年实现地区生产总值 3140.2 亿元。"
    n = normalise(raw)
    offset = n.text.index("3140.2")
    line, column = n.raw_position(offset)
    assert line == 3 and raw.split("\n")[2][column:column + 6] == "3140.2"
    line, quote = n.raw_quote(offset - 8, offset + 8, anchor=offset)
    assert line == 3 and quote in raw.split("\n")[2]


def test_sentences_keep_closing_quotes():
    text = "他说：“到2022年达到8%。”然后。"
    assert [text[a:b] for a, b in sentences(text, 0, len(text))] == ["他说：“到2022年达到8%。”", "然后。"]
