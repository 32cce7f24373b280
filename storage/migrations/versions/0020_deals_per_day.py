"""deals per day by channel and campaign, and by product and rep; the repeat purchases' index

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 11:00:00

Two roll-ups of the deals closed won or lost, per UTC day and status: by their lead's channel and
campaign (with revenue and how many were their customer's first), and by product and rep. Counted here
from the stored deals, kept by storage.rollups.perday. A partial index holds the won deals whose
customer won before, by the previous one's time: a period's repeat purchases, which turn a day sum of
sales into its customers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPEAT = ["team_id", "prev_won_at", "closed_at", "won_rank", "customer", "lead_channel", "lead_campaign", "id"]


def _table(name: str, keys: list[str], first_won: bool) -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        name,
        sa.Column("team_id", text(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", text(), nullable=False),
        *(sa.Column(k, text(), nullable=False) for k in keys),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Float(), nullable=True),
        *([sa.Column("first_won", sa.Integer(), nullable=False)] if first_won else []),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("team_id", "day", "status", *keys),
    )


def upgrade() -> None:
    _table("dealday", ["channel", "campaign"], True)
    _table("repday", ["product", "rep"], False)
    # Written out rather than imported: a migration keeps working when the code beside it changes.
    dialect = op.get_bind().dialect.name
    day = "date(closed_at)" if dialect == "sqlite" else "CAST((closed_at AT TIME ZONE 'UTC') AS DATE)"
    closed = "status IN ('won', 'lost') AND closed_at IS NOT NULL"
    op.execute(
        "INSERT INTO dealday (team_id, day, status, channel, campaign, deals, revenue, first_won) "
        f"SELECT team_id, {day}, status, coalesce(lead_channel, ''), coalesce(lead_campaign, ''), count(*), "
        f"sum(amount), sum(CASE WHEN first_won THEN 1 ELSE 0 END) FROM deal WHERE {closed} "
        f"GROUP BY team_id, {day}, status, coalesce(lead_channel, ''), coalesce(lead_campaign, '')"
    )
    op.execute(
        "INSERT INTO repday (team_id, day, status, product, rep, deals, revenue) "
        f"SELECT team_id, {day}, status, coalesce(product, ''), coalesce(rep, ''), count(*), sum(amount) "
        f"FROM deal WHERE {closed} GROUP BY team_id, {day}, status, coalesce(product, ''), coalesce(rep, '')"
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deal_repeat",
            REPEAT,
            unique=False,
            sqlite_where=sa.text("prev_won_at IS NOT NULL"),
            postgresql_where=sa.text("prev_won_at IS NOT NULL"),
        )
    for table in ("dealday", "repday", "deal"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_repeat")
    op.drop_table("repday")
    op.drop_table("dealday")
