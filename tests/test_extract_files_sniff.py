"""sniff_file: the bytes decide, then the Content-Type, then the name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from harvester.extract.files.sniff import sniff_file

FILES = Path(__file__).parent / "data" / "files"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("report.pdf", "pdf"), ("report.docx", "docx"), ("report.doc", "doc"), ("report.wps", "wps"),
     ("report.rtf", "rtf"), ("report_scan.png", "image"), ("report_scan.pdf", "pdf")],
)
def test_fixtures_are_sniffed_by_their_bytes_whatever_they_are_called(name, kind):
    body = (FILES / name).read_bytes()
    assert sniff_file(body, None, name) == kind
    misnamed = sniff_file(body, "application/octet-stream", "download.jsp?id=3")
    assert misnamed == ("doc" if kind == "wps" else kind)


def test_html_served_as_pdf_is_html():
    assert sniff_file(b"\n<!DOCTYPE html><html><body>404</body></html>", "application/pdf", "r.pdf") == "html"


def test_zip_kinds_come_from_part_names():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff_file(stream.getvalue(), None, "a.docx") == "xlsx"
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("a.txt", "x")
    assert sniff_file(plain.getvalue(), None, "a.docx") == "binary"


def test_ole_without_word_stream_is_excel_or_unknown():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "Workbook".encode("utf-16-le")
    assert sniff_file(ole) == "xls"


def test_falls_back_to_content_type_then_name_query_parameter():
    binary = b"\x00\x01\x02\x03"
    assert sniff_file(binary, "application/msword", None) == "doc"
    assert sniff_file(binary, None, "http://x.gov.cn/module/download/downfile.jsp?filename=abc.wps&classid=0") == "wps"
    assert sniff_file(binary, None, None) == "binary"
    assert sniff_file("二〇二四年度报告".encode(), "application/pdf", "a.pdf") == "text"
