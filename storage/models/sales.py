"""What CRMs and ad accounts export: deals, activities, spend, traffic, customer feedback."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from storage.models._columns import ts as _ts

DEAL_PERIOD_COLUMNS = (
    "team_id",
    "status",
    "closed_at",
    "amount",
    "first_won",
    "won_rank",
    "prev_won_at",
    "customer",
    "external_id",
    "product",
    "rep",
    "lead_external_id",
    "lead_channel",
    "lead_campaign",
)

REPEAT_COLUMNS = ("team_id", "prev_won_at", "closed_at", "won_rank", "customer", "lead_channel", "lead_campaign", "id")


class Deal(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        # Covers every report's question of the deals closed in a period: read from the index alone.
        Index("ix_deal_team_status_closed", *DEAL_PERIOD_COLUMNS),
        Index("ix_deal_team_lead", "team_id", "lead_external_id", "status"),
        Index("ix_deal_team_customer", "team_id", "customer", "status", "closed_at"),
        # The won deals whose customer won before: a period's repeat purchases, by the previous one's time.
        Index(
            "ix_deal_repeat",
            *REPEAT_COLUMNS,
            sqlite_where=text("prev_won_at IS NOT NULL"),
            postgresql_where=text("prev_won_at IS NOT NULL"),
        ),
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
    # The deal's place among its customer's won deals (a deal without a customer is its own customer):
    # kept by storage.rollups.customers, so customers are counted without looking at older deals.
    first_won: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    won_rank: int | None = None
    prev_won_at: datetime | None = _ts(nullable=True)
    # The channel and campaign of the deal's lead, which a sale belongs to: kept by
    # storage.rollups.attribution, so a report groups a period's sales without joining them to leads.
    lead_channel: str | None = None
    lead_campaign: str | None = None


class DealDay(SQLModel, table=True):
    """Deals closed won or lost per UTC day, status and their lead's channel and campaign (missing kept as
    ""): how many, their revenue, and how many were their customer's first. The long reports read these
    few rows instead of every deal. Kept by storage.rollups.perday."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    status: str = Field(primary_key=True)
    channel: str = Field(default="", primary_key=True)
    campaign: str = Field(default="", primary_key=True)
    deals: int = 0
    revenue: float | None = None  # None when no deal of the row states an amount, as their sum would be
    first_won: int = 0


class RepDay(SQLModel, table=True):
    """Deals closed won or lost per UTC day, status, product and rep (missing kept as ""), beside DealDay:
    the products and reps blocks read these. Kept by storage.rollups.perday."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    status: str = Field(primary_key=True)
    product: str = Field(default="", primary_key=True)
    rep: str = Field(default="", primary_key=True)
    deals: int = 0
    revenue: float | None = None


class ActivityDay(SQLModel, table=True):
    """Meetings and requests (every kind of activity) per UTC day: the long reports read these few rows
    instead of every one. Kept by storage.rollups.perday."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    activities: int = 0


class ProductMargin(SQLModel, table=True):
    """The margins deals state, per product: how many and their sum, so a report reads the average of
    every deal without reading the deals. Kept by storage.rollups.margins."""

    team_id: str = Field(foreign_key="workspace.team_id", primary_key=True, max_length=32)
    product: str = Field(primary_key=True)
    deals: int = 0
    margin_sum: float = 0.0


class Activity(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "external_id"),
        Index("ix_activity_team_kind_time", "team_id", "kind", "occurred_at", "lead_external_id"),
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
