"""the look-up of a sale's lead covers its channel and campaign

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 11:35:00

The funnel's cohort no longer joins meetings and sales to their leads (0016 keeps the marks on the
lead), so the index that covered that join's created time and verdict gives way to one covering what
the joins left ask: a sale's lead's channel and campaign (the channel table, a report narrowed to a
channel).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_external_cohort")
        batch_op.create_index(
            "ix_lead_team_external_channel", ["team_id", "external_id", "channel", "campaign"], unique=False
        )
    # Statistics of the indexes made since 0016, so the planner knows them (SQLite: the whole index).
    for table in ("lead", "deal"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_external_channel")
        batch_op.create_index(
            "ix_lead_team_external_cohort",
            ["team_id", "external_id", "created_at", "verdict", "channel", "id"],
            unique=False,
        )
