"""Claims on posts: what makes every post happen once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models._columns import ts as _ts
from storage.types import utcnow


class PostedMessage(SQLModel, table=True):
    """A claim on a post, then the message it became: the key makes every post happen once."""

    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_post_status_updated", "status", "updated_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    key: str  # e.g. daily/2026-11-30, lead-card/42
    kind: str
    period: str | None = None
    # claimed → posted (out, its thread not finished) → done; failed; unsure (the answer was lost)
    status: str = "claimed"
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    attempts: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)
