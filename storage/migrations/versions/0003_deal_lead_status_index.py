"""deal index by lead covers the status

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:10:00

The cohort asks, per lead, whether a won deal exists; with the status in the lead index that probe
stays on the lead's own rows whatever the planner's statistics say.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_team_lead")
        batch_op.create_index("ix_deal_team_lead", ["team_id", "lead_external_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_team_lead")
        batch_op.create_index("ix_deal_team_lead", ["team_id", "lead_external_id"], unique=False)
