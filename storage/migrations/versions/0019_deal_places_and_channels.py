"""each won deal's place in its customer's history and the channel of its lead, on the deal

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 10:00:00

Every won deal gets its rank among its customer's won deals and the closing time of the customer's
previous one, so a period's customers and repeat customers are sums over its deals rather than a
DISTINCT of names; and the channel and campaign of its lead, so the channel table groups a period's
sales without looking up each sale's lead. Counted here from the stored rows, kept in step by
storage.rollups.customers and storage.rollups.attribution. The index of a period's deals covers them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEAL_PERIOD = [
    "team_id",
    "status",
    "closed_at",
    "amount",
    "first_won",
    "customer",
    "external_id",
    "product",
    "rep",
    "lead_external_id",
]
NEW = ["won_rank", "prev_won_at", "lead_channel", "lead_campaign"]


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_team_status_closed")
        batch_op.add_column(sa.Column("won_rank", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_won_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lead_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("lead_campaign", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # Written out rather than imported: a migration keeps working when the code beside it changes.
    op.execute(
        "UPDATE deal SET first_won = (r.n = 1), won_rank = r.n, prev_won_at = r.prev FROM ("
        "SELECT id, row_number() OVER w AS n, lag(closed_at) OVER w AS prev FROM deal "
        "WHERE customer IS NOT NULL AND status = 'won' AND closed_at IS NOT NULL "
        "WINDOW w AS (PARTITION BY team_id, customer ORDER BY closed_at, id)) AS r WHERE deal.id = r.id"
    )
    op.execute(
        "UPDATE deal SET first_won = (status = 'won' AND closed_at IS NOT NULL), "
        "won_rank = CASE WHEN status = 'won' AND closed_at IS NOT NULL THEN 1 END WHERE customer IS NULL"
    )
    op.execute("UPDATE deal SET first_won = FALSE WHERE first_won AND customer IS NOT NULL AND won_rank IS NULL")
    op.execute(
        "UPDATE deal SET (lead_channel, lead_campaign) = (SELECT l.channel, l.campaign FROM lead l "
        "WHERE l.team_id = deal.team_id AND l.external_id = deal.lead_external_id) "
        "WHERE lead_external_id IS NOT NULL"
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deal_team_status_closed",
            [*DEAL_PERIOD[:5], "won_rank", "prev_won_at", *DEAL_PERIOD[5:], "lead_channel", "lead_campaign"],
            unique=False,
        )
    op.execute("ANALYZE deal")


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_team_status_closed")
        for column in reversed(NEW):
            batch_op.drop_column(column)
        batch_op.create_index("ix_deal_team_status_closed", DEAL_PERIOD, unique=False)
