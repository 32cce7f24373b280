"""Leads, their verdicts and thread replies, the card queue and the leads-per-day roll-up."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models._columns import ts as _ts
from storage.types import utcnow

# The predicates and columns of the lead table's partial indexes; a query names the same predicate.
REACHED = "met_at IS NOT NULL OR won_at IS NOT NULL"
REACH_COLUMNS = ("team_id", "created_at", "channel", "verdict", "met_at", "won_at")
WAITING = "verdict IS NULL AND card_ts IS NOT NULL AND card_posted_at IS NOT NULL"
WAITING_COLUMNS = ("team_id", "channel", "owner", "card_posted_at")
CARDED = "card_posted_at IS NOT NULL"
CARDED_COLUMNS = ("team_id", "created_at", "channel", "card_posted_at", "id", "first_verdict_at")


class Lead(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        # Covers the period queries of the KPI engine: counts per channel, campaign, verdict and owner, and
        # the monthly cohort's look-ups by external id.
        Index(
            "ix_lead_team_created", "team_id", "created_at", "channel", "campaign", "verdict", "owner", "external_id"
        ),
        Index("ix_lead_team_card", "team_id", "card_channel", "card_ts"),
        # Covers the look-up of a sale's or a meeting's lead for its channel and campaign.
        Index("ix_lead_team_external_channel", "team_id", "external_id", "channel", "campaign"),
        # Partial: the leads that got to a meeting or a sale (the cohorts), the leads waiting for a verdict
        # (the sales block), the carded leads (the SLA account). Each a small share of all leads.
        Index("ix_lead_reach", *REACH_COLUMNS, sqlite_where=text(REACHED), postgresql_where=text(REACHED)),
        Index("ix_lead_waiting", *WAITING_COLUMNS, sqlite_where=text(WAITING), postgresql_where=text(WAITING)),
        Index("ix_lead_carded", *CARDED_COLUMNS, sqlite_where=text(CARDED), postgresql_where=text(CARDED)),
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
    # When it had its first verdict (the earliest of its history), for the feedback SLA: kept by
    # storage.rollups.verdicts with the history.
    first_verdict_at: datetime | None = _ts(nullable=True)
    # Where its card is in Slack: replies in that thread and reactions on it belong to the lead.
    card_channel: str | None = None
    card_ts: str | None = None
    card_posted_at: datetime | None = _ts(nullable=True)
    source: str = Field(default="import", sa_column_kwargs={"server_default": "import"})  # or webhook, slack
    forgotten_at: datetime | None = _ts(nullable=True)
    # How far it got: its first meeting and its first won deal (storage.rollups.reach).
    met_at: datetime | None = _ts(nullable=True)
    won_at: datetime | None = _ts(nullable=True)
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


class OwnerDay(SQLModel, table=True):
    """Leads per UTC day and owner (no owner kept as ""), beside LeadDay: the reps block of a long report
    reads these. Kept by storage.rollups.leadday with LeadDay."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    owner: str = Field(default="", primary_key=True)
    leads: int = 0


class ReachDay(SQLModel, table=True):
    """The leads that got to a meeting or a sale, per UTC day of their creation, stage and UTC day they
    reached it: the funnel's cohorts read these few rows instead of every such lead. Stage "reach" is a
    lead's first meeting or first sale, whichever came first (a sale implies a meeting), "meeting" its
    first meeting, "sale" its first sale; `untargeted`: how many of them have no target verdict. Kept by
    storage.rollups.reachday."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    stage: str = Field(primary_key=True)
    on_day: date = Field(primary_key=True)
    leads: int = 0
    untargeted: int = 0


class LeadVerdict(SQLModel, table=True):
    """Every verdict ever given on a lead, in order: the audit history."""

    __table_args__ = (Index("ix_verdict_team_lead", "team_id", "lead_id", "created_at"),)
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
