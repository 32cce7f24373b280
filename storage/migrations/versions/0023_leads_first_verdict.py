"""each lead's first verdict

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 13:00:00

Each lead keeps the time of its first verdict (the earliest of its history), set here from the history
and kept by storage.rollups.verdicts; the carded leads' partial index covers it, so the feedback SLA
reads a period's carded leads from that index alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARDED = "card_posted_at IS NOT NULL"
BEFORE = ["team_id", "created_at", "channel", "card_posted_at", "id"]


def upgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_verdict_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE lead SET first_verdict_at = (SELECT min(v.created_at) FROM leadverdict v "
        "WHERE v.team_id = lead.team_id AND v.lead_id = lead.id) "
        "WHERE EXISTS (SELECT 1 FROM leadverdict v WHERE v.team_id = lead.team_id AND v.lead_id = lead.id)"
    )
    _carded_index([*BEFORE, "first_verdict_at"])
    if op.get_bind().dialect.name == "sqlite":
        # The new index's statistics (only its own rows are read): without them SQLite's planner takes it
        # for queries another partial index answers from a few rows (the leads waiting for a verdict).
        op.execute("ANALYZE ix_lead_carded")


def downgrade() -> None:
    _carded_index(BEFORE)
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_column("first_verdict_at")


def _carded_index(columns: list[str]) -> None:
    op.drop_index("ix_lead_carded", table_name="lead")
    op.create_index("ix_lead_carded", "lead", columns, sqlite_where=sa.text(CARDED), postgresql_where=sa.text(CARDED))
