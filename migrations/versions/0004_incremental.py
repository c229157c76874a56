"""Incremental recrawls: crawl lock, run holder, sighting fetch time and gone mark.

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _views():
    """Migration 0002's view helpers: SQLite rebuilds an altered table, which its views must not see."""
    return context.script.get_revision("0002").module


def upgrade() -> None:
    _views().drop_views()
    op.create_table(
        "crawl_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=256), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=256), nullable=True))
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True))
    _views().create_views()


def downgrade() -> None:
    _views().drop_views()
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_column("gone_at")
        batch_op.drop_column("last_fetched_at")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("holder")
    op.drop_table("crawl_locks")
    _views().create_views()
