"""A Slack workspace and its settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, text
from sqlmodel import Field, SQLModel

from storage.models._columns import ts as _ts
from storage.types import utcnow


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
    # Days a lead's personal data is kept (None: until `handoff forget`), and how far its erasure has
    # come: every lead created before `erased_until` is erased (a write of an older lead moves it back).
    retention_days: int | None = None
    erased_until: datetime | None = _ts(nullable=True)
    # ISO 4217 code amounts are shown in (None: no symbol, as amounts were imported without one), and the
    # CRM page of a lead, a template with `{external_id}` (None: cards carry no CRM link).
    currency: str | None = Field(default=None, max_length=3)
    crm_lead_url: str | None = Field(default=None, max_length=1000)
    # The two-sided agreement (None: not agreed). Marketing: leads per week and a target share of at least
    # this percent. Sales: a verdict within `sla_hours` working hours and, where the CRM says when, a
    # first touch within `agreement_first_touch_hours` hours, each for at least `agreement_on_time_pct`
    # percent of the leads.
    agreement_leads_per_week: int | None = None
    agreement_target_share_pct: float | None = None
    agreement_first_touch_hours: int | None = None
    agreement_on_time_pct: float = Field(default=90.0, sa_column_kwargs={"server_default": "90"})
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)
