"""Parsing: table cells right, wrong and missing per layout, and reports per second.

Every report here has tables known cell by cell without reading it: the farm's
pages (numbers the farm drew), the layout corpus of ``tests/test_parse_html_tables.py``
(numbers it rendered), the file fixtures of ``tests/data/files`` (made from
``EXPECTED``), two real PDFs and the five real text flattenings whose tables the
tests transcribe by hand. Expected tables come from where the tests keep them,
so the bench and the tests cannot disagree about the truth.
"""

from __future__ import annotations

import importlib
import math
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from bench.core import ROOT, Options, Section, median, table, timed
from harvester.document import UnreadableDocument, read_document, read_text
from harvester.extract import extract_page
from harvester.extract.decode import decode_html
from harvester.farm.catalog import catalog
from harvester.farm.site import build_site
from harvester.parse.report import parse_report
from harvester.parse.schema import Tables
from tests.report_text_truth import EXPECTED_TABLES

FILES = ROOT / "tests" / "data" / "files"
REAL_PAGES = ROOT.parent / "shared" / "examples" / "real-pages"
REAL_TEXTS = ROOT.parent / "shared" / "examples" / "report-text"
CORPUS_URL = "http://corpus.invalid/report.html"
#: Wrong (and missing) cells listed below the table, per layout.
LISTED_PER_LAYOUT = 3
#: Seconds a timed pass lasts at least (a row's reports are read again until it does), for steadier rates.
FLOOR = 0.1


@dataclass
class Case:
    """One report whose tables are known, read end to end and (when it has text) parsed alone."""

    name: str
    truth: Tables
    read: Callable[[], Tables]
    parse: Callable[[], Tables] | None = None


@dataclass
class Cell:
    """A cell the parser got wrong or missed, for the list under the table."""

    layout: str
    report: str
    key: str
    expected: object
    got: object


@dataclass
class Layout:
    """One row of the table: reports of one layout, their scores and speeds."""

    name: str
    group: str
    cases: list[Case]
    cells: int = 0
    nulls: int = 0
    right: int = 0
    wrong: list[Cell] = field(default_factory=list)
    missing: list[Cell] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    read_rate: float = 0.0
    parse_rate: float | None = None


def farm_layout(markup: str, fmt: str) -> str:
    """The row name of the farm's pages in one markup and format version."""
    return f"farm page, {markup} markup, {fmt}"


def _safe(read: Callable[[], Tables], unreadable: list[str], name: str) -> Tables:
    try:
        return read()
    except UnreadableDocument as exc:
        unreadable.append(f"{name}: {exc}")
        return {}


def _html_case(name: str, body: bytes, url: str, content_type: str | None, truth: Tables) -> Case:
    """A page: ``read_document`` end to end, and ``parse_report`` on the text and HTML extracted once here."""
    html, _encoding = decode_html(body, content_type)
    page = extract_page(html, url)
    return Case(
        name, truth,
        read=lambda: read_document(body, url, content_type).tables,
        parse=lambda: parse_report(page.text, html=html, year=page.year).tables,
    )


def _file_case(name: str, path: Path, truth: Tables) -> Case:
    body = path.read_bytes()
    return Case(name, truth, read=lambda: read_document(body, path.name).tables)


# --- the material --------------------------------------------------------------------------


def _farm() -> list[Layout]:
    """Every farm report at its first address, one row per markup and format version."""
    site = build_site()
    layouts: dict[str, Layout] = {}
    for report in catalog().reports:
        location = report.locations[0]
        page = site.get(location.host, location.path)
        name = farm_layout(report.markup, report.fmt)
        layout = layouts.setdefault(name, Layout(name, "farm", []))
        layout.cases.append(_html_case(report.key, page.body, location.url, page.headers.get("Content-Type"),
                                       report.numbers.truth()))
    return sorted(layouts.values(), key=lambda layout: layout.name)


def _corpus() -> list[Layout]:
    """The layout corpus of the HTML table tests, rendered with its own generator, grouped by what varies."""
    corpus = importlib.import_module("tests.test_parse_html_tables")
    sample, render = corpus.sample_2021(), corpus.render_report
    content_type = "text/html; charset=utf-8"

    def case(name: str, html: str, truth: Tables, content_type: str = content_type, encoding: str = "utf-8") -> Case:
        return _html_case(name, html.encode(encoding), CORPUS_URL, content_type, truth)

    def page_layout(layout: str) -> list[Case]:
        return [case(f"{layout}{' Word' if word else ''}", render(sample, layout=layout, word=word), sample)
                for word in (False, True)]

    marks = ["", "—", "-", "/", "无", "&nbsp;"]
    nulls = [("applications", "carried_over", "research"), ("applications", "denied_security", "total"),
             ("reviews", "review", "pending"), ("active", "licensing", "decisions"), ("active", "regulations", "issued")]
    blanked = corpus.with_nulls(sample, nulls)
    gb18030 = render(sample).replace('charset="utf-8"', 'charset="gb2312"')
    return [
        Layout("corpus, 2021 standard (plain + Word)", "corpus", page_layout("standard")),
        Layout("corpus, 2021 tables split mid-table (plain + Word)", "corpus", page_layout("split")),
        Layout("corpus, 2021 all in one table (plain + Word)", "corpus", page_layout("all_in_one")),
        Layout("corpus, number styles (件/万元, 1,234, full-width)", "corpus",
               [case(style, render(sample, style=style), sample) for style in ("unit", "thousands", "fullwidth")]),
        Layout("corpus, blank marks (empty, —, -, /, 无, &nbsp;)", "corpus",
               [case(repr(mark), render(blanked, null_mark="\x00").replace("\x00", mark), blanked) for mark in marks]),
        Layout("corpus, 2019 standard", "corpus", [case("2019", render(corpus.sample_2019(), "2019"),
                                                        corpus.sample_2019())]),
        Layout("corpus, GB18030 bytes", "corpus", [case("gb18030", gb18030, sample, "text/html", "gb18030")]),
    ]


def _files(options: Options, notes: list[str]) -> list[Layout]:
    """The file fixtures (one invented report in every file type) and the real PDFs with transcribed tables."""
    expected = importlib.import_module("tests.data.files.make_fixtures").EXPECTED
    real = importlib.import_module("tests.test_extract_files_pdf")

    def fixture(name: str, file: str, group: str = "file", truth: Tables = expected) -> Layout:
        return Layout(name, group, [_file_case(file, FILES / file, truth)])

    layouts = [fixture("file PDF (fixture, table over 3 pages)", "report.pdf"), fixture("file DOCX (fixture)", "report.docx")]
    if shutil.which("soffice"):
        layouts += [fixture("file DOC (fixture, LibreOffice)", "report.doc"),
                    fixture("file WPS (fixture, LibreOffice)", "report.wps")]
    else:
        notes.append("DOC and WPS rows are left out: LibreOffice (`soffice`) is not installed here.")
    layouts.append(fixture("file RTF (fixture)", "report.rtf"))
    layouts.append(Layout("file PDF, real reports", "file", [
        _file_case("203 Huai'an 2024", REAL_PAGES / "203_huaian_city_2024_report.pdf",
                   {"active": real.HUAIAN_2024_ACTIVE, "applications": real.HUAIAN_2024_APPLICATIONS,
                    "reviews": real.HUAIAN_2024_REVIEWS}),
        _file_case("201 Hongze 2023", REAL_PAGES / "201_hongze_district_2023_report.pdf",
                   {"active": real.HONGZE_2023_ACTIVE, "applications": real.HONGZE_2023_APPLICATIONS,
                    "reviews": real.HONGZE_2023_REVIEWS}),
    ]))
    if options.ocr and not options.quick:
        layouts += [fixture("scan PNG (OCR, reviews table only)", "report_scan.png", "ocr", {"reviews": expected["reviews"]}),
                    fixture("scan PDF (OCR, 3 pages)", "report_scan.pdf", "ocr")]
    else:
        notes.append("Scanned files (OCR) are left out in this run" + (" (quick mode)." if options.quick else "."))
    return layouts


#: How each real flattening lays out its tables (the row label; the tests of
#: ``tests/test_parse_text_tables.py`` are named after the same).
TEXT_LAYOUTS = {
    "000": "one cell a line with page chrome",
    "001": "pipe one cell a line keeps blank cells",
    "002": "pipe separated rows with colspan cells",
    "003": "whitespace with blank cells lost",
    "004": "tab separated markdown headings",
}


def _texts() -> list[Layout]:
    """The five real flattenings: ``read_text`` end to end, ``parse_report`` alone, expected as
    ``tests/report_text_truth.py`` transcribes them (the copy their tests assert)."""
    layouts = []
    for path in sorted(REAL_TEXTS.glob("*.txt")):
        prefix = path.name[:3]
        description, truth = TEXT_LAYOUTS[prefix], EXPECTED_TABLES[prefix]
        text = path.read_text(encoding="utf-8")
        year = read_text(text).year
        case = Case(path.name, truth, read=lambda text=text: read_text(text).tables,
                    parse=lambda text=text, year=year: parse_report(text, html=None, year=year).tables)
        layouts.append(Layout(f"text (real {prefix}): {description}", "text", [case]))
    return layouts


# --- scoring and timing ----------------------------------------------------------------------


def _cells(tables: Tables) -> Iterator[tuple[str, object]]:
    for name, rows in tables.items():
        for row, columns in rows.items():
            for column, value in columns.items():
                yield f"{name}.{row}.{column}", value


def score(layout: Layout, case: Case, got: Tables) -> None:
    """Add one report's cells to ``layout``: every expected cell, plus any number the parser put elsewhere."""
    read = dict(_cells(got))
    expected = dict(_cells(case.truth))
    for key, want in expected.items():
        have = read.get(key)
        layout.cells += 1
        layout.nulls += want is None
        if have == want and (have is None) == (want is None):
            layout.right += 1
        elif have is None:
            layout.missing.append(Cell(layout.name, case.name, key, want, None))
        else:
            layout.wrong.append(Cell(layout.name, case.name, key, want, have))
    for key, have in read.items():
        if key not in expected and have is not None:
            layout.cells += 1
            layout.wrong.append(Cell(layout.name, case.name, key, None, have))


def _per_second(calls: list[Callable[[], object]], runs: int, floor: float) -> float:
    """Reports per second: the median of ``runs`` passes, each repeated until it lasts ``floor`` seconds."""

    def one_pass() -> float:
        done, seconds = 0, 0.0
        while seconds < floor or not done:
            _result, took = timed(lambda: [call() for call in calls])
            done, seconds = done + len(calls), seconds + took
        return done / seconds

    return median(one_pass() for _ in range(max(runs, 1)))


def measure(layout: Layout, options: Options) -> Layout:
    """Score the row's reports, then time them; the scoring pass is the timed one in quick mode and for
    scans, whose OCR takes seconds a page (the files comparison times them closely)."""
    started = perf_counter()
    for case in layout.cases:
        score(layout, case, _safe(case.read, layout.unreadable, case.name))
    first = len(layout.cases) / (perf_counter() - started)
    once = options.quick or layout.group == "ocr"
    runs, floor = (1, 0.0) if once else (options.runs, FLOOR)
    reads = [lambda case=case: _safe(case.read, [], case.name) for case in layout.cases]
    layout.read_rate = first if once else _per_second(reads, runs, floor)
    if all(case.parse is not None for case in layout.cases):
        layout.parse_rate = _per_second([case.parse for case in layout.cases], runs, floor)
    return layout


# --- the section ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    """A percentage that never rounds up to 100.0% or down to 0.0% when it is not exactly that."""
    if not whole:
        return "–"
    tenths = 1000 * part / whole
    shown = math.floor(tenths) if part < whole else tenths
    shown = max(shown, 1) if part else 0
    return f"{shown / 10:.1f}%"


def _rate(rate: float | None) -> float | str:
    return "–" if rate is None else rate


def _combined_rate(layouts: list[Layout], parse: bool = False) -> float:
    """Reports per second over several rows: total reports over total seconds."""
    rates = [(len(layout.cases), layout.parse_rate if parse else layout.read_rate) for layout in layouts]
    seconds = sum(count / rate for count, rate in rates if rate)
    return sum(count for count, _rate in rates) / seconds if seconds else 0.0


def _value(value: object) -> str:
    return "null" if value is None else str(value)


def _cell_list(title: str, cells: list[Cell]) -> str:
    shown: list[Cell] = []
    per_layout: dict[str, int] = {}
    for cell in cells:
        if per_layout.get(cell.layout, 0) < LISTED_PER_LAYOUT:
            per_layout[cell.layout] = per_layout.get(cell.layout, 0) + 1
            shown.append(cell)
    rows = [(c.layout, c.report, f"`{c.key}`", _value(c.expected), _value(c.got)) for c in shown]
    return (f"{title} ({len(shown)} of {len(cells)}, at most {LISTED_PER_LAYOUT} per layout):\n\n"
            + table(["layout", "report", "cell", "expected", "got"], rows, align="lllrr"))


def section(layouts: list[Layout], notes: list[str], seconds: float) -> Section:
    rows = [
        (layout.name, len(layout.cases), layout.cells, layout.nulls, layout.right, len(layout.wrong),
         len(layout.missing), _share(layout.right, layout.cells), layout.read_rate, _rate(layout.parse_rate))
        for layout in layouts
    ]
    cells = sum(layout.cells for layout in layouts)
    right = sum(layout.right for layout in layouts)
    wrong = [cell for layout in layouts for cell in layout.wrong]
    missing = [cell for layout in layouts for cell in layout.missing]
    reports = sum(len(layout.cases) for layout in layouts)
    farm = [layout for layout in layouts if layout.group == "farm"]
    body = [table(["layout", "reports", "cells", "null expected", "right", "wrong", "missing", "right %",
                   "reports/s end to end", "reports/s parse only"], rows, align="lrrrrrrrrr")]
    if wrong:
        body.append(_cell_list("Wrong cells", wrong))
    if missing:
        body.append(_cell_list("Missing cells", missing))
    unreadable = [reason for layout in layouts for reason in layout.unreadable]
    if unreadable:
        body.append("Unreadable (all their cells count as missing): " + "; ".join(unreadable) + ".")
    body += notes
    ocr = any(layout.group == "ocr" for layout in layouts)
    headlines = [
        f"Parsing: {_share(right, cells)} of {cells:,} table cells right, {len(wrong):,} wrong, "
        f"{len(missing):,} missing ({_share(len(missing), cells)}) over {len(layouts)} layouts ({reports} reports"
        f"{', OCR scans included' if ocr else ', no OCR'})",
        f"Parsing speed: {_combined_rate(farm):.0f} reports/s end to end on farm HTML pages, "
        f"{_combined_rate(farm, parse=True):.0f} reports/s parsing their extracted text and tables",
    ]
    figures = {
        "cells": cells, "right": right, "wrong": len(wrong), "missing": len(missing),
        "layouts": {
            layout.name: {"group": layout.group, "reports": len(layout.cases), "cells": layout.cells,
                          "nulls": layout.nulls, "right": layout.right, "wrong": len(layout.wrong),
                          "missing": len(layout.missing), "read_rate": layout.read_rate,
                          "parse_rate": layout.parse_rate}
            for layout in layouts
        },
    }
    return Section(key="parsing", title="Parsing", method=METHOD, body="\n\n".join(body), headlines=headlines,
                   figures=figures, seconds=seconds)


METHOD = """\
Every report below has tables known cell by cell without parsing it. **Farm pages**: each report of the
test portal farm (`harvester.farm`) at its first address, in the markup its portal uses (plain HTML or
Word-exported `MsoNormalTable`) and its format version; the truth is the numbers the farm drew, with the
cells the page leaves blank (a portal's blank mark) expected as null. The pre2019 report's local table maps
onto no canonical key by design, so it has no cells. **Corpus**: the layout corpus of
`tests/test_parse_html_tables.py` rendered with its own generator (official layout, tables split
mid-table, one table for all three, unit/thousands/full-width numbers, six blank marks, 2019 format,
GB18030 bytes). **Files**: the fixtures of `tests/data/files` (one invented report as PDF, DOCX, DOC, WPS,
RTF and scans, expected `make_fixtures.EXPECTED`; the PNG scan shows only the reviews table) and two real
PDFs whose tables `tests/test_extract_files_pdf.py` transcribes by hand. **Text**: the five real report
flattenings of `shared/examples/report-text`, expected as `tests/report_text_truth.py` transcribes them
(in 003 the flattening lost blank cells, and cells no reader can place are expected null).

A cell is every cell of the expected tables plus any number the parser put where none is expected.
**Right**: the parser's value equals the expected one (a null where null is expected counts; "null
expected" says how many such cells there are). **Wrong**: a number that differs from the expected one, or a
number where a null or nothing is expected. **Missing**: a number is expected and the parser gives null or
no cell. Pages and files are read with `harvester.document.read_document` (decode, extract, parse, check)
and text with `read_text`; "reports/s end to end" times exactly that from bytes in memory (text in memory
for flattenings), "parse only" times `parse_report` on the text and HTML extracted beforehand (not for
files, whose reading is most of the work). Each figure is the median of the runs, each pass over a row's
reports repeated until it lasts 0.1 s; nothing is read from disk while timed. Scans are read by OCR once,
and that first read (model loading included) is the timed one; so is every row's in quick mode."""


def run(options: Options) -> Section:
    started = perf_counter()
    notes: list[str] = []
    layouts = [*_farm(), *_corpus(), *_files(options, notes), *_texts()]
    for layout in layouts:
        measure(layout, options)
    return section(layouts, notes, perf_counter() - started)
