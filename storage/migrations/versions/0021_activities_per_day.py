"""meetings and requests per day

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 12:00:00

A roll-up of the activities (meetings, requests) per UTC day and kind, counted here from the stored
rows and kept by storage.rollups.perday: a long report reads a period's meetings and requests from it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activityday",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("team_id", "day", "kind"),
    )
    # Written out rather than imported: a migration keeps working when the code beside it changes.
    dialect = op.get_bind().dialect.name
    day = "date(occurred_at)" if dialect == "sqlite" else "CAST((occurred_at AT TIME ZONE 'UTC') AS DATE)"
    op.execute(
        "INSERT INTO activityday (team_id, day, kind, activities) "
        f"SELECT team_id, {day}, kind, count(*) FROM activity WHERE occurred_at IS NOT NULL "
        f"GROUP BY team_id, {day}, kind"
    )
    op.execute("ANALYZE activityday")


def downgrade() -> None:
    op.drop_table("activityday")
