"""plans, the two-sided agreement, standing agenda items and decisions per agenda item

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:00:00

`plan` holds a month's planned value of each KPI, for the workspace (channel "") or one acquisition
channel; "" rather than NULL so the unique key holds on both databases. The workspace gets the
two-sided agreement: marketing's leads per week and target share, sales' first touch, and the share of
leads each time promise must hold for (90% unless agreed otherwise). `standingitem` is what admins
pin to every sync's agenda; `meetingnote.item` ties a decision to the agenda item it settles.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kpi", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "month", "channel", "kpi"),
    )
    op.create_table(
        "standingitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("pinned_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unpinned_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meetingnote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_leads_per_week", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("agreement_target_share_pct", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("agreement_first_touch_hours", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("agreement_on_time_pct", sa.Float(), server_default="90", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("agreement_on_time_pct")
        batch_op.drop_column("agreement_first_touch_hours")
        batch_op.drop_column("agreement_target_share_pct")
        batch_op.drop_column("agreement_leads_per_week")
    with op.batch_alter_table("meetingnote", schema=None) as batch_op:
        batch_op.drop_column("item")
    op.drop_table("standingitem")
    op.drop_table("plan")
