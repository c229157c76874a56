"""XLSX (openpyxl) and XLS (xlrd): every sheet as a table, and its rows as tab-separated text.

Some portals publish the statistics tables alone as a workbook; each sheet goes
to the HTML table parser as one ``<table>`` (merged ranges kept as spans).
"""

from __future__ import annotations

import io

from harvester.extract.files.base import FileText, GridCell, table_html, tidy_text
from harvester.extract.files.docx import check_zip
from harvester.extract.files.limits import UnreadableFile, check_size

#: Rows and columns read per sheet: a report table has < 100 rows and < 20 columns;
#: a sheet claiming a million rows is not a report table.
MAX_ROWS = 2_000
MAX_COLS = 60


def _format(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet(grid: list[list[str]], merges: list[tuple[int, int, int, int]]) -> tuple[str, list[str]]:
    """HTML and text lines of one sheet; ``merges`` are (first row, last row, first col, last col), inclusive."""
    covered: set[tuple[int, int]] = set()
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, r1, c0, c1 in merges:
        spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
    cells = [
        GridCell(r, c, text, *spans.get((r, c), (1, 1)))
        for r, row in enumerate(grid)
        for c, text in enumerate(row)
        if (r, c) not in covered
    ]
    lines = ["\t".join(row).rstrip() for row in grid]
    return table_html(cells), [line for line in lines if line.strip()]


def read_xlsx(body: bytes) -> FileText:
    import openpyxl

    check_size(body, "XLSX")
    check_zip(body, "XLSX")
    try:
        book = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken packages
        raise UnreadableFile(f"not a readable XLSX ({type(exc).__name__})") from None
    tables, lines = [], []
    for sheet in book.worksheets:
        grid = [[_format(v) for v in row[:MAX_COLS]] for row in sheet.iter_rows(max_row=MAX_ROWS, values_only=True)]
        merges = [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        html, text = _sheet(grid, merges)
        tables.append(html)
        lines += [sheet.title, *text]
    return FileText(text=tidy_text(["\n".join(lines)]), html_tables="\n".join(t for t in tables if t) or None,
                    pages=len(book.worksheets), source_type="xls")


def read_xls(body: bytes) -> FileText:
    import xlrd

    check_size(body, "XLS")
    try:
        book = xlrd.open_workbook(file_contents=body, formatting_info=False, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, struct errors, … on broken files
        raise UnreadableFile(f"not a readable XLS ({type(exc).__name__})") from None
    tables, lines = [], []
    for sheet in book.sheets():
        grid = [[_format(sheet.cell_value(r, c)) for c in range(min(sheet.ncols, MAX_COLS))]
                for r in range(min(sheet.nrows, MAX_ROWS))]
        merges = [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        html, text = _sheet(grid, merges)
        tables.append(html)
        lines += [sheet.name, *text]
    return FileText(text=tidy_text(["\n".join(lines)]), html_tables="\n".join(t for t in tables if t) or None,
                    pages=book.nsheets, source_type="xls")
