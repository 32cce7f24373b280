"""What the two-sided agreement's scorecard reads: each lead of a span of weeks with the moments its
commitments are measured by. The weeks are the workspace's local weeks, so the caller buckets them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.models import Activity, Lead, LeadVerdict
from storage.repos.metrics import Window


class LeadTimes(NamedTuple):
    created_at: datetime
    verdict: str | None  # the latest
    card_posted_at: datetime | None
    first_verdict_at: datetime | None
    first_touch_at: datetime | None  # the CRM's first activity on the lead after it came in


def lead_times(session: Session, *, window: Window) -> list[LeadTimes]:
    """Every lead created in the window, with its card, its first verdict and its first touch."""
    first_verdict = (
        select(func.min(LeadVerdict.created_at))
        .where(col(LeadVerdict.team_id) == Lead.team_id, col(LeadVerdict.lead_id) == Lead.id)
        .scalar_subquery()
    )
    # An activity at the very moment the lead came in is the lead's own request, not a touch by sales.
    first_touch = (
        select(func.min(Activity.occurred_at))
        .where(
            col(Activity.team_id) == Lead.team_id,
            col(Activity.lead_external_id) == Lead.external_id,
            col(Activity.occurred_at) > Lead.created_at,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(col(Lead.created_at), col(Lead.verdict), col(Lead.card_posted_at), first_verdict, first_touch).where(
            col(Lead.team_id) == window.team_id,
            col(Lead.created_at) >= window.start,
            col(Lead.created_at) < window.end,
        )
    ).all()
    return [
        LeadTimes(_at(a), verdict, _at(card), _at(judged), _at(touched)) for a, verdict, card, judged, touched in rows
    ]


def _at(v: Any) -> Any:
    if isinstance(v, str):  # SQLite hands an aggregate of a datetime back as text
        v = datetime.fromisoformat(v)
    return v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v


def first_lead_at(session: Session, *, team_id: str) -> datetime | None:
    """When the workspace's first lead came in (None: no lead yet)."""
    return _at(session.execute(select(func.min(Lead.created_at)).where(col(Lead.team_id) == team_id)).scalar())
