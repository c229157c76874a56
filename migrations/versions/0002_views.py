"""Analyst views: ``report_summary`` (one row per report, headline figures) and ``report_cells``.

Both show each report in its current version only. Headline figures are
correlated look-ups on the primary key of ``table_cells`` rather than a grouped
sub-query, so that a view filtered to a few reports reads only their cells.
Reports come first through ``CROSS JOIN``, which SQLite takes as a join-order
rule (PostgreSQL plans it as the inner join it is): ``reports.current_version_id``
has no index, so a plan that started from a year's versions would scan every
report once per version. The SQL is frozen here (not imported from the package)
so that this revision always builds the same views; portable to SQLite and
PostgreSQL.

A later migration that rebuilds one of the underlying tables on SQLite (Alembic
batch mode) must drop the views first and recreate them with ``create_views``.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DENIED_ROWS = (
    "denied_state_secret", "denied_prohibited", "denied_security", "denied_third_party",
    "denied_internal", "denied_process", "denied_enforcement", "denied_inquiry",
)
PROVINCE_CODE = "CASE WHEN r.region_code IS NULL THEN NULL ELSE substr(r.region_code, 1, 2) || '0000' END"


def _cell(table: str, rows: tuple[str, ...], column: str = "total") -> str:
    """One cell (or the sum of several rows of one column) of the report's current version."""
    row_list = ", ".join(f"'{row}'" for row in rows)
    aggregate = "c.value" if len(rows) == 1 else "sum(c.value)"
    return (
        f"(SELECT {aggregate} FROM table_cells c WHERE c.version_id = v.id AND c.table_name = '{table}'"
        f" AND c.column_key = '{column}' AND c.row_key IN ({row_list}))"
    )


REPORT_SUMMARY = f"""
CREATE VIEW report_summary AS
SELECT
    r.id AS id,
    r.report_key AS report_key,
    v.id AS version_id,
    v.title AS title,
    v.agency AS agency,
    v.year AS year,
    v.published_at AS published_at,
    v.format_version AS format_version,
    v.source_type AS source_type,
    r.region_code AS region_code,
    {PROVINCE_CODE} AS province_code,
    {_cell("applications", ("new",))} AS new_applications,
    {_cell("applications", ("granted",))} AS granted,
    {_cell("applications", ("partly_granted",))} AS partly_granted,
    {_cell("applications", DENIED_ROWS)} AS denied,
    {_cell("applications", ("total",))} AS total,
    {_cell("reviews", ("review",))} AS reviews,
    {_cell("reviews", ("litigation_direct", "litigation_after_review"))} AS lawsuits,
    (SELECT count(*) FROM check_results k WHERE k.version_id = v.id AND k.status = 'fail') AS failed_checks,
    v.url AS url,
    v.content_hash AS content_hash,
    r.first_seen_at AS first_seen_at,
    r.gone_at AS gone_at
FROM reports r
CROSS JOIN report_versions v
WHERE v.id = r.current_version_id
"""

REPORT_CELLS = f"""
CREATE VIEW report_cells AS
SELECT
    r.id AS id,
    r.report_key AS report_key,
    v.agency AS agency,
    v.year AS year,
    v.format_version AS format_version,
    r.region_code AS region_code,
    {PROVINCE_CODE} AS province_code,
    c.table_name AS table_name,
    c.row_key AS row_key,
    c.column_key AS column_key,
    c.value AS value
FROM reports r
CROSS JOIN report_versions v
JOIN table_cells c ON c.version_id = v.id
WHERE v.id = r.current_version_id
"""


def create_views() -> None:
    op.execute(REPORT_SUMMARY)
    op.execute(REPORT_CELLS)


def drop_views() -> None:
    op.execute("DROP VIEW IF EXISTS report_cells")
    op.execute("DROP VIEW IF EXISTS report_summary")


def upgrade() -> None:
    create_views()


def downgrade() -> None:
    drop_views()
