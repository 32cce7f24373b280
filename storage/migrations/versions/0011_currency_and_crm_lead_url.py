"""currency and crm_lead_url: money shown with its currency, a link from each lead card to the CRM

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00

`currency` is an ISO 4217 code (`USD`, `RUB`). Existing workspaces get none: their amounts were
imported without a currency, and a symbol guessed for them ($ on a Moscow team's rubles) would be
wrong on every tile; with none, amounts read as before until an admin sets one. `crm_lead_url` is a
template such as `https://crm.example.com/leads/{external_id}`; unset, cards carry no CRM link.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True))
        batch_op.add_column(sa.Column("crm_lead_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("crm_lead_url")
        batch_op.drop_column("currency")
