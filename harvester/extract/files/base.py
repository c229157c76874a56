"""What every file reader returns, and the HTML form its tables take.

Readers hand their real tables to the parser as ``<table>`` markup, so the one
HTML table parser (``parse/html_tables.py``) reads DOCX, PDF and scan tables
alike: no second table parser to keep in step.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class FileText:
    """The text of one file in reading order, its tables as HTML, and what reading it noticed."""

    text: str
    html_tables: str | None
    pages: int
    notes: list[str] = field(default_factory=list)
    source_type: str = "pdf"
    ocr_pages: int = 0


@dataclass(frozen=True)
class GridCell:
    """One cell of a table at its top-left grid position, with its spans."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def table_html(cells: Iterable[GridCell]) -> str:
    """A ``<table>`` from placed cells: rows in order, rowspan/colspan kept, no empty ``<tr>`` lost.

    >>> table_html([GridCell(0, 0, "a", colspan=2), GridCell(1, 0, "1"), GridCell(1, 1, "2")])
    '<table><tr><td colspan="2">a</td></tr><tr><td>1</td><td>2</td></tr></table>'
    """
    rows: dict[int, list[GridCell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    if not rows:
        return ""
    out = ["<table>"]
    for index in range(max(rows) + 1):
        out.append("<tr>")
        for cell in sorted(rows.get(index, ()), key=lambda c: c.col):
            spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            text = "<br>".join(html.escape(line) for line in cell.text.splitlines())
            out.append(f"<td{spans}>{text}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def rows_html(rows: Sequence[Sequence[str]]) -> str:
    """A ``<table>`` from plain rows of cell texts (no merged cells)."""
    return table_html(GridCell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row))


_BLANK_LINES = re.compile(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")


def tidy_text(pages: Iterable[str]) -> str:
    """Pages joined into one text: page-number lines (``- 3 -``, ``第3页 共5页``) dropped, blank runs folded.

    >>> tidy_text(["报告\\n- 1 -", "正文\\n第2页 共2页"])
    '报告\\n正文'
    """
    lines: list[str] = []
    for page in pages:
        for line in page.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if _PAGE_NUMBER.match(line):
                continue
            lines.append(line.rstrip())
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


_SPACE = re.compile(r"\s+")
_REPORT_TITLE = re.compile(r"(?:19|20)\d{2}年度?.{0,16}信息公开.{0,8}(?:年度报告|年报)$")
_AGENCY_LINE = re.compile(r"^[\u3400-\u9fff（）()]{2,30}$")


def file_title(text: str) -> str:
    """The report's title from a file's first lines, where layout often breaks it in two
    (``洪泽区人民政府`` / ``2023 年政府信息公开工作年度报告``) and puts spaces around numbers.

    >>> file_title("洪泽区人民政府\\n2023 年政府信息公开工作年度报告\\n本报告由…")
    '洪泽区人民政府2023年政府信息公开工作年度报告'
    """
    lines = [_SPACE.sub("", line).strip("《》") for line in text.splitlines()[:16] if line.strip()]
    for index, line in enumerate(lines[:10]):
        previous = lines[index - 1] if index else ""
        candidates = ([previous + line] if _AGENCY_LINE.match(previous) and line[:1] not in "（(" else []) + [line]
        for candidate in candidates:
            if 8 <= len(candidate) <= 80 and _REPORT_TITLE.search(candidate):
                return candidate
    return ""
