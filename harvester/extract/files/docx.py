"""DOCX: paragraphs and real tables in body order, merged cells kept as rowspan/colspan.

python-docx opens the package; the body is walked at the XML level because a
merged cell is an attribute of the grid (``w:gridSpan``, ``w:vMerge``) that
python-docx's cell view repeats instead of exposing. The ZIP directory is
checked before anything is inflated, so a zip bomb is refused by its header.
"""

from __future__ import annotations

import io
import re
import zipfile

from harvester.extract.files.base import FileText, GridCell, table_html, tidy_text
from harvester.extract.files.limits import (
    MAX_UNZIPPED_BYTES,
    MAX_UNZIPPED_MEMBER,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    UnreadableFile,
    check_size,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Deeper nesting than this is not a layout a report uses; its text is still read flat.
MAX_TABLE_DEPTH = 3


def check_zip(body: bytes, kind: str) -> zipfile.ZipFile:
    """Open a ZIP after checking its directory: members, total and per-member sizes, ratios.

    ``zipfile`` never inflates a member past its declared size, so checking the
    declared sizes bounds the memory of everything read afterwards.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(f"{kind} is not a readable ZIP package ({exc})") from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableFile(f"{kind} has {len(members)} parts, over the {MAX_ZIP_MEMBERS} limit")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_UNZIPPED_MEMBER or ratio > MAX_ZIP_RATIO and member.file_size > 1024 * 1024:
            raise UnreadableFile(
                f"{kind} part {member.filename[:60]} inflates to {member.file_size // (1024 * 1024)} MB "
                f"(ratio {ratio:.0f}): refused as a zip bomb"
            )
    if total > MAX_UNZIPPED_BYTES:
        raise UnreadableFile(f"{kind} inflates to {total // (1024 * 1024)} MB in all: refused as a zip bomb")
    return archive


def read_docx(body: bytes, source_type: str = "docx") -> FileText:
    """Text (paragraphs, then each table row tab-separated) and the tables as HTML."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_size(body, "DOCX")
    check_zip(body, "DOCX")
    try:
        document = docx.Document(io.BytesIO(body))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(f"not a readable DOCX ({type(exc).__name__})") from None
    lines: list[str] = []
    tables: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            lines.append(_paragraph_text(block))
        elif block.tag == f"{_W}tbl":
            cells = _table_cells(block)
            tables.append(table_html(cells))
            lines.extend(_table_lines(cells))
        elif block.tag == f"{_W}sdt":
            lines.extend(_paragraph_text(p) for p in block.iter(f"{_W}p"))
    return FileText(
        text=tidy_text(["\n".join(lines)]),
        html_tables="\n".join(t for t in tables if t) or None,
        pages=_page_count(document),
        notes=[],
        source_type=source_type,
    )


def _paragraph_text(paragraph) -> str:
    parts: list[str] = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    paragraphs = [p for p in tc.iter(f"{_W}p")]
    return "\n".join(t for t in (_paragraph_text(p).strip() for p in paragraphs) if t)


def _int_attr(parent, path: str, default: int) -> int:
    node = parent.find(path)
    if node is None:
        return default
    try:
        return max(1, int(node.get(f"{_W}val", default)))
    except ValueError:
        return default


def _table_cells(tbl) -> list[GridCell]:
    """Cells on the table grid: ``w:gridSpan`` is colspan, ``w:vMerge`` continuation grows rowspan."""
    placed: list[list] = []  # [row, col, text, rowspan, colspan], mutable while rows are read
    open_cells: dict[int, list] = {}
    for row_index, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        col = _int_attr(tr, f"{_W}trPr/{_W}gridBefore", 1) if tr.find(f"{_W}trPr/{_W}gridBefore") is not None else 0
        for tc in tr.iterchildren(f"{_W}tc"):
            span = _int_attr(tc, f"{_W}tcPr/{_W}gridSpan", 1)
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continues = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            above = open_cells.get(col)
            if continues and above is not None and above[4] == span:
                above[3] += 1
            else:
                cell = [row_index, col, _cell_text(tc), 1, span]
                placed.append(cell)
                open_cells[col] = cell
            col += span
    return [GridCell(*cell) for cell in placed]


def _table_lines(cells: list[GridCell]) -> list[str]:
    """Each table row as one tab-separated line (blank for cells spilled from above)."""
    rows: dict[int, list[GridCell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    return ["\t".join(c.text.replace("\n", "") for c in sorted(row, key=lambda c: c.col)) for _, row in sorted(rows.items())]


def _page_count(document) -> int:
    """Pages as Word last counted them (``docProps/app.xml``), else 1."""
    for part in document.part.package.parts:
        if str(part.partname) == "/docProps/app.xml":
            found = re.search(rb"<Pages>(\d+)</Pages>", part.blob)
            if found:
                return max(1, int(found.group(1)))
    return 1
