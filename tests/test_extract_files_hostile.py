"""Hostile and broken files are refused with a one-line reason, quickly and without harm."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from harvester.document import UnreadableDocument, read_document
from harvester.extract.files import limits
from harvester.extract.files.limits import UnreadableFile, run_limited

FILES = Path(__file__).parent / "data" / "files"


def refused(body: bytes, name: str) -> str:
    start = time.monotonic()
    with pytest.raises(UnreadableDocument) as caught:
        read_document(body, name)
    assert time.monotonic() - start < 10
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_zip_bomb_disguised_as_docx_is_refused_from_its_directory():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    assert len(stream.getvalue()) < 300_000
    assert "zip bomb" in refused(stream.getvalue(), "report.docx")


def test_too_many_pages_refused(monkeypatch):
    monkeypatch.setattr("harvester.extract.files.pdf.MAX_PDF_PAGES", 2)
    assert "page limit" in refused((FILES / "report.pdf").read_bytes(), "report.pdf")


def test_pdf_with_endless_page_tree_is_refused_or_read_quickly():
    # /Pages names itself as its own kid: a cycle a naive reader follows for ever.
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[2 0 R 2 0 R]/Count 1000000>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF"
    )
    refused(body, "loop.pdf")


def test_truncated_pdf_and_garbage_refused():
    refused((FILES / "report.pdf").read_bytes()[:3000], "cut.pdf")
    refused(b"%PDF-1.7\n" + bytes(range(256)) * 40, "noise.pdf")


def test_time_budget_stops_a_slow_pdf(monkeypatch):
    monkeypatch.setattr("harvester.extract.files.pdf.PDF_SECONDS", 0.0)
    assert "longer than" in refused((FILES / "report.pdf").read_bytes(), "report.pdf")


def test_file_over_the_size_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    assert "limit" in refused((FILES / "report.pdf").read_bytes(), "big.pdf")


def test_html_called_pdf_is_read_as_html():
    paragraph = "根据《中华人民共和国政府信息公开条例》规定，现将本机关2024年政府信息公开工作年度报告公布如下。" * 2
    page = f"<html><head><title>某县2024年政府信息公开工作年度报告</title></head><body><p>{paragraph}</p></body></html>"
    document = read_document(page.encode("utf-8"), "r.pdf", "application/pdf")
    assert document.source_type == "html"
    # A bare error page called .pdf is read as HTML too, and refused for having no report in it.
    assert "no report text" in refused(b"<html><head><title>404</title></head><body>not found</body></html>", "r.pdf")


def test_broken_office_files_refused():
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000 + "WordDocument".encode("utf-16-le"), "x.doc")
    refused(b"PK\x03\x04" + b"\x00" * 100, "x.docx")
    refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "x.png")


def test_converter_timeout_kills_the_process_group():
    start = time.monotonic()
    with pytest.raises(UnreadableFile, match="longer than"):
        run_limited(["sh", "-c", "sleep 30 & sleep 30"], timeout=0.5)
    assert time.monotonic() - start < 5


def test_converter_memory_is_capped():
    result = run_limited(["python3", "-c", "b = bytearray(800 * 1024 * 1024)"], address_space=256 * 1024 * 1024)
    assert result.returncode != 0
