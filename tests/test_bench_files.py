"""bench/files.py in quick form: real timings, and seconds per page divided by the pages the files really have."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2

from bench import files
from bench.core import Options


def pdf_pages(path: Path) -> int:
    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def test_files_quick(tmp_path: Path) -> None:
    section = files.run(Options(quick=True, runs=1, copies=1, memory_pages=1, store_reports=1, work=tmp_path))
    rows = {row["name"]: row for row in section.figures["files"]}
    pdfs = [path for path in files.CASES if path.suffix == ".pdf" and "scan" not in path.name and path.exists()]
    assert files.FILES / "report.pdf" in pdfs
    for path in pdfs:
        row = rows[path.name]
        assert row["type"] == "pdf" and row["seconds"] > 0
        assert row["pages"] == pdf_pages(path) > 1
        assert f"| {path.name} | pdf | {row['pages']} |" in section.body
    # make_fixtures.py prints report.docx to report.pdf with LibreOffice: that is the DOCX's real page count.
    docx = rows["report.docx"]
    assert docx["type"] == "docx" and docx["seconds"] > 0 and docx["pages"] == pdf_pages(files.FILES / "report.pdf")
    assert not any("scan" in name for name in rows) and "Scans (OCR) skipped: quick mode." in section.body
    if shutil.which("soffice"):
        assert rows["report.doc"]["type"] == "doc" and rows["report.wps"]["type"] == "wps"
    else:
        assert "DOC/WPS skipped: LibreOffice not installed" in section.body
    per_page = section.figures["seconds_per_page"]
    assert per_page["pdf"] > 0 and "| pdf | " in section.body and "1.00×" in section.body
    assert section.headlines == [section.headlines[0]] and section.headlines[0].startswith("Files: s/page PDF ")
    assert "OCR skipped" in section.headlines[0]
