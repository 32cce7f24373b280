"""retention: how long a lead's personal data is kept, and how far its erasure has come

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:30:00

A workspace may keep a lead's personal data for a number of days (`retention_days`; unset keeps it
until `handoff forget`). The hourly purge erases what has aged past it, resuming from where it
stopped: every lead created before `erased_until` is erased; a write of an older lead moves it back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("erased_until", storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("erased_until")
        batch_op.drop_column("retention_days")
