"""PDF reading: the real reports' drawn tables, joined across pages, exactly as printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.document import read_document
from harvester.extract.files.pdf import read_pdf
from harvester.parse.report import parse_report
from tests.data.files.make_fixtures import EXPECTED

REAL = Path(__file__).resolve().parents[2] / "shared" / "examples" / "real-pages"
FILES = Path(__file__).parent / "data" / "files"
APPLICATION_COLUMNS = ("natural_person", "commercial", "research", "public_welfare", "legal_services", "other_org", "total")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")


def rows(columns, **values):
    return {row: dict(zip(columns, cells)) for row, cells in values.items()}


def natural_only(**values):
    """201's applicants are all natural persons: every other column is 0, total equals natural."""
    return {row: (n, 0, 0, 0, 0, 0, n) for row, n in values.items()}


# Read off the rendered pages (pdftoppm -r 90) of 201_hongze_district_2023_report.pdf, pages 3-4.
HONGZE_2023_APPLICATIONS = rows(APPLICATION_COLUMNS, **natural_only(
    new=21, carried_over=0, granted=0, partly_granted=4, denied_state_secret=1,
    denied_prohibited=0, denied_security=0, denied_third_party=0, denied_internal=0, denied_process=1,
    denied_enforcement=1, denied_inquiry=0, unable_not_held=10, unable_needs_creation=3, unable_unclear=0,
    unprocessed_petition=1, unprocessed_repeat=0, unprocessed_publication=0, unprocessed_mass=0,
    unprocessed_confirm=0, other=0, total=21, carried_forward=0,
))
# As printed, totals of 0 included (the report's own arithmetic error).
HONGZE_2023_REVIEWS = rows(REVIEW_COLUMNS, review=(10, 1, 0, 0, 0), litigation_direct=(0, 0, 0, 0, 0),
                           litigation_after_review=(5, 0, 0, 0, 0))
HONGZE_2023_ACTIVE = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 0, "repealed": 5, "in_force": 5},
    "licensing": {"decisions": 550}, "penalty": {"decisions": 4119}, "coercion": {"decisions": 195},
    "fees": {"amount_10k_yuan": 7730.28},
}

# Read off pages 4-5 of 203_huaian_city_2024_report.pdf; the applications table breaks inside (四)无法提供.
HUAIAN_2024_APPLICATIONS = rows(
    APPLICATION_COLUMNS,
    new=(3001, 53, 0, 0, 61, 4, 3119), carried_over=(34, 0, 0, 0, 0, 0, 34),
    granted=(1288, 21, 0, 0, 50, 3, 1362), partly_granted=(447, 7, 0, 0, 0, 0, 454),
    denied_state_secret=(2, 0, 0, 0, 0, 0, 2), denied_prohibited=(30, 1, 0, 0, 0, 0, 31),
    denied_security=(5, 0, 0, 0, 0, 0, 5), denied_third_party=(6, 0, 0, 0, 0, 0, 6),
    denied_internal=(7, 1, 0, 0, 0, 0, 8), denied_process=(12, 0, 0, 0, 0, 0, 12),
    denied_enforcement=(9, 0, 0, 0, 0, 0, 9), denied_inquiry=(105, 0, 0, 0, 0, 0, 105),
    unable_not_held=(746, 12, 0, 0, 10, 1, 769), unable_needs_creation=(11, 0, 0, 0, 0, 0, 11),
    unable_unclear=(1, 0, 0, 0, 0, 0, 1), unprocessed_petition=(56, 6, 0, 0, 0, 0, 62),
    unprocessed_repeat=(25, 0, 0, 0, 0, 0, 25), unprocessed_publication=(0, 0, 0, 0, 0, 0, 0),
    unprocessed_mass=(0, 0, 0, 0, 0, 0, 0), unprocessed_confirm=(1, 0, 0, 0, 0, 0, 1),
    other_no_correction=(67, 3, 0, 0, 1, 0, 71), other_unpaid_fee=(6, 0, 0, 0, 0, 0, 6),
    other_other=(108, 2, 0, 0, 0, 0, 110), total=(2932, 53, 0, 0, 61, 4, 3050),
    carried_forward=(103, 0, 0, 0, 0, 0, 103),
)
HUAIAN_2024_REVIEWS = rows(REVIEW_COLUMNS, review=(72, 64, 178, 37, 351), litigation_direct=(13, 4, 8, 1, 26),
                           litigation_after_review=(12, 1, 1, 6, 20))
HUAIAN_2024_ACTIVE = {
    "regulations": {"issued": 1, "repealed": 0, "in_force": 11},
    "normative_documents": {"issued": 8, "repealed": 26, "in_force": 66},
    "licensing": {"decisions": 447228}, "penalty": {"decisions": 3985758}, "coercion": {"decisions": 88283},
    "fees": {"amount_10k_yuan": 96171.6},
}


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def parse(name: str):
        if name not in cache:
            read = read_pdf((REAL / name).read_bytes())
            cache[name] = (read, parse_report(read.text, html=read.html_tables))
        return cache[name]

    return parse


def test_huaian_2024_tables_exactly_as_printed(parsed):
    read, report = parsed("203_huaian_city_2024_report.pdf")
    assert read.pages == 6 and read.source_type == "pdf" and read.ocr_pages == 0
    assert report.table_source == "html"
    assert report.tables["applications"] == HUAIAN_2024_APPLICATIONS
    assert report.tables["reviews"] == HUAIAN_2024_REVIEWS
    assert report.tables["active"] == HUAIAN_2024_ACTIVE
    assert not [c for c in report.checks if c.status == "fail"]


def test_hongze_2023_tables_exactly_as_printed(parsed):
    _read, report = parsed("201_hongze_district_2023_report.pdf")
    applications = dict(report.tables["applications"])
    # The PDF prints the label as "2.其他法律行政止公开" (sic); that row is checked below.
    applications.pop("denied_prohibited", None)
    misprinted = [key for key in applications if key.startswith("x_")]
    for key in misprinted:
        assert applications.pop(key) == HONGZE_2023_APPLICATIONS["denied_prohibited"]
    expected = {k: v for k, v in HONGZE_2023_APPLICATIONS.items() if k != "denied_prohibited"}
    assert applications == expected
    assert report.tables["reviews"] == HONGZE_2023_REVIEWS
    assert report.tables["active"] == HONGZE_2023_ACTIVE


def test_hongze_2023_misprinted_label_maps_to_its_row(parsed):
    _read, report = parsed("201_hongze_district_2023_report.pdf")
    assert report.tables["applications"] == HONGZE_2023_APPLICATIONS
    assert report.format_version == "2021", "the 第二十条 columns are the 2021 format's"


def test_hongze_2024_reads_all_three_tables(parsed):
    read, report = parsed("202_hongze_district_2024_report.pdf")
    assert report.table_source == "html"
    assert report.tables["reviews"]["litigation_after_review"] == dict(zip(REVIEW_COLUMNS, (2, 0, 1, 0, 3)))
    assert report.tables["applications"]["new"]["total"] == 95
    assert "- 3 -" not in read.text and "-3-" not in read.text


def test_text_is_in_reading_order_without_page_numbers(parsed):
    read, _report = parsed("203_huaian_city_2024_report.pdf")
    assert read.text.startswith("淮安市人民政府\n2024 年政府信息公开工作年度报告")
    assert read.text.index("一、总体情况") < read.text.index("二、主动公开政府信息情况") < read.text.index("六、其他需要报告的事项")


def test_fixture_pdf_table_over_three_pages_with_a_row_cut_by_the_break():
    document = read_document((FILES / "report.pdf").read_bytes(), "report.pdf")
    assert document.source_type == "pdf"
    assert document.table_source == "html"
    assert document.tables == EXPECTED
    assert document.title == "淮安市清江浦区人民政府2024年政府信息公开工作年度报告"
    assert all(check["status"] != "fail" for check in document.checks)


def test_image_only_pdf_goes_to_ocr_page_by_page():
    seen = []

    def fake_ocr(image):
        seen.append(image.size)
        return "一、总体情况"

    read = read_pdf((FILES / "report_scan.pdf").read_bytes(), ocr=fake_ocr)
    assert read.source_type == "image"
    assert read.ocr_pages == read.pages == len(seen) == 3
    assert read.html_tables is None
    assert any("OCR" in note for note in read.notes)


def test_text_pdf_is_never_ocrd():
    read = read_pdf((FILES / "report.pdf").read_bytes(), ocr=lambda image: pytest.fail("OCR called"))
    assert read.ocr_pages == 0
