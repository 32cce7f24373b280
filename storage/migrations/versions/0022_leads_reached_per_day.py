"""leads that got to a meeting or a sale, per day

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 12:00:00

A roll-up of the leads that got to a meeting or a sale, per UTC day of their creation, stage (reach:
the first meeting or sale; meeting; sale) and UTC day they reached it, counted here from the leads'
marks and kept by storage.rollups.reachday: the funnel's cohorts read it instead of every such lead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reachday",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("untargeted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("team_id", "day", "stage", "on_day"),
    )
    # Written out rather than imported: a migration keeps working when the code beside it changes.
    sqlite = op.get_bind().dialect.name == "sqlite"

    def day(column: str) -> str:
        return f"date({column})" if sqlite else f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"

    first = "min(coalesce(met_at, won_at), coalesce(won_at, met_at))" if sqlite else "LEAST(met_at, won_at)"
    for stage, at in (("reach", first), ("meeting", "met_at"), ("sale", "won_at")):
        op.execute(
            "INSERT INTO reachday (team_id, day, stage, on_day, leads, untargeted) "
            f"SELECT team_id, {day('created_at')}, '{stage}', {day(at)}, count(*), "
            "sum(CASE WHEN verdict = 'target' THEN 0 ELSE 1 END) FROM lead "
            f"WHERE (met_at IS NOT NULL OR won_at IS NOT NULL) AND {at} IS NOT NULL "
            f"GROUP BY team_id, {day('created_at')}, {day(at)}"
        )
    op.execute("ANALYZE reachday")


def downgrade() -> None:
    op.drop_table("reachday")
