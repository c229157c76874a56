"""DOCX, DOC, WPS, RTF: the fixture's tables come out as the numbers they were made from."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from harvester.document import read_document
from harvester.extract.files.docx import read_docx
from harvester.extract.files.sheets import read_xlsx
from harvester.extract.files.word import read_word
from tests.data.files.make_fixtures import AGENCY, EXPECTED, TITLE

FILES = Path(__file__).parent / "data" / "files"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


def test_docx_tables_with_merged_cells():
    read = read_docx((FILES / "report.docx").read_bytes())
    assert read.html_tables.count("<table>") == 3
    assert 'rowspan="22"' in read.html_tables  # 三、本年度办理结果 down the outcome rows and 总计
    assert 'colspan="7"' in read.html_tables  # 申请人情况 over the applicant columns
    document = read_document((FILES / "report.docx").read_bytes(), "report.docx")
    assert (document.source_type, document.table_source, document.format_version) == ("docx", "html", "2021")
    assert (document.title, document.agency, document.year) == (TITLE, AGENCY, 2024)
    assert document.tables == EXPECTED
    assert document.checks and all(check["status"] != "fail" for check in document.checks)
    assert "一、总体情况" in document.text and "六、其他需要报告的事项" in document.text


@needs_soffice
def test_wps_through_libreoffice():
    document = read_document((FILES / "report.wps").read_bytes(), "report.wps")
    assert document.source_type == "wps"
    assert document.table_source == "html"
    assert document.tables == EXPECTED
    assert "converted with LibreOffice" in document.notes


@pytest.mark.skipif(shutil.which("catdoc") is None, reason="catdoc not installed")
def test_doc_falls_back_to_catdoc_text(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr("harvester.extract.files.word.shutil.which",
                        lambda name: None if name == "soffice" else real_which(name))
    read = read_word((FILES / "report.doc").read_bytes())
    assert read.html_tables is None and any("catdoc" in note for note in read.notes)
    document = read_document((FILES / "report.doc").read_bytes(), "report.doc")
    assert document.table_source == "text"
    assert document.tables == EXPECTED


def test_rtf_tables_through_the_text_parser():
    document = read_document((FILES / "report.rtf").read_bytes(), "report.rtf")
    assert document.source_type == "rtf"
    assert document.title == TITLE
    assert document.tables == EXPECTED


def test_xlsx_sheet_is_a_table():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["行政复议", None, None, None, None])
    sheet.merge_cells("A1:E1")
    sheet.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
    sheet.append([1, 0, 0, 1, 2])
    stream = io.BytesIO()
    book.save(stream)
    read = read_xlsx(stream.getvalue())
    assert read.source_type == "xls"
    assert '<td colspan="5">行政复议</td>' in read.html_tables
    assert "1\t0\t0\t1\t2" in read.text
