"""Plans: a month's planned value of a KPI, for the workspace or one acquisition channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models._columns import ts as _ts
from storage.types import utcnow


class Plan(SQLModel, table=True):
    """One planned KPI of one month (`2026-12`); `channel` "" is the whole workspace's plan."""

    __table_args__ = (UniqueConstraint("team_id", "month", "channel", "kpi"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    month: str = Field(max_length=7)
    channel: str = Field(default="", max_length=200)
    kpi: str = Field(max_length=32)  # a key of bot.kpi.plan.PLANNED
    value: float
    set_by: str | None = Field(default=None, max_length=32)
    updated_at: datetime = _ts(default_factory=utcnow)
