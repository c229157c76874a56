"""CSV exports: one row per report with its metadata, or the long table of cells.

Written row by row from iterators, so memory does not grow with the store.
Numbers that are whole are written without a decimal point (the store keeps
cells as floats); a missing value is an empty field.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO


def _plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def write_rows(stream: TextIO, header: Iterable[str], rows: Iterable[Iterable]) -> int:
    """Write a header and rows (sequences in header order); return the row count."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(list(header))
    count = 0
    for row in rows:
        writer.writerow([_plain(value) for value in row])
        count += 1
    return count


def write_records(stream: TextIO, header: Iterable[str], records: Iterable[dict]) -> int:
    """Write dict records, taking the keys of ``header`` in its order."""
    header = list(header)
    return write_rows(stream, header, ([record.get(key) for key in header] for record in records))
