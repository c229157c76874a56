"""decode_html: declared, mis-declared and undeclared encodings of Chinese pages."""

from __future__ import annotations

import codecs

import pytest

from harvester.extract.decode import decode_html

# 镕 珺 堃 are in GBK but not in GB2312: a strict gb2312 decoder breaks on them.
GBK_ONLY = "朱镕基 王珺 李堃"
BODY = f"<p>定西市安定区人民政府2024年政府信息公开工作年度报告 {GBK_ONLY}</p>"


def page(meta: str = "") -> str:
    return f"<html><head>{meta}<title>年度报告</title></head><body>{BODY}</body></html>"


def test_meta_gb2312_with_gbk_only_characters_is_read_as_gb18030() -> None:
    text, encoding = decode_html(page('<meta charset="gb2312">').encode("gbk"))
    assert encoding == "gb18030"
    assert GBK_ONLY in text


def test_http_equiv_gbk_declaration() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'
    text, encoding = decode_html(page(meta).encode("gbk"))
    assert (encoding, GBK_ONLY in text) == ("gb18030", True)


def test_header_gb2312_is_read_as_gb18030() -> None:
    text, encoding = decode_html(page().encode("gbk"), "text/html; charset=gb2312")
    assert encoding == "gb18030"
    assert GBK_ONLY in text


def test_gbk_served_as_utf8_is_detected() -> None:
    text, encoding = decode_html(page().encode("gbk"), "text/html; charset=utf-8")
    assert encoding == "gb18030"
    assert GBK_ONLY in text
    assert "\ufffd" not in text


def test_gbk_served_as_utf8_with_meta_utf8_too() -> None:
    body = page('<meta charset="utf-8">').encode("gbk")
    text, encoding = decode_html(body, "text/html; charset=UTF-8")
    assert encoding == "gb18030"
    assert "政府信息公开工作年度报告" in text


def test_utf8_inside_a_gb2312_template() -> None:
    text, encoding = decode_html(page('<meta charset="gb2312">').encode("utf-8"))
    assert encoding == "utf-8"
    assert GBK_ONLY in text


def test_utf8_with_bom() -> None:
    text, encoding = decode_html(codecs.BOM_UTF8 + page('<meta charset="gbk">').encode("utf-8"))
    assert encoding == "utf-8"
    assert text.startswith("<html>")
    assert GBK_ONLY in text


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_no_declaration_at_all(codec: str) -> None:
    text, _ = decode_html(page().encode(codec))
    assert GBK_ONLY in text
    assert "\ufffd" not in text


def test_latin1_header_on_a_chinese_page_is_not_believed() -> None:
    text, encoding = decode_html(page().encode("gbk"), "text/html; charset=ISO-8859-1")
    assert encoding == "gb18030"
    assert GBK_ONLY in text


def test_a_few_broken_sequences_do_not_flip_the_encoding() -> None:
    # list pages cut titles in the middle of a character
    body = page('<meta charset="utf-8">').encode("utf-8") + "政府信息公开".encode("utf-8")[:-1] + b"</p>"
    text, encoding = decode_html(body)
    assert encoding == "utf-8"
    assert GBK_ONLY in text


def test_ascii_only_page() -> None:
    assert decode_html(b"<html><body>2024</body></html>") == ("<html><body>2024</body></html>", "utf-8")
