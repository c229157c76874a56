"""Reading one captured file into a :class:`~harvester.items.Document`: decode, extract, parse.

Pure: no Scrapy, no database. The spider's pipeline, ``harvester parse`` and
``harvester reparse`` all read reports through :func:`read_document`, so a
saved file and a crawled page give the same record.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from harvester.cputime import stage
from harvester.extract import extract_page
from harvester.extract.decode import decode_html
from harvester.extract.files import (
    FILE_KINDS,
    FileText,
    UnreadableFile,
    read_file,
    sniff_file,
)
from harvester.extract.files.base import file_title
from harvester.extract.metadata import clean_title, report_identity
from harvester.items import Document
from harvester.parse.report import ParsedReport, parse_report

#: Bumped whenever parsing changes what it returns, so reparse can find stale versions.
PARSER_VERSION = "1"

_WHITESPACE = re.compile(r"\s+")


class UnreadableDocument(ValueError):
    """The file is not a report format harvester can read; the message says why in one line."""


def content_hash(text: str) -> str:
    """SHA-256 of the text with NFKC applied and all whitespace removed.

    Reposts differ in spacing, full-width forms and line breaks, never in words;
    this is the key of exact de-duplication.
    """
    normalised = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


#: Kept for callers of the old name: the bytes decide, then the Content-Type, then the name.
sniff_type = sniff_file


def read_document(body: bytes, url: str | None = None, content_type: str | None = None) -> Document:
    """Read an HTML page, plain text or a report file (PDF, DOCX, DOC, WPS, RTF, XLS(X), image)
    into a Document; raise UnreadableDocument with a one-line reason otherwise."""
    kind = sniff_file(body, content_type, url)
    if kind in ("html", "text") and looks_binary(body):
        raise UnreadableDocument(f"binary data served as {kind}")
    if kind == "html":
        with stage("extract"):
            html, _encoding = decode_html(body, content_type)
            page = extract_page(html, url)
        require_text(page.text)
        with stage("parse"):
            parsed = parse_report(page.text, html=html, year=page.year)
        return _document(page.text, parsed, "html", title=page.title or "", agency=page.agency, year=page.year,
                         published_at=page.published_at, site_id_code=page.site_id_code)
    if kind == "text":
        return read_text(_decode_text(body))
    if kind in FILE_KINDS:
        try:
            with stage("extract"):
                read = read_file(body, kind)
            return read_file_text(read)
        except UnreadableFile as exc:
            raise UnreadableDocument(str(exc)) from None
    raise UnreadableDocument("not a report format harvester reads (binary data of unknown kind)")


#: A report has paragraphs of Chinese; fewer CJK characters than this is a shell, an image page or garbage.
MIN_REPORT_CJK = 50
_CJK = re.compile(r"[\u3400-\u9fff]")


def looks_binary(body: bytes) -> bool:
    """NUL bytes or a high share of control bytes in the first 8 KiB: not text, whatever the header says."""
    head = body[:8192]
    if not head:
        return False
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return b"\x00" in head or controls / len(head) > 0.05


def require_text(text: str) -> None:
    """Refuse a page with no real text: its empty hash would merge unrelated pages into one report."""
    if len(_CJK.findall(text)) < MIN_REPORT_CJK:
        raise UnreadableDocument(f"no report text ({len(text)} characters extracted)")


def _decode_text(body: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument("plain text is neither UTF-8 nor GB18030")


def _document(text: str, parsed: ParsedReport, source_type: str, **metadata) -> Document:
    """The Document of a read text and its parse; ``metadata`` are title, agency, year and the like."""
    return Document(
        text=text,
        source_type=source_type,
        content_hash=content_hash(text),
        format_version=parsed.format_version,
        table_source=parsed.table_source,
        sections=parsed.sections,
        tables=parsed.tables,
        checks=[check.as_dict() for check in parsed.checks],
        notes=parsed.notes,
        **metadata,
    )


def read_file_text(read: FileText) -> Document:
    """A Document from what a file reader found: its tables as HTML first, else its text.

    Tables read by OCR are marked (``table_source`` ``ocr`` and a note): a
    misread digit can pass a check by chance, so they are never presented as
    read from the document itself.
    """
    text = read.text
    require_text(text)
    title = file_title(text) or _first_title_line(text)
    agency, year = report_identity(title, text)
    with stage("parse"):
        parsed = parse_report(text, html=read.html_tables, year=year)
    document = _document(text, parsed, read.source_type, title=title, agency=agency, year=year)
    document.notes = [*read.notes, *parsed.notes]
    if read.ocr_pages and parsed.tables:
        document.table_source = "ocr"
        document.notes.append("tables read by OCR: numbers not verified against the document, checks may pass by chance")
    return document


def read_text(text: str) -> Document:
    """A report given as plain text (flattened elsewhere): title from its first report-like line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    require_text(text)
    title = _first_title_line(text)
    agency, year = report_identity(title, text)
    with stage("parse"):
        parsed = parse_report(text, html=None, year=year)
    return _document(text, parsed, "text", title=title, agency=agency, year=year)


_TITLE_LINE = re.compile(r"(19|20)\d{2}年度?.{0,12}(政府)?信息公开.{0,6}(年度报告|年报)")
_MARKUP = re.compile(r"^[#*>\s]+|[*\s]+$")


def _first_title_line(text: str) -> str:
    """The report's title when a flattened text starts with it (markdown marks and odd spaces removed)."""
    for line in text.splitlines()[:40]:
        line = clean_title(_MARKUP.sub("", line)).strip("《》")
        if 8 <= len(line) <= 80 and _TITLE_LINE.search(line):
            return line
        match = re.search(r"《([^》]{6,60}(年度报告|年报))》", line)
        if match:
            return match.group(1)
    return ""
