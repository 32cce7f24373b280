"""The Sales × Marketing sync: its series, meetings, participants, answers, notes, action items, ICP."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models._columns import ts as _ts
from storage.types import utcnow


class Meeting(SQLModel, table=True):
    """One occurrence of the biweekly Sales × Marketing sync."""

    __table_args__ = (UniqueConstraint("team_id", "starts_at"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    starts_at: datetime = _ts()
    ends_at: datetime = _ts()
    status: str = "planned"  # planned | open | closed | skipped
    closed_by: str | None = None  # who pressed Close meeting (None: closed at the end time)


class SyncSeries(SQLModel, table=True):
    """A workspace's sync series: when it meets, who takes part, how early the bot asks and reminds.
    The channel is the workspace's `sync_channel`."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    active: bool = True
    weekday: int = 3  # Monday = 0
    time: str = "15:00"
    length_minutes: int = 60
    every_weeks: int = 2
    start_date: date
    timezone: str = "UTC"
    sales: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    marketing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    holidays: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    holiday_rule: str = "skip"  # skip | move
    ask_days: int = 2  # working days before the meeting
    reminders: list[str] = Field(default_factory=lambda: ["1d", "2h"], sa_column=Column(JSON, nullable=False))
    agenda_before: str = "1h"
    questions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _ts(default_factory=utcnow)


class MeetingParticipant(SQLModel, table=True):
    """Someone asked before a meeting; the row is the claim that makes the question DM go out once."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: str = Field(max_length=32)
    department: str  # sales | marketing
    status: str = "claimed"  # claimed | asked | unreachable
    error: str | None = None
    dm_channel: str | None = None
    dm_ts: str | None = None
    asked_at: datetime | None = _ts(nullable=True)
    answered_at: datetime | None = _ts(nullable=True)


class MeetingAnswer(SQLModel, table=True):
    """One participant's answer to one question; `question` is the question's key (q1…q5, own1…)."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", "question"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: str
    department: str | None = None
    question: str
    question_text: str = Field(default="", sa_column_kwargs={"server_default": ""})
    answer: str = ""
    updated_at: datetime = _ts(default_factory=utcnow)


class MeetingNote(SQLModel, table=True):
    """A decision written down during a sync (`/sync notes`)."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    author: str | None = None
    text: str
    # The agenda item the decision is about (bot.sync: `kpi:sales`, `pin:3`, …); None: the meeting at large.
    item: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts(default_factory=utcnow)


class StandingItem(SQLModel, table=True):
    """An item an admin pinned to every sync's agenda, until it is unpinned."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    text: str = Field(max_length=300)
    pinned_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts(default_factory=utcnow)
    unpinned_at: datetime | None = _ts(nullable=True)


class ActionItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    owner: str | None = None
    text: str
    due: date | None = None
    status: str = "open"  # open | done
    created_by: str | None = None
    created_at: datetime = _ts(default_factory=utcnow)
    done_at: datetime | None = _ts(nullable=True)


class IcpVersion(SQLModel, table=True):
    """The ideal customer profile and the readiness-to-buy indicators; each save is a new version."""

    __table_args__ = (UniqueConstraint("team_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    version: int
    profile: str = ""
    indicators: str = ""
    author: str | None = None
    created_at: datetime = _ts(default_factory=utcnow)
