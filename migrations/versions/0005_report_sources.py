"""Several files of one report: a version replaced by an edit is marked superseded.

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _views():
    """Migration 0002's view helpers: SQLite rebuilds an altered table, which its views must not see."""
    return context.script.get_revision("0002").module


def upgrade() -> None:
    _views().drop_views()
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
    _views().create_views()


def downgrade() -> None:
    _views().drop_views()
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_column("superseded_at")
    _views().create_views()
