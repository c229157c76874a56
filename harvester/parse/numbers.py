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
# No 元: a figure in 元 printed in a 万元 column is off by 10,000, so it is text, not a number.
_UNITS = re.compile(r"(件|个|项|次|万元|人次|人|条|份|宗)$")
# ASCII digits only (NFKC has made full-width ones ASCII); thousands separators only
# between groups of three; at most 12 digits before the point (no count is larger,
# and longer runs are no figure: they would overflow a float or int()).
_NUMBER = re.compile(r"^[+-]?([0-9]{1,3}(,[0-9]{3}){1,3}|[0-9]{1,12})(\.[0-9]{1,10})?$")
# A whitespace run between two digits separates groups (checked like a comma); any other goes.
_DIGIT_SPACE = re.compile(r"(?<=[0-9])\s+(?=[0-9])")
_SPACE = re.compile(r"\s+")
_FULL_WIDTH_DIGITS = frozenset("０１２３４５６７８９")

CellKind = Literal["null", "number", "text"]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return _SPACE.sub("", _DIGIT_SPACE.sub(",", text))


def _odd_digits(text: str) -> bool:
    """Characters other than 0-9 and ０-９ that NFKC turns into digits (superscript ²,
    circled ① and ⑫, 𝟏 …): a cell holding them is a footnote or a list mark, no figure."""
    return any(
        char not in _FULL_WIDTH_DIGITS
        and not char.isascii()
        and any("0" <= c <= "9" for c in unicodedata.normalize("NFKC", char))
        for char in text
    )


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
    if not _NUMBER.match(cleaned) or _odd_digits(text):
        return "text", None
    cleaned = cleaned.replace(",", "")
    if "." in cleaned:
        value = float(cleaned)
        return "number", int(value) if value.is_integer() and cleaned.endswith(".0") else value
    return "number", int(cleaned)


def parse_number(text: str) -> CellValue:
    """The number in a cell, or None when the cell is null or not a number."""
    return classify_cell(text)[1]


def is_number_token(text: str) -> bool:
    return classify_cell(text)[0] == "number"
