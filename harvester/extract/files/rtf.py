"""RTF with striprtf: pure Python, 30 ms for a report, table cells kept ``|``-separated.

The text table parser reads ``|``-separated rows with their empty cells, which
gave every cell of the fixture right (README "Reading files"); no converter needed.
"""

from __future__ import annotations

import codecs
import re

from harvester.extract.files.base import FileText, tidy_text
from harvester.extract.files.limits import UnreadableFile, check_size


def read_rtf(body: bytes) -> FileText:
    """Text of an RTF file; ``\\'hh`` escapes decoded in its ``\\ansicpg`` code page (GBK in Chinese ones)."""
    from striprtf.striprtf import rtf_to_text

    check_size(body, "RTF")
    try:
        source = body.decode("ascii")
    except UnicodeDecodeError:
        source = body.decode("gb18030", "replace")
    try:
        text = rtf_to_text(source, encoding=_code_page(source), errors="replace")
    except (ValueError, LookupError, IndexError) as exc:
        raise UnreadableFile(f"not a readable RTF ({type(exc).__name__})") from None
    return FileText(text=tidy_text([text.replace("|\n", "\n")]), html_tables=None, pages=1, source_type="rtf")


_CODE_PAGE = re.compile(r"\\ansicpg(\d{3,5})")


def _code_page(source: str) -> str:
    """The encoding of ``\\'hh`` escapes: ``\\ansicpg936`` is GBK (read as its superset GB18030)."""
    found = _CODE_PAGE.search(source[:4096])
    if not found or found.group(1) == "936":
        return "gb18030" if found else "cp1252"
    try:
        return codecs.lookup(f"cp{found.group(1)}").name
    except LookupError:
        return "cp1252"
