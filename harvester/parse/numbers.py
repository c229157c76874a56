"""Cell values: '1,990件' -> 1990, '７９.６９５４' -> 79.6954, '—' -> None.

A cell is null when it is blank or one of the null marks of the spec; it is
*not a number* (also None, but reported) when it holds other text. Callers that
need to tell the two apart use :func:`classify_cell`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from harvester.parse.schema import CellValue

NULL_MARKS = frozenset({"", "—", "-", "/", "无", "－", "–", "——", "--", "\\", "／", "空", "null", "N/A", "n/a"})
_UNITS = re.compile(r"(件|个|项|次|万元|元|人次|人|条|份|宗)$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")

CellKind = Literal["null", "number", "text"]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return text.replace(",", "").replace("，", "")


def classify_cell(text: str) -> tuple[CellKind, CellValue]:
    """Return ('null', None), ('number', n) or ('text', None) for a cell's text.

    >>> classify_cell(" 1,990件 ")
    ('number', 1990)
    >>> classify_cell("—")
    ('null', None)
    >>> classify_cell("予以公开")
    ('text', None)
    """
    cleaned = _clean(text)
    if cleaned in NULL_MARKS or set(cleaned) <= {"-", "—", "/"}:
        return "null", None
    cleaned = _UNITS.sub("", cleaned)
    if not _NUMBER.match(cleaned):
        return "text", None
    if "." in cleaned:
        value = float(cleaned)
        return "number", int(value) if value.is_integer() and cleaned.endswith(".0") else value
    return "number", int(cleaned)


def parse_number(text: str) -> CellValue:
    """The number in a cell, or None when the cell is null or not a number."""
    return classify_cell(text)[1]


def is_number_token(text: str) -> bool:
    return classify_cell(text)[0] == "number"
