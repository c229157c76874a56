"""PDF: text in reading order with pdfium, drawn tables with pdfplumber, OCR for pages without text.

pdfium (pypdfium2) gives each page's text in content order 15-40x faster than
pdfminer and keeps a table row on one line; pdfplumber finds tables from the
ruling lines people draw in WPS/Word and gives each cell's box, from which the
merged cells' rowspan/colspan are rebuilt. A table that ends at the foot of a
page and goes on at the top of the next with the same number of columns is one
table. See README "Reading files" for the measured comparison.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from harvester.extract.files.base import FileText, GridCell, table_html, tidy_text
from harvester.extract.files.limits import (
    MAX_OCR_PAGES,
    MAX_PAGE_OBJECTS,
    MAX_PDF_PAGES,
    PDF_SECONDS,
    Deadline,
    UnreadableFile,
    check_size,
)

log = logging.getLogger(__name__)

#: A page with fewer characters of text than this has no text layer worth the
#: name (a scan with a stray page number); it is OCR'd.
MIN_TEXT_CHARS = 20
#: Resolution scans are rendered at for OCR: 150 dpi keeps 10.5 pt CJK glyphs
#: about 22 px high, what the PaddleOCR models are trained on.
OCR_DPI = 150
#: Coordinates within this many points are the same ruling line.
SNAP = 2.0
#: Filled rectangles thicker than this are backgrounds (WPS paints one behind
#: every text line), not ruling lines.
RULE_THICKNESS = 2.0
#: How much text (in lines) may sit between a table and its page's edge for the
#: table still to "start at the top" / "end at the foot" (page headers/numbers).
EDGE_LINES = 1

OcrPage = Callable[["object"], str]


@dataclass
class _PageTable:
    cells: list[GridCell]
    rows: int
    cols: int
    starts_page: bool
    ends_page: bool


def read_pdf(body: bytes, ocr: OcrPage | None = None) -> FileText:
    """Text and tables of a PDF; pages without a text layer go to ``ocr`` (a PIL image → text).

    ``ocr`` defaults to :func:`harvester.extract.files.ocr.ocr_image`; tests pass a stub.
    """
    check_size(body, "PDF")
    deadline = Deadline(PDF_SECONDS, "reading the PDF")
    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(f"not a readable PDF ({exc})") from None
    try:
        count = len(document)
        if count == 0:
            raise UnreadableFile("PDF has no pages")
        if count > MAX_PDF_PAGES:
            raise UnreadableFile(f"PDF has {count} pages, over the {MAX_PDF_PAGES} page limit")
        texts, ruled, scanned = _page_texts(document, deadline)
        notes: list[str] = []
        ocr_done = 0
        if scanned:
            ocr_done = _ocr_pages(document, scanned, texts, notes, ocr, deadline)
    finally:
        document.close()
    tables = _tables(body, ruled, deadline, notes) if ruled else []
    text_pages = count - len(scanned)
    source_type = "image" if ocr_done and text_pages == 0 else "pdf"
    if ocr_done:
        notes.append(f"text of {ocr_done} of {count} pages read by OCR")
    return FileText(
        text=tidy_text(texts),
        html_tables="\n".join(tables) or None,
        pages=count,
        notes=notes,
        source_type=source_type,
        ocr_pages=ocr_done,
    )


def _page_texts(document: pdfium.PdfDocument, deadline: Deadline) -> tuple[list[str], list[int], list[int]]:
    """Each page's text; the pages with drawn lines (table candidates); the pages without text."""
    texts: list[str] = []
    ruled: list[int] = []
    scanned: list[int] = []
    for index in range(len(document)):
        deadline.check()
        page = document[index]
        try:
            objects = pdfium_c.FPDFPage_CountObjects(page.raw)
            textpage = page.get_textpage()
            text = textpage.get_text_bounded()
            textpage.close()
            if len(text.strip()) < MIN_TEXT_CHARS:
                if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)):
                    scanned.append(index)
            elif objects <= MAX_PAGE_OBJECTS:
                if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)):
                    ruled.append(index)
        finally:
            page.close()
        texts.append(text)
    return texts, ruled, scanned


def _ocr_pages(
    document: pdfium.PdfDocument,
    scanned: list[int],
    texts: list[str],
    notes: list[str],
    ocr: OcrPage | None,
    deadline: Deadline,
) -> int:
    if ocr is None:
        from harvester.extract.files.ocr import ocr_image as ocr
    done = 0
    for index in scanned[:MAX_OCR_PAGES]:
        page = document[index]
        try:
            image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
        finally:
            page.close()
        texts[index] = ocr(image)
        done += 1
    if len(scanned) > MAX_OCR_PAGES:
        notes.append(f"OCR stopped after {MAX_OCR_PAGES} pages; {len(scanned) - MAX_OCR_PAGES} scanned pages not read")
    return done


def _is_rule(obj: dict) -> bool:
    """Keep ruling lines; drop filled background boxes (WPS paints one behind each text line)."""
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    return min(obj["width"], obj["height"]) < RULE_THICKNESS


def _closing_lines(page) -> list[dict]:
    """Horizontal lines where vertical rules end without one: a table cut by a page break has no
    bottom (or top) border, and its last row would be lost without them."""
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    horizontals = [e for e in page.edges if e["orientation"] == "h"]
    if not verticals:
        return []
    lines = []
    for y, pick in ((max(e["bottom"] for e in verticals), "bottom"), (min(e["top"] for e in verticals), "top")):
        reaching = [e for e in verticals if abs(e[pick] - y) <= SNAP]
        x0, x1 = min(e["x0"] for e in reaching), max(e["x1"] for e in reaching)
        covered = any(abs(h["top"] - y) <= SNAP and h["x0"] <= x0 + SNAP and h["x1"] >= x1 - SNAP for h in horizontals)
        if len(reaching) >= 2 and not covered:
            lines.append({"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0})
    return lines


def _page_tables(page) -> list[_PageTable]:
    ruled = page.filter(_is_rule)
    settings = {"explicit_horizontal_lines": _closing_lines(ruled)}
    found = []
    text_lines = sorted({round(char["top"]) for char in page.chars if char["text"].strip()})
    for table in ruled.find_tables(settings):
        cells = _grid_cells(table)
        if not cells:
            continue
        rows = max(c.row + c.rowspan for c in cells)
        cols = max(c.col + c.colspan for c in cells)
        _x0, top, _x1, bottom = table.bbox
        if cols < 2 or (rows < 2 and top > page.height / 4):
            continue
        above = sum(1 for y in text_lines if y < top - SNAP)
        below = sum(1 for y in text_lines if y > bottom + SNAP)
        found.append(_PageTable(cells, rows, cols, above <= EDGE_LINES, below <= EDGE_LINES))
    return found


def _grid_cells(table) -> list[GridCell]:
    """Cells of a pdfplumber table placed on the grid of its distinct cell edges, with spans."""
    boxed = [
        (box, text)
        for row, row_texts in zip(table.rows, table.extract())
        for box, text in zip(row.cells, row_texts)
        if box is not None
    ]
    if not boxed:
        return []
    boxes = [box for box, _text in boxed]
    xs = _snap([x for box in boxes for x in (box[0], box[2])])
    ys = _snap([y for box in boxes for y in (box[1], box[3])])
    cells = []
    for (x0, top, x1, bottom), text in boxed:
        col, col_end = _index(xs, x0), _index(xs, x1)
        row, row_end = _index(ys, top), _index(ys, bottom)
        cells.append(GridCell(row, col, (text or "").strip(), max(1, row_end - row), max(1, col_end - col)))
    return cells


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > SNAP:
            out.append(value)
    return out


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _tables(body: bytes, pages: list[int], deadline: Deadline, notes: list[str]) -> list[str]:
    """HTML of every drawn table, continuations across page breaks joined into one."""
    merged: list[_PageTable] = []
    previous_page = -2
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            for index in pages:
                if deadline.expired():
                    notes.append("table finding stopped: time budget spent")
                    break
                page = pdf.pages[index]
                tables = _page_tables(page)
                page.close()
                for position, table in enumerate(tables):
                    last = merged[-1] if merged else None
                    if (
                        position == 0 and last is not None and previous_page == index - 1
                        and last.ends_page and table.starts_page and last.cols == table.cols
                    ):
                        _append(last, table)
                    else:
                        merged.append(table)
                previous_page = index if tables else previous_page
    except Exception as exc:  # pdfminer raises many kinds on broken files; the text still stands
        log.info("pdf tables: %s", exc)
        notes.append(f"tables not read: {type(exc).__name__}")
        return []
    return [table_html(table.cells) for table in merged]


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _append(last: _PageTable, table: _PageTable) -> None:
    """Join a continuation to the table it continues.

    Its first row is dropped when it repeats the table's header, and folded into
    the previous row when it is the rest of a row the page break cut (label text
    only, under cells that have text above it).
    """
    first = [c for c in table.cells if c.row == 0]
    texts = {c.col: c.text for c in first if c.text}
    header = {c.col: c.text for c in last.cells if c.row == 0 and c.text}
    ending = {c.col: c for c in last.cells if c.row + c.rowspan == last.rows and c.text}
    drop_first = False
    if texts and texts == {col: header.get(col) for col in texts}:
        drop_first = True
    elif texts and not any(_has_digit(t) for t in texts.values()) and all(col in ending for col in texts):
        grown = {id(ending[col]): GridCell(ending[col].row, col, ending[col].text + text, ending[col].rowspan,
                                           ending[col].colspan) for col, text in texts.items()}
        last.cells = [grown.get(id(c), c) for c in last.cells]
        drop_first = True
    shift = last.rows - (1 if drop_first else 0)
    for cell in table.cells:
        row, rowspan = cell.row, cell.rowspan
        if drop_first and row == 0:
            if rowspan == 1:
                continue
            row, rowspan = 1, rowspan - 1
        last.cells.append(GridCell(row + shift, cell.col, cell.text, rowspan, cell.colspan))
    last.rows = shift + table.rows
    last.ends_page = table.ends_page
