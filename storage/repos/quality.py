"""Lead-quality numbers for marketing: verdicts per channel, campaign and reason; exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session

from storage.models import Lead, LeadVerdict, ThreadReply
from storage.repos.metrics import Window

REJECTED = ("not_target", "spam", "duplicate", "cant_reach", "not_now")


def _in(w: Window):
    return (Lead.team_id == w.team_id, Lead.created_at >= w.start, Lead.created_at < w.end)


def by_group(session: Session, *, window: Window, by: str) -> list[tuple]:
    """(group, leads, judged, target) for leads created in the period; `by` is channel, campaign or reason."""
    if by == "reason":
        return [
            (reason, n, n, 0)
            for reason, n in session.execute(
                select(LeadVerdict.reason, func.count())
                .join(Lead, Lead.id == LeadVerdict.lead_id)
                .where(
                    *_in(window),
                    Lead.verdict.in_(REJECTED),
                    LeadVerdict.verdict == Lead.verdict,
                    LeadVerdict.created_at == Lead.verdict_at,
                )
                .group_by(LeadVerdict.reason)
            ).all()
        ]
    col = {"channel": Lead.channel, "campaign": Lead.campaign}[by]
    return [
        tuple(r)
        for r in session.execute(
            select(
                col,
                func.count(),
                func.sum(case((Lead.verdict.is_not(None), 1), else_=0)),
                func.sum(case((Lead.verdict == "target", 1), else_=0)),
            )
            .where(*_in(window))
            .group_by(col)
        ).all()
    ]


def quotes(session: Session, *, window: Window, limit: int = 5) -> list[tuple]:
    """(channel, verdict, reply text) from the threads of rejected leads, newest first."""
    return [
        tuple(r)
        for r in session.execute(
            select(Lead.channel, Lead.verdict, ThreadReply.text)
            .join(Lead, Lead.id == ThreadReply.lead_id)
            .where(*_in(window), Lead.verdict.in_(REJECTED), func.length(ThreadReply.text) > 10)
            .order_by(ThreadReply.created_at.desc())
            .limit(limit)
        ).all()
    ]


def response_times(session: Session, *, window: Window) -> list[tuple]:
    """(card posted at, first verdict at or None) for carded leads created in the period."""
    first = (
        select(LeadVerdict.lead_id, func.min(LeadVerdict.created_at).label("first_at"))
        .where(LeadVerdict.team_id == window.team_id)
        .group_by(LeadVerdict.lead_id)
        .subquery()
    )
    rows = session.execute(
        select(Lead.card_posted_at, first.c.first_at)
        .outerjoin(first, first.c.lead_id == Lead.id)
        .where(*_in(window), Lead.card_posted_at.is_not(None))
    ).all()
    return [(a, _aware(b)) for a, b in rows]


def _aware(v):
    if isinstance(v, str):  # SQLite hands an aggregate of a datetime back as text
        v = datetime.fromisoformat(v)
    return v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v


def _bounds(first: date | None, last: date | None, tz: str):
    zone = ZoneInfo(tz)
    lo = datetime.combine(first, time(0), zone).astimezone(UTC) if first else None
    hi = datetime.combine(last, time(23, 59, 59, 999999), zone).astimezone(UTC) if last else None
    return lo, hi


def during(q, col, first: date | None, last: date | None, tz: str):
    lo, hi = _bounds(first, last, tz)
    if lo:
        q = q.where(col >= lo)
    if hi:
        q = q.where(col <= hi)
    return q


def verdict_rows(session: Session, *, team_id: str, first: date | None, last: date | None, tz: str):
    q = (
        select(
            Lead.id,
            Lead.external_id,
            Lead.created_at,
            Lead.name,
            Lead.company,
            Lead.email,
            Lead.channel,
            Lead.campaign,
            LeadVerdict.verdict,
            LeadVerdict.reason,
            LeadVerdict.note,
            LeadVerdict.user_id,
            LeadVerdict.source,
            LeadVerdict.created_at,
        )
        .join(Lead, Lead.id == LeadVerdict.lead_id)
        .where(LeadVerdict.team_id == team_id)
        .order_by(LeadVerdict.id)
    )
    q = during(q, LeadVerdict.created_at, first, last, tz)
    header = [
        "lead_id",
        "external_id",
        "lead_created_at",
        "name",
        "company",
        "email",
        "channel",
        "campaign",
        "verdict",
        "reason",
        "comment",
        "user",
        "source",
        "given_at",
    ]
    return header, [tuple(r) for r in session.execute(q).all()]


def reply_rows(session: Session, *, team_id: str, first: date | None, last: date | None, tz: str):
    q = (
        select(
            Lead.id,
            Lead.external_id,
            Lead.channel,
            Lead.campaign,
            Lead.verdict,
            ThreadReply.user_id,
            ThreadReply.text,
            ThreadReply.created_at,
            ThreadReply.edited_at,
        )
        .join(Lead, Lead.id == ThreadReply.lead_id)
        .where(ThreadReply.team_id == team_id)
        .order_by(ThreadReply.created_at)
    )
    q = during(q, ThreadReply.created_at, first, last, tz)
    header = ["lead_id", "external_id", "channel", "campaign", "verdict", "user", "text", "written_at", "edited_at"]
    return header, [tuple(r) for r in session.execute(q).all()]
