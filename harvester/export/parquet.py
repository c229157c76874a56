"""Parquet exports with pyarrow: the report table, or the long table of cells.

Rows are gathered into record batches of a fixed size and each batch is written
as it fills, so memory stays at one batch whatever the store holds. Column types
are fixed here (not inferred from the first batch), so a batch of nulls cannot
change a column's type half-way through a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from harvester.query import CELL_COLUMNS, HEADLINES, SUMMARY_COLUMNS

#: Rows per row group: large enough for good compression, small enough to keep memory flat.
BATCH_ROWS = 50_000

REPORT_SCHEMA = pa.schema(
    [(name, pa.int32() if name in ("year", "failed_checks") else pa.float64() if name in HEADLINES else pa.string())
     for name in SUMMARY_COLUMNS]
)
CELL_SCHEMA = pa.schema(
    [(name, pa.int32() if name == "year" else pa.float64() if name == "value" else pa.string())
     for name in CELL_COLUMNS]
)


def write_table(path: str | Path, schema: pa.Schema, rows: Iterable[Sequence], batch_rows: int = BATCH_ROWS) -> int:
    """Write rows (sequences in schema order) to a Parquet file; return the row count."""
    names = schema.names
    columns: list[list] = [[] for _ in names]
    count = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for row in rows:
            for values, value in zip(columns, row):
                values.append(value)
            count += 1
            if len(columns[0]) >= batch_rows:
                writer.write_batch(pa.record_batch(columns, schema=schema))
                columns = [[] for _ in names]
        if columns[0] or count == 0:
            writer.write_batch(pa.record_batch(columns, schema=schema))
    return count


def write_reports(path: str | Path, records: Iterable[dict]) -> int:
    return write_table(path, REPORT_SCHEMA, ([record.get(name) for name in SUMMARY_COLUMNS] for record in records))


def write_cells(path: str | Path, rows: Iterable[Sequence]) -> int:
    return write_table(path, CELL_SCHEMA, rows)
