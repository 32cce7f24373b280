"""Every table Handoff keeps. Each row belongs to a workspace (Slack team id)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Table, UniqueConstraint, false, text
from sqlalchemy.orm import class_mapper
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _ts(**kw: Any) -> Any:
    nullable = kw.pop("nullable", False)
    return Field(sa_type=UTCDateTime, nullable=nullable, **kw)


class Workspace(SQLModel, table=True):
    """A Slack workspace and its Handoff settings (see bot.workspace.keys for the keys)."""

    team_id: str = Field(primary_key=True, max_length=32)
    name: str | None = None
    timezone: str = "UTC"
    language: str = "en"
    leads_channel: str | None = None
    digest_channel: str | None = None
    marketing_channel: str | None = None
    sync_channel: str | None = None
    admins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sales: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    marketing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    workdays: str = "mon,tue,wed,thu,fri"
    work_hours: str = "09:00-18:00"
    daily_digest: bool = True
    daily_digest_time: str = "09:00"
    weekly_digest: bool = True
    weekly_digest_time: str = "09:30"
    monthly_digest: bool = True
    monthly_digest_time: str = "10:00"
    webhook_secret: str | None = None
    # Lead feedback: the SLA in working hours, who gets escalations, reactions that set a verdict
    # ({"x": "not_target"}), the reasons sales can pick (empty: the built-in catalogue).
    sla_hours: int = 4
    head_of_sales: str | None = None
    reactions: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    quality_report: bool = True
    quality_report_time: str = "10:30"
    # Products with an average margin at or above this percent count as high-margin (else the top quartile).
    margin_threshold: float | None = None
    # Days off (ISO dates) besides the weekly ones: no SLA hours, no sync questions or meetings.
    holidays: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)


class Lead(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        # Covers the period queries of the KPI engine: counts per channel, campaign, verdict and owner, and
        # the monthly cohort's look-ups by external id.
        Index(
            "ix_lead_team_created", "team_id", "created_at", "channel", "campaign", "verdict", "owner", "external_id"
        ),
        Index("ix_lead_team_card", "team_id", "card_channel", "card_ts"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    external_id: str
    created_at: datetime = _ts()
    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    channel: str | None = None
    campaign: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = None
    product: str | None = None
    owner: str | None = None
    message: str | None = None
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    # The latest verdict, kept beside its history (LeadVerdict) so reports need no window query.
    verdict: str | None = None
    verdict_at: datetime | None = _ts(nullable=True)
    # Where its card is in Slack: replies in that thread and reactions on it belong to the lead.
    card_channel: str | None = None
    card_ts: str | None = None
    card_posted_at: datetime | None = _ts(nullable=True)
    source: str = Field(default="import", sa_column_kwargs={"server_default": "import"})  # or webhook, slack
    forgotten_at: datetime | None = _ts(nullable=True)
    row_hash: int | None = Field(default=None, sa_type=BigInteger)


class LeadDay(SQLModel, table=True):
    """Leads and target leads per UTC day, channel and campaign: the long reports read these few rows
    instead of every lead. Kept by storage.rollups.leadday (ORM writes of a lead and bulk imports);
    a missing channel or campaign is kept as "" so the key stays unique."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    channel: str = Field(default="", primary_key=True)
    campaign: str = Field(default="", primary_key=True)
    leads: int = 0
    target_leads: int = 0


class Deal(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        Index("ix_deal_team_status_closed", "team_id", "status", "closed_at"),
        Index("ix_deal_team_lead", "team_id", "lead_external_id", "status"),
        Index("ix_deal_team_customer", "team_id", "customer", "status", "closed_at"),
        Index("ix_deal_team_product_margin", "team_id", "product", "margin"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    external_id: str
    lead_external_id: str | None = None
    customer: str | None = None
    product: str | None = None
    amount: float | None = None
    margin: float | None = None  # a share of the amount, 0..1
    status: str = "open"  # won | lost | open
    created_at: datetime | None = _ts(nullable=True)
    closed_at: datetime | None = _ts(nullable=True)
    rep: str | None = None
    row_hash: int | None = Field(default=None, sa_type=BigInteger)
    # The customer's first won deal (a deal without a customer is its own customer): kept by
    # storage.rollups.customers, so new customers are counted without looking at older deals.
    first_won: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Activity(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        Index("ix_activity_team_kind_time", "team_id", "kind", "occurred_at"),
        Index("ix_activity_team_lead", "team_id", "lead_external_id", "kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    external_id: str
    kind: str  # request | meeting
    occurred_at: datetime = _ts()
    rep: str | None = None
    lead_external_id: str | None = None
    row_hash: int | None = Field(default=None, sa_type=BigInteger)


class Spend(SQLModel, table=True):
    """Marketing spend per day, channel and campaign."""

    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        Index("ix_spend_team_day", "team_id", "day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    external_id: str
    day: date
    channel: str | None = None
    campaign: str | None = None
    amount: float = 0.0
    row_hash: int | None = Field(default=None, sa_type=BigInteger)


class Traffic(SQLModel, table=True):
    """Site visitors per day and channel."""

    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        Index("ix_traffic_team_day", "team_id", "day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    external_id: str
    day: date
    channel: str | None = None
    visitors: int = 0
    row_hash: int | None = Field(default=None, sa_type=BigInteger)


class Feedback(SQLModel, table=True):
    """Customer feedback: a review, a complaint or a wish."""

    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        Index("ix_feedback_team_created", "team_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    external_id: str
    kind: str  # review | complaint | wish
    rating: int | None = None
    positive: bool | None = None
    text: str | None = None
    source: str | None = None
    customer: str | None = None
    author: str | None = None  # a Slack user id when it came from Slack
    created_at: datetime = _ts()
    row_hash: int | None = Field(default=None, sa_type=BigInteger)


class LeadVerdict(SQLModel, table=True):
    """Every verdict ever given on a lead, in order: the audit history."""

    __table_args__ = (Index("ix_verdict_team_lead", "team_id", "lead_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    lead_id: int = Field(foreign_key="lead.id")
    verdict: str  # target | not_target | spam | duplicate | cant_reach | not_now
    reason: str | None = None
    note: str | None = None
    user_id: str | None = None
    source: str = "button"  # button | reaction | import
    created_at: datetime = _ts(default_factory=utcnow)


class ThreadReply(SQLModel, table=True):
    """A message written in a lead card's thread, kept against the lead."""

    __table_args__ = (
        UniqueConstraint("team_id", "channel", "ts"),
        Index("ix_reply_team_lead", "team_id", "lead_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    lead_id: int = Field(foreign_key="lead.id")
    channel: str
    ts: str
    user_id: str | None = None
    text: str = ""
    created_at: datetime = _ts(default_factory=utcnow)
    edited_at: datetime | None = _ts(nullable=True)


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
    created_at: datetime = _ts(default_factory=utcnow)


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


class CardQueue(SQLModel, table=True):
    """Leads whose card is still to be posted (written with the lead; the card worker drains it)."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    lead_id: int = Field(foreign_key="lead.id", unique=True)
    queued_at: datetime = _ts(default_factory=utcnow)


class HandledEvent(SQLModel, table=True):
    """Slack event ids already acted on, so a retried event does nothing."""

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(max_length=32)
    created_at: datetime = _ts(default_factory=utcnow)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model: its `__table__`, which SQLModel sets without declaring it."""
    table = class_mapper(model, configure=False).local_table
    assert isinstance(table, Table)
    return table


# The roll-up and the first-won marks follow every ORM write of a lead or a deal; importing them here
# registers that with the models.
from storage.rollups import customers as _customers  # noqa: E402, F401
from storage.rollups import leadday as _leadday  # noqa: E402, F401
