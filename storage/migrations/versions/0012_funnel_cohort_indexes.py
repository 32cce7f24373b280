"""funnel cohort indexes: the cohort's look-ups answered from indexes alone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:00:00

The funnel follows a cohort of leads by their meetings and won deals (storage.repos.funnel): each
meeting in the window is joined to its lead by external id. With the lead's created time, verdict and
channel in the index of that look-up, and the meeting's lead in the index of the meetings by time,
neither table is read row by row (1M leads: the daily report's cohort from seconds to a fraction).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD_COHORT = ["team_id", "external_id", "created_at", "verdict", "channel", "id"]


def upgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index("ix_lead_team_external_cohort", LEAD_COHORT, unique=False)
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_team_kind_time")
        batch_op.create_index(
            "ix_activity_team_kind_time", ["team_id", "kind", "occurred_at", "lead_external_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_team_kind_time")
        batch_op.create_index("ix_activity_team_kind_time", ["team_id", "kind", "occurred_at"], unique=False)
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_external_cohort")
