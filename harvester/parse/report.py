"""One report parsed end to end: tables (HTML first, then text), format, sections, checks."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from harvester.parse.checks import run_checks
from harvester.parse.html_tables import parse_html_document, tables_from_html
from harvester.parse.schema import Check, ParsedTables, Tables
from harvester.parse.sections import split_sections

_COLUMNS_2021 = frozenset({"issued", "repealed", "in_force", "amount_10k_yuan"})
_COLUMNS_2019 = frozenset({"produced", "published", "published_total", "items_last_year", "change", "items", "amount"})
_ROWS_2021 = frozenset({"other_no_correction", "other_unpaid_fee", "other_other"})
#: Column labels that only one format prints, for text whose tables were not mapped.
_TEXT_2021 = re.compile(r"本年制发件数|本年废止件数|现行有效件数|逾期不补正")
_TEXT_2019 = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量")


def _format_from_tables(tables: Tables) -> str | None:
    """The layout's own evidence: the split 其他处理 rows, then the 第二十条 columns, then a single 其他处理.

    The 第二十条 columns outrank a single 其他处理 row: some 2021-format reports
    print the three 其他处理 rows as one.
    """
    applications = tables.get("applications", {})
    if any(row in applications for row in _ROWS_2021):
        return "2021"
    columns = {column for row in tables.get("active", {}).values() for column in row}
    votes_2021, votes_2019 = len(columns & _COLUMNS_2021), len(columns & _COLUMNS_2019)
    if votes_2021 != votes_2019:
        return "2021" if votes_2021 > votes_2019 else "2019"
    if "other" in applications:
        return "2019"
    return None


def detect_format_version(tables: Tables, year: int | None, text: str = "") -> str:
    """``2021``, ``2019``, ``pre2019`` or ``unknown``: the table's own layout first,
    then the format's column labels in the text, then the reporting year.

    >>> detect_format_version({"applications": {"other": {}}}, 2022)
    '2019'
    >>> detect_format_version({}, 2020)
    '2019'
    >>> detect_format_version({}, 2015), detect_format_version({}, None)
    ('pre2019', 'unknown')
    """
    found = _format_from_tables(tables)
    if found:
        return found
    in_2021, in_2019 = bool(_TEXT_2021.search(text or "")), bool(_TEXT_2019.search(text or ""))
    if in_2021 != in_2019:
        return "2021" if in_2021 else "2019"
    if year is None:
        return "unknown"
    if year >= 2021:
        return "2021"
    if year >= 2019:
        return "2019"
    if year >= 2008:
        return "pre2019"
    return "unknown"


@dataclass
class ParsedReport:
    """Everything parsing makes of one report's text (and page)."""

    format_version: str
    tables: Tables
    sections: dict[str, str]
    checks: list[Check]
    notes: list[str] = field(default_factory=list)
    table_source: str = "none"  # "html", "text" or "none"

    def tables_json(self) -> dict:
        """The export record's ``tables``: plain dicts, absent tables left out."""
        return {name: copy.deepcopy(rows) for name, rows in self.tables.items() if rows}

    def checks_json(self) -> list[dict]:
        """The export record's ``checks``."""
        return [check.as_dict() for check in self.checks]


def _tables_from_text(text: str, hint: str | None) -> ParsedTables:
    """The text parser, when it exists (it is written alongside this module)."""
    try:
        from harvester.parse.text_tables import tables_from_text
    except ImportError:
        return ParsedTables(notes=["text table parser not available"])
    return tables_from_text(text, hint)


def _page_text(html: str | bytes) -> str:
    """Plain text of a page, block by block; only used when no text was given."""
    root = parse_html_document(html)
    if root is None:
        return ""
    for element in root.iter("script", "style"):
        element.text = ""
    for element in root.iter("p", "div", "br", "tr", "h1", "h2", "h3", "h4", "li"):
        element.tail = "\n" + (element.tail or "")
    return re.sub(r"\n\s*\n+", "\n", root.text_content())


def parse_report(text: str, html: str | bytes | None = None, year: int | None = None) -> ParsedReport:
    """Parse one report. Tables come from the HTML when it has them, else from
    the text; a ``pre2019`` report keeps its text and sections but no tables
    (its local 统计指标 do not map onto the canonical keys).
    """
    text = text or ""
    notes: list[str] = []
    parsed = ParsedTables()
    source = "none"
    if html:
        parsed = tables_from_html(html)
        if parsed.tables:
            source = "html"
        if not text.strip():
            text = _page_text(html)
    if not parsed.tables and text.strip():
        parsed = _tables_from_text(text, detect_format_version({}, year, text))
        if parsed.tables:
            source = "text"
    notes.extend(parsed.notes)
    tables = {name: rows for name, rows in parsed.tables.items() if rows}
    format_version = detect_format_version(tables, year, text)
    if format_version == "pre2019" and tables:
        notes.append("pre2019 report: tables not mapped")
        tables, source = {}, "none"
    return ParsedReport(
        format_version=format_version,
        tables=tables,
        sections=split_sections(text),
        checks=run_checks(tables, format_version, text),
        notes=notes,
        table_source=source,
    )
