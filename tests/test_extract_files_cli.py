"""``harvester parse FILE`` reads every file type, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.data.files.make_fixtures import EXPECTED, TITLE

FILES = Path(__file__).parent / "data" / "files"
REAL = Path(__file__).resolve().parents[2] / "shared" / "examples" / "real-pages"


def parse(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harvester.cli", "parse", str(path), *extra],
                          capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize(
    ("name", "source_type"),
    [
        ("report.pdf", "pdf"),
        ("report.docx", "docx"),
        pytest.param("report.doc", "doc", marks=pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("catdoc"),
                                                                    reason="no DOC converter")),
        pytest.param("report.wps", "wps", marks=pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("catdoc"),
                                                                    reason="no DOC converter")),
        ("report.rtf", "rtf"),
    ],
)
def test_parse_reads_each_file_type_into_its_tables(name, source_type):
    result = parse(FILES / name)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["source_type"] == source_type
    assert record["title"] == TITLE
    assert record["year"] == 2024 and record["format_version"] == "2021"
    assert record["tables"] == EXPECTED
    assert all(check["status"] != "fail" for check in record["checks"])


def test_parse_real_pdf():
    result = parse(REAL / "203_huaian_city_2024_report.pdf", "--url", "http://www.huaian.gov.cn/a/szfgs2024.pdf")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["agency"] == "淮安市人民政府" and record["year"] == 2024
    assert record["tables"]["reviews"]["review"]["total"] == 351


def test_parse_png_scan_by_ocr_marks_its_tables():
    result = parse(FILES / "report_scan.png")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["source_type"] == "image"
    assert record["tables"]["reviews"] == EXPECTED["reviews"]
    assert any("OCR" in note for note in record["notes"])
    assert "六、其他需要报告的事项" in record["text"]


@pytest.mark.skipif(not os.environ.get("HARVESTER_SLOW_TESTS"), reason="OCR of three pages: set HARVESTER_SLOW_TESTS=1")
def test_parse_image_only_pdf_by_ocr():
    result = parse(FILES / "report_scan.pdf")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["source_type"] == "image"
    assert record["title"] == TITLE


def test_parse_refuses_hostile_file_in_one_line(tmp_path):
    bomb = tmp_path / "bomb.docx"
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    result = parse(bomb)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "zip bomb" in result.stderr
