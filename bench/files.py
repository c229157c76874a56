"""Files: seconds per page for PDF, DOCX, DOC, WPS, RTF and OCR, on the fixtures of tests/data/files and real PDFs.

Each timing is the path ``read_document`` takes for a file, end to end: sniff,
read, convert, parse, check. The PDF text layer is the peer: it is the
cheapest way a report file is read, so every other type is priced against it.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pypdfium2

from bench.core import ROOT, Options, Section, median, ratio, table
from harvester.document import read_file_text
from harvester.extract.files import FileText, read_file, sniff_file
from harvester.items import Document

KEY = "files"
TITLE = "Files"
FILES = ROOT / "tests" / "data" / "files"
REAL = ROOT.parent / "shared" / "examples" / "real-pages"
CASES = [
    FILES / "report.pdf", REAL / "201_hongze_district_2023_report.pdf", REAL / "203_huaian_city_2024_report.pdf",
    FILES / "report.docx", FILES / "report.doc", FILES / "report.wps", FILES / "report.rtf",
    FILES / "report_scan.png", FILES / "report_scan.pdf",
]
#: Summary rows, in order; scanned files (``image`` documents) are the ``ocr`` type.
TYPES = ("pdf", "docx", "doc", "wps", "rtf", "ocr")
#: The DOCX, DOC, WPS and RTF fixtures are one document, printed as report.pdf by tests/data/files/make_fixtures.py.
PRINTED = FILES / "report.pdf"
#: What reads each type, for the headline.
ENGINES = {"doc": "LibreOffice", "wps": "LibreOffice", "ocr": "RapidOCR"}


@dataclass
class FileResult:
    name: str
    type: str
    pages: int
    table_source: str
    seconds: float

    @property
    def per_page(self) -> float:
        return self.seconds / self.pages


def read_once(body: bytes, name: str) -> tuple[Document, FileText]:
    """What ``read_document`` does with a file, keeping the reader's result for its page count."""
    kind = sniff_file(body, None, name)
    read = read_file(body, kind)
    return read_file_text(read), read


def page_count(path: Path, read: FileText) -> int:
    """Pages as printed: a PDF's or image's own; for the Word and RTF fixtures, their printed PDF's.

    Neither the reader's count nor a rendering here will do for those: the count a
    DOCX saves (``docProps/app.xml``) is whatever the writing program last computed
    (1 for the 3-page fixture), and a LibreOffice rendering depends on the fonts
    installed (2 pages without CJK fonts).
    """
    if read.source_type in ("pdf", "image") or path.parent != FILES:
        return read.pages
    document = pypdfium2.PdfDocument(PRINTED)
    try:
        return len(document)
    finally:
        document.close()


def measure_file(path: Path, runs: int) -> FileResult:
    body = path.read_bytes()
    seconds, document, read = [], None, None
    for _ in range(runs):
        started = time.perf_counter()
        document, read = read_once(body, path.name)
        seconds.append(time.perf_counter() - started)
    assert document is not None and read is not None
    doc_type = "ocr" if document.source_type == "image" else document.source_type
    return FileResult(path.name, doc_type, page_count(path, read), document.table_source or "", median(seconds))


def run(options: Options) -> Section:
    started = time.perf_counter()
    has_soffice = shutil.which("soffice") is not None
    skipped: list[str] = []
    if options.quick or not options.ocr:
        skipped.append(f"Scans (OCR) skipped: {'quick mode' if options.quick else 'OCR turned off'}.")
    if not has_soffice:
        skipped.append("DOC/WPS skipped: LibreOffice not installed")
    read_once(PRINTED.read_bytes(), PRINTED.name)  # untimed: the first file must not pay for imports
    results: list[FileResult] = []
    for path in CASES:
        scan = "scan" in path.name
        if (scan and (options.quick or not options.ocr)) or (path.suffix in (".doc", ".wps") and not has_soffice):
            continue
        if not path.exists():
            skipped.append(f"{path.name} skipped: not found.")
            continue
        results.append(measure_file(path, 1 if scan else options.runs))
    body = "\n\n".join([*skipped, _files_table(results), _types_table(results)])
    figures = {"files": [asdict(r) for r in results], "seconds_per_page": per_type(results)}
    return Section(KEY, TITLE, _method(options), body, headlines=_headlines(results), figures=figures,
                   seconds=time.perf_counter() - started)


def per_type(results: list[FileResult]) -> dict[str, float]:
    """Median seconds per page across the files of each type, in :data:`TYPES` order."""
    return {kind: median(r.per_page for r in results if r.type == kind)
            for kind in TYPES if any(r.type == kind for r in results)}


def _method(options: Options) -> str:
    return (
        "Each file is read the way `read_document` reads a file (sniff, read, convert, parse, check), in process; "
        f"median of {options.runs} run(s), scanned files once (OCR costs seconds a page and varies little). "
        "Pages: a PDF's or image's own; the DOCX, DOC, WPS and RTF fixtures are one document whose print is "
        "`report.pdf`, so they count its pages (the count a DOCX saves is stale, and a rendering here depends on "
        "the fonts installed). DOC and WPS go through LibreOffice (a `soffice` "
        "process per file), scans through RapidOCR. The peer is the PDF text layer, the cheapest way a report "
        "file is read."
    )


def _files_table(results: list[FileResult]) -> str:
    return table(["file", "type", "pages", "tables from", "seconds (median)", "seconds per page"],
                 [[r.name, r.type, r.pages, r.table_source, r.seconds, r.per_page] for r in results])


def _types_table(results: list[FileResult]) -> str:
    figures = per_type(results)
    pdf = figures.get("pdf", 0.0)
    return table(["type", "files", "seconds per page (median)", "vs PDF text layer"],
                 [[kind, sum(r.type == kind for r in results), value, ratio(value, pdf)]
                  for kind, value in figures.items()])


def _headlines(results: list[FileResult]) -> list[str]:
    figures = per_type(results)
    parts = [f"{kind.upper()} {_figure(value)}" + (f" ({ENGINES[kind]})" if kind in ENGINES else "")
             for kind, value in figures.items() if kind != "wps"]
    if "ocr" not in figures:
        parts.append("OCR skipped")
    return ["Files: s/page " + ", ".join(parts)]


def _figure(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2g}"
