"""Statistics tables of an annual report read from its HTML page.

The three tables (第二十条 ``active``, ``applications``, ``reviews``) are found
by their content, not by their position: a page may carry layout tables and
chrome around them, put all three in one ``<table>``, or split one table over
several. Every ``<table>`` is expanded into a grid (rowspan/colspan), its rows
are streamed in document order, and a small state machine decides which
statistics table a row belongs to from markers (申请人情况, 第二十条, 行政复议 …)
and from the row labels themselves.

Values are placed by counting value cells against the expected columns. When a
row has cells missing or extra and the placement of a number is not certain,
the number is left null and a note says why: a wrong number is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from harvester.parse.numbers import classify_cell
from harvester.parse.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICATION_COLUMNS,
    DECIMAL_CELLS,
    REVIEW_CELL_ORDER,
    REVIEW_COLUMNS,
    CellValue,
    ParsedTables,
    Table,
    derived_key,
    first_match,
    match_active_row,
    match_application_row,
    normalise_label,
)

#: Spans beyond these are treated as bounded; ``rowspan`` is also clipped to
#: the rows that remain in its table, so ``rowspan="100000"`` costs nothing.
MAX_COLSPAN = 100
MAX_ROWSPAN = 500
#: Grid slots one table may fill through its spans; past this budget a cell
#: keeps a single slot, so thousands of huge spans cost no more than plain cells.
MAX_SPAN_SLOTS = 100_000
#: Rows whose text is longer than this are prose (a layout cell holding the
#: whole article), never a table marker.
MAX_MARKER_LENGTH = 300

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
)
_SKIP_TAGS = frozenset({"script", "style", "table", "noscript", "template"})
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.I)
_TWO_NUMBERS = re.compile(r"\d\s*\n\s*[\d.]")
_ACTIVE_ITEM_PREFIX = re.compile(r"^(第二十条)?(第\([一二三四五六七八九十]+\)项)?(信息内容)?")

_ACTIVE_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("issued", r"制发"),
        ("repealed", r"废止"),
        ("in_force", r"现行有效"),
        ("amount_10k_yuan", r"收费金额"),
        ("amount", r"总金额"),
        ("items", r"采购项目"),
        ("items_last_year", r"上一?年(度)?项目"),
        ("change", r"增/?减|增加/?减少"),
        ("decisions", r"处理决定"),
        ("produced", r"新制作"),
        ("published_total", r"公开总数"),
        ("published", r"新公开"),
    )
)


def match_active_column(label: str) -> str | None:
    """Map a 第二十条 column header to its key ('本年制发件数' -> 'issued').

    >>> match_active_column("本年收费金额（单位：万元）")
    'amount_10k_yuan'
    >>> match_active_column("本年增/减")
    'change'
    """
    return first_match(_ACTIVE_COLUMN_PATTERNS, label)


# --- HTML to grid rows -------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    norm: str
    kind: str  # "text", "number" or "null"
    value: CellValue
    col: int
    continued: bool  # spilled into this row from a rowspan above
    rowspan: int


@dataclass
class _Row:
    cells: list[_Cell]
    table: int

    @property
    def norm(self) -> str:
        return "".join(c.norm for c in self.cells)


def _decode(data: bytes) -> str:
    """Bytes to text: BOM, then the declared charset, then UTF-8, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    head = data[:4096].decode("ascii", "ignore")
    declared = re.search(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", head, re.I)
    candidates = [declared.group(1).lower()] if declared else []
    candidates = ["gb18030" if c in ("gb2312", "gbk", "x-gbk") else c for c in candidates]
    for encoding in (*candidates, "utf-8", "gb18030"):
        if "escape" in encoding or encoding in ("idna", "punycode", "undefined"):
            continue  # no page's charset: these fail outright or decode escapes into lone surrogates
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeError):
            continue
    return data.decode("utf-8", "replace")


def parse_html_document(html: str | bytes) -> etree._Element | None:
    """The page as an lxml tree, or None when it is empty or unparsable."""
    text = _decode(html) if isinstance(html, bytes) else html
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text or "")
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _cell_text(element: etree._Element) -> str:
    """Text of a cell with block boundaries as newlines; skips nested tables,
    comments (Word's conditional comments) and hidden spans."""
    parts: list[str] = [element.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str):
                tag = child.tag.lower().rsplit(":", 1)[-1] if ":" in child.tag else child.tag.lower()
                hidden = tag in _SKIP_TAGS or bool(_HIDDEN.search(child.get("style") or ""))
                if not hidden:
                    block = tag in _BLOCK_TAGS
                    if block:
                        parts.append("\n")
                    parts.append(child.text or "")
                    walk(child)
                    if block:
                        parts.append("\n")
            parts.append(child.tail or "")

    walk(element)
    return "".join(parts)


def _span(value: str | None, limit: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    if number <= 0:
        return limit
    return min(number, limit)


def _read_cell(text: str) -> tuple[str, str, CellValue]:
    """(normalised label, kind, value) of a cell's text."""
    norm = normalise_label(text)
    if _TWO_NUMBERS.search(text.strip()):
        return norm, "text", None  # two numbers stacked in one cell: unreadable
    kind, value = classify_cell(text)
    return norm, kind, value


def _table_rows(table: etree._Element, index: int) -> list[_Row]:
    """Rows of one table (not of tables nested in it), spans expanded.

    Each row lists the distinct cells covering it, left to right; a cell that
    spans several columns appears once, a cell that spans rows appears in each
    row it covers (flagged ``continued``), so row labels carry their parents.
    """
    trs = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
    occupied: dict[tuple[int, int], tuple[int, str]] = {}
    cell_ids: dict[int, tuple[int, int]] = {}
    span_slots = 0
    for r, tr in enumerate(trs):
        col = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, col) in occupied:
                col += 1
            colspan = _span(td.get("colspan"), MAX_COLSPAN)
            rowspan = _span(td.get("rowspan"), min(MAX_ROWSPAN, len(trs) - r))
            if span_slots + rowspan * colspan > MAX_SPAN_SLOTS:
                rowspan = colspan = 1
            span_slots += rowspan * colspan
            text = _cell_text(td)
            cell_id = len(cell_ids)
            cell_ids[cell_id] = (r, rowspan)
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.setdefault((r + dr, col + dc), (cell_id, text))
            col += colspan
    by_row: dict[int, list[tuple[int, tuple[int, str]]]] = {}
    for (r, c), slot in occupied.items():
        by_row.setdefault(r, []).append((c, slot))
    read: dict[int, tuple[str, str, CellValue]] = {}  # each cell read once, however many rows it spans
    rows: list[_Row] = []
    for r in range(len(trs)):
        cells: list[_Cell] = []
        last_id = None
        for c, slot in sorted(by_row.get(r, ()), key=lambda item: item[0]):
            if slot[0] == last_id:
                continue
            last_id = slot[0]
            origin, rowspan = cell_ids[slot[0]]
            if slot[0] not in read:
                read[slot[0]] = _read_cell(slot[1])
            norm, kind, value = read[slot[0]]
            cells.append(_Cell(slot[1], norm, kind, value, col=c, continued=origin < r, rowspan=rowspan))
        rows.append(_Row(cells=cells, table=index))
    return rows


# --- placing values --------------------------------------------------------------------


def place_values(kinds: list[str], values: list[CellValue], n: int) -> tuple[list[CellValue], bool]:
    """Put a row's value cells into ``n`` columns; return (values, certain).

    Cells that are extra can only be null ones (a blank spacer); a number is
    placed only when every way of dropping the extra nulls puts it in the same
    column. Rows with cells missing are never placed (the gap could be
    anywhere). When one number could sit in two columns the extras were not
    all blank (a duplicated or stray number), so the whole row is None and
    ``certain`` is False.

    >>> place_values(["number", "null", "number"], [1, None, 2], 2)
    ([1, 2], True)
    >>> place_values(["null", "number", "null"], [None, 5, None], 2)
    ([None, None], False)
    >>> place_values(["number", "number", "null"], [1, 2, None], 2)
    ([1, 2], True)
    """
    extra = len(kinds) - n
    if all(kind == "null" for kind in kinds):
        return [None] * n, True
    if extra == 0:
        return list(values), True
    if extra < 0:
        return [None] * n, False
    total_nulls = kinds.count("null")
    if total_nulls < extra:
        return [None] * n, False
    placed: list[CellValue] = [None] * n
    certain = True
    nulls_before = 0
    for j, kind in enumerate(kinds):
        if kind == "null":
            nulls_before += 1
            continue
        low = max(0, extra - (total_nulls - nulls_before))
        high = min(extra, nulls_before)
        if low == high:
            placed[j - low] = values[j]
        elif values[j] is not None:
            certain = False
    if not certain:
        # One number could sit in two columns: the extra cells were not all blank
        # spacers (a duplicated or stray number), so no position in the row is sure.
        return [None] * n, False
    return placed, certain


def _split_row(row: _Row) -> tuple[str, list[_Cell]]:
    """A row's label (its text cells joined) and its value cells.

    The label ends at the last text cell before the first number; everything
    after it is a value position (blank cells before the label are spacers).
    A row whose last label is a group label spanning rows (三、本年度办理结果,
    （六）其他处理 …) has lost its own label and gets none: the group label
    alone would map it to the wrong row.
    """
    cells = row.cells
    first_number = next(
        (i for i, c in enumerate(cells) if c.kind == "number" and not c.continued), len(cells)
    )
    text_positions = [i for i, c in enumerate(cells[:first_number]) if c.kind == "text"]
    if not text_positions:
        return "", cells
    end = text_positions[-1]
    if cells[end].continued or cells[end].rowspan > 1:
        return "", cells[end + 1 :]  # only a parent (group) label: the row's own label is missing
    label = "".join(cells[i].norm for i in text_positions)
    return label, cells[end + 1 :]


# --- the state machine ---------------------------------------------------------------


def _marker(norm: str) -> str | None:
    """Which table a header-like row announces, if any."""
    if len(norm) > MAX_MARKER_LENGTH:
        return None
    if "行政复议" in norm and ("行政诉讼" in norm or "结果维持" in norm):
        return "reviews"
    if "结果维持" in norm and "结果纠正" in norm:
        return "reviews"
    if any(k in norm for k in ("申请人情况", "勾稽关系", "法人或其他组织", "收到和处理")):
        return "applications"
    if any(k in norm for k in ("第二十条", "信息内容", "主动公开政府信息情况", "本年制发件数", "新制作数量")):
        return "active"
    return None


_REVIEW_ROW_PATTERNS = (
    ("litigation_after_review", re.compile(r"复议后")),
    ("litigation_direct", re.compile(r"未经复议|直接起诉")),
    ("review", re.compile(r"行政复议")),
)
_WEAK_APPLICATION_KEYS = frozenset({"total", "other_other"})
_APPLICATION_HEADER_WORDS = ("申请人情况", "勾稽关系", "自然人", "商业企业", "法人或其他组织")


@dataclass
class _Builder:
    tables: dict[str, Table] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    state: str | None = None
    active_columns: list[str] | None = None
    reviews_filled: bool = False

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def feed(self, row: _Row) -> None:
        label, values = _split_row(row)
        has_values = bool(values) and any(c.kind != "text" for c in values)
        marker = _marker(row.norm) if not any(c.kind == "number" for c in row.cells) else _marker(label)
        if marker:
            if marker != self.state and marker == "active":
                self.active_columns = None
            self.state = marker
        elif has_values and label:
            app_key, active_key = match_application_row(label), match_active_row(label)
            if self.state != "applications" and app_key and not active_key and app_key not in _WEAK_APPLICATION_KEYS:
                self.state = "applications"
            elif self.state != "active" and active_key and not app_key:
                self.state = "active"
                self.active_columns = None
        if self.state == "active":
            self._active(row, label, values, has_values)
        elif self.state == "applications":
            self._applications(label, values, has_values)
        elif self.state == "reviews":
            self._reviews(label, values, has_values)

    # -- value helpers

    def _values(
        self, table: str, row_key: str, cells: list[_Cell], columns: list[str] | tuple[str, ...]
    ) -> dict[str, CellValue]:
        for cell in cells:
            if cell.kind == "text":
                self.note(f"{table}.{row_key}: unreadable cell {cell.text.strip()!r} left null")
            if cell.continued and cell.kind == "number":
                self.note(f"{table}.{row_key}: a number spanning rows was not repeated")
        kinds = ["null" if c.continued else c.kind for c in cells]
        raw = [None if c.continued else c.value for c in cells]
        placed, certain = place_values(kinds, raw, len(columns))
        if not certain:
            self.note(
                f"{table}.{row_key}: {len(cells)} value cells for {len(columns)} columns; "
                "placement ambiguous, numbers left null"
            )
        elif len(cells) != len(columns):
            self.note(
                f"{table}.{row_key}: {len(cells)} value cells for {len(columns)} columns; extra blank cells dropped"
            )
        result: dict[str, CellValue] = {}
        for column, value in zip(columns, placed):
            if isinstance(value, float) and (row_key, column) not in DECIMAL_CELLS:
                if value.is_integer():
                    value = int(value)
                else:
                    self.note(f"{table}.{row_key}.{column}: decimal {value} in a count column")
            result[column] = value
        return result

    def _store(self, table: str, row_key: str, values: dict[str, CellValue]) -> None:
        rows = self.tables.setdefault(table, {})
        if row_key not in rows:
            rows[row_key] = values
            return
        existing = rows[row_key]
        for column, value in values.items():
            old = existing.get(column)
            if column not in existing or old is None:
                existing[column] = value
            elif value is not None and value != old:
                existing[column] = None
                self.note(f"{table}.{row_key}.{column}: row printed twice with {old} and {value}; left null")

    # -- the three tables

    def _active(self, row: _Row, label: str, values: list[_Cell], has_values: bool) -> None:
        if not any(c.kind == "number" for c in values):
            columns = self._active_header(row)
            if columns:
                self.active_columns = columns
                return
            if "第二十条" in row.norm:
                self.active_columns = None
                return
        if not has_values:
            return
        own_label = _ACTIVE_ITEM_PREFIX.sub("", label)
        if not own_label:
            self.note("active: a row of numbers without a label was ignored")
            return
        key = match_active_row(own_label)
        if key is None:
            if not any(c.kind == "number" for c in values):
                self.note(f"active: blank row {own_label!r} not in the format was ignored")
                return
            key = derived_key(own_label)
        if self.active_columns is None:
            self.note(f"active.{key}: no column header found; row ignored")
            return
        expected = [set(layout[key]) for layout in (ACTIVE_2021, ACTIVE_2019) if key in layout]
        header = set(self.active_columns)
        if not any(header >= columns for columns in expected) and any(header < columns for columns in expected):
            self.note(f"active.{key}: column header {self.active_columns} lacks a column of the format; row ignored")
            return
        self._store("active", key, self._values("active", key, values, self.active_columns))

    def _active_header(self, row: _Row) -> list[str] | None:
        columns: list[str] = []
        started = False
        for cell in row.cells:
            if cell.continued and not started:
                continue
            key = match_active_column(cell.norm)
            if key:
                started = True
                columns.append(key)
            elif started and cell.norm:
                columns.append(derived_key(cell.norm))
        return columns or None

    def _applications(self, label: str, values: list[_Cell], has_values: bool) -> None:
        if not has_values or not label:
            if has_values:
                self.note("applications: a row of numbers without a label was ignored")
            return
        key = match_application_row(label)
        if any(word in label for word in _APPLICATION_HEADER_WORDS):
            return
        if key is None:
            if not any(c.kind == "number" for c in values):
                self.note(f"applications: blank row {label!r} not in the format was ignored")
                return
            key = derived_key(label)
        self._store("applications", key, self._values("applications", key, values, APPLICATION_COLUMNS))

    def _reviews(self, label: str, values: list[_Cell], has_values: bool) -> None:
        numbers = any(c.kind == "number" for c in values)
        if not has_values or (label and not numbers):
            return
        row_key = next((k for k, p in _REVIEW_ROW_PATTERNS if p.search(label)), None) if label else None
        if row_key and len(values) <= 2 * len(REVIEW_COLUMNS):
            self._store("reviews", row_key, self._values("reviews", row_key, values, REVIEW_COLUMNS))
            return
        if self.reviews_filled:
            self.note("reviews: an extra row of numbers after the table was ignored")
            return
        if not numbers and len(values) < len(REVIEW_COLUMNS):
            return
        flat = self._values("reviews", "all", values, [f"{r}.{c}" for r, c in REVIEW_CELL_ORDER])
        for (review_row, column), value in zip(REVIEW_CELL_ORDER, flat.values()):
            self._store("reviews", review_row, {column: value})
        self.reviews_filled = numbers


def _has_signal(rows: list[_Row]) -> bool:
    """Whether a table holds anything of the statistics tables (else it is chrome)."""
    for row in rows:
        if _marker(row.norm):
            return True
        label, values = _split_row(row)
        if label and values and (match_application_row(label) or match_active_row(label)):
            return True
    return False


def _only_values(rows: list[_Row]) -> bool:
    """A table of bare numbers: the tail of a table split before its last row."""
    return any(row.cells for row in rows) and all(c.kind != "text" for row in rows for c in row.cells)


def tables_from_html(html: str | bytes) -> ParsedTables:
    """The statistics tables of a page, under the canonical keys, with notes.

    >>> page = ('<table><tr><td>行政复议</td><td colspan=10>行政诉讼</td></tr>'
    ...         '<tr>' + '<td>0</td>' * 14 + '<td>3</td></tr></table>')
    >>> tables_from_html(page).tables["reviews"]["litigation_after_review"]["total"]
    3
    """
    root = parse_html_document(html)
    if root is None:
        return ParsedTables()
    builder = _Builder()
    for index, table in enumerate(root.iter("table")):
        rows = _table_rows(table, index)
        if not _has_signal(rows):
            if not (builder.state == "reviews" and _only_values(rows)):
                builder.state = None
                continue
        for row in rows:
            builder.feed(row)
    tables = {name: rows for name, rows in builder.tables.items() if rows}
    return ParsedTables(tables=tables, notes=builder.notes)
