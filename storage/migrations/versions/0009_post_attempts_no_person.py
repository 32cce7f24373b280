"""post attempts, the post sweep's index, who closed a meeting, no person table

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:00:00

Each claim on a post counts the tries it took (a thread part Slack refused is tried again a few
times), and the sweep that finishes cut-off posts finds them by status. A meeting keeps who closed it
(its summary says so, also when it is posted after a restart). The `person` table and the meeting's
`notes` column were never written or read: dropped.

Posts the earlier protocol left half-way are closed, not handed to the new sweep: a `claimed` one is
failed as interrupted (only digests carried their key in the message, so for the other kinds the
sweep could not tell a post Slack took from one never made, and posting again could double it); a
`posted` one is out and done, and any part of its thread still to go is not sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("postedmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index("ix_post_status_updated", ["status", "updated_at"], unique=False)
    # In place, never by copying the table: on SQLite, with foreign keys checked, dropping the old
    # `meeting` would fail on its answers, notes and actions (native DROP COLUMN: SQLite 3.35+).
    with op.batch_alter_table("meeting", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("closed_by", sa.String(), nullable=True))
        batch_op.drop_column("notes")
    op.drop_table("person")
    # The sweep's own words for a post it cannot know the fate of (bot.slack.post.INTERRUPTED).
    interrupted = "interrupted before Slack answered (claimed before the upgrade to 0009)"
    op.execute(
        sa.text("UPDATE postedmessage SET status = 'failed', error = :e WHERE status = 'claimed'").bindparams(
            e=interrupted
        )
    )
    op.execute(sa.text("UPDATE postedmessage SET status = 'done' WHERE status = 'posted'"))


def downgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("department", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspace.team_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "user_id"),
    )
    with op.batch_alter_table("meeting", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("notes", sa.String(), nullable=True))
        batch_op.drop_column("closed_by")
    with op.batch_alter_table("postedmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_post_status_updated")
        batch_op.drop_column("attempts")
