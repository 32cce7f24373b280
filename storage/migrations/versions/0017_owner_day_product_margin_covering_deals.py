"""leads per day and owner, margins per product, deals of a period from their index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 11:10:00

Two roll-ups filled from the rows already stored: leads per UTC day and owner (the reps block of a
long report), and the margins deals state per product (the average margin reports show, which read
every deal). The index of the deals closed in a period covers every column a report asks of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
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


def upgrade() -> None:
    op.create_table(
        "ownerday",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("team_id", "day", "owner"),
    )
    op.create_table(
        "productmargin",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("margin_sum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("team_id", "product"),
    )
    # Written out rather than imported: a migration keeps working when the code beside it changes.
    dialect = op.get_bind().dialect.name
    day = "date(created_at)" if dialect == "sqlite" else "CAST((created_at AT TIME ZONE 'UTC') AS DATE)"
    op.execute(
        "INSERT INTO ownerday (team_id, day, owner, leads) "
        f"SELECT team_id, {day}, coalesce(owner, ''), count(*) FROM lead GROUP BY team_id, {day}, coalesce(owner, '')"
    )
    op.execute(
        "INSERT INTO productmargin (team_id, product, deals, margin_sum) SELECT team_id, product, count(*), "
        "sum(margin) FROM deal WHERE margin IS NOT NULL AND product IS NOT NULL GROUP BY team_id, product"
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_team_product_margin")
        batch_op.drop_index("ix_deal_team_status_closed")
        batch_op.create_index("ix_deal_team_status_closed", DEAL_PERIOD, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_team_status_closed")
        batch_op.create_index("ix_deal_team_status_closed", ["team_id", "status", "closed_at"], unique=False)
        batch_op.create_index("ix_deal_team_product_margin", ["team_id", "product", "margin"], unique=False)
    op.drop_table("productmargin")
    op.drop_table("ownerday")
