"""lead reach marks and partial indexes: the cohorts, the waiting leads and the SLA from small indexes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 11:00:00

Each lead keeps its first meeting (met_at) and its first won deal (won_at), counted here from the
stored meetings and deals and kept in step by storage.rollups.reach. A partial index over the leads
that got anywhere answers the funnel's and the month's cohorts; two more answer the leads waiting for
a verdict and the carded leads of a period; the verdict history's index gains the verdict's time, so
a lead's first verdict is read from the index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = {
    "ix_lead_reach": (
        ["team_id", "created_at", "channel", "verdict", "met_at", "won_at"],
        "met_at IS NOT NULL OR won_at IS NOT NULL",
    ),
    "ix_lead_waiting": (
        ["team_id", "channel", "owner", "card_posted_at"],
        "verdict IS NULL AND card_ts IS NOT NULL AND card_posted_at IS NOT NULL",
    ),
    "ix_lead_carded": (["team_id", "created_at", "channel", "card_posted_at", "id"], "card_posted_at IS NOT NULL"),
}


def upgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("met_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("won_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    for column, source in (
        (
            "met_at",
            "SELECT team_id, lead_external_id AS ext, min(occurred_at) AS first FROM activity "
            "WHERE kind = 'meeting' GROUP BY team_id, lead_external_id",
        ),
        (
            "won_at",
            "SELECT team_id, lead_external_id AS ext, min(closed_at) AS first FROM deal "
            "WHERE status = 'won' GROUP BY team_id, lead_external_id",
        ),
    ):
        op.execute(
            f"UPDATE lead SET {column} = s.first FROM ({source}) AS s "
            "WHERE lead.team_id = s.team_id AND lead.external_id = s.ext"
        )
    for name, (columns, where) in PARTIAL.items():
        op.create_index(name, "lead", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    with op.batch_alter_table("leadverdict", schema=None) as batch_op:
        batch_op.drop_index("ix_verdict_team_lead")
        batch_op.create_index("ix_verdict_team_lead", ["team_id", "lead_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leadverdict", schema=None) as batch_op:
        batch_op.drop_index("ix_verdict_team_lead")
        batch_op.create_index("ix_verdict_team_lead", ["team_id", "lead_id"], unique=False)
    for name in PARTIAL:
        op.drop_index(name, table_name="lead")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_column("won_at")
        batch_op.drop_column("met_at")
