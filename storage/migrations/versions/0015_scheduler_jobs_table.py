"""the scheduler's job table, made by the migrations

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:10:00

APScheduler's SQLAlchemy job store creates `apscheduler_jobs` when it starts if the table is missing.
Two `handoff run` processes starting together on a new PostgreSQL database both tried, and one stopped
with a duplicate-key error. Made here (APScheduler 3's columns), the store finds it and creates nothing;
a database whose scheduler made it already keeps it as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("apscheduler_jobs"):
        return
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
