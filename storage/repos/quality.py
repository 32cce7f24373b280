"""Lead-quality numbers for marketing: verdicts per channel, campaign and reason; exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Select, SQLColumnExpression, case, cast, func, select
from sqlmodel import Session, col

from storage.models import Lead, LeadVerdict, ThreadReply
from storage.repos.metrics import Window

# A missing instant among microseconds (pandas' NaT).
NAT = np.iinfo(np.int64).min

Q = TypeVar("Q", bound=Select)

REJECTED = ("not_target", "spam", "duplicate", "cant_reach", "not_now")


def _in(w: Window) -> tuple[ColumnElement[bool], ...]:
    narrow = (col(Lead.channel) == w.channel,) if w.channel else ()
    return (col(Lead.team_id) == w.team_id, col(Lead.created_at) >= w.start, col(Lead.created_at) < w.end, *narrow)


def by_group(session: Session, *, window: Window, by: str) -> list[tuple]:
    """(group, leads, judged, target) for leads created in the period; `by` is channel, campaign or reason."""
    if by == "reason":
        return [
            (reason, n, n, 0)
            for reason, n in session.execute(
                select(col(LeadVerdict.reason), func.count())
                .join(Lead, col(Lead.id) == LeadVerdict.lead_id)
                .where(
                    *_in(window),
                    col(Lead.verdict).in_(REJECTED),
                    col(LeadVerdict.verdict) == Lead.verdict,
                    col(LeadVerdict.created_at) == Lead.verdict_at,
                )
                .group_by(col(LeadVerdict.reason))
            ).all()
        ]
    group = col({"channel": Lead.channel, "campaign": Lead.campaign}[by])
    return [
        tuple(r)
        for r in session.execute(
            select(
                group,
                func.count(),
                func.sum(case((col(Lead.verdict).is_not(None), 1), else_=0)),
                func.sum(case((col(Lead.verdict) == "target", 1), else_=0)),
            )
            .where(*_in(window))
            .group_by(group)
        ).all()
    ]


def quotes(session: Session, *, window: Window, limit: int = 5) -> list[tuple]:
    """(channel, verdict, reply text) from the threads of rejected leads, newest first."""
    return [
        tuple(r)
        for r in session.execute(
            select(col(Lead.channel), col(Lead.verdict), col(ThreadReply.text))
            .join(Lead, col(Lead.id) == ThreadReply.lead_id)
            .where(*_in(window), col(Lead.verdict).in_(REJECTED), func.length(ThreadReply.text) > 10)
            .order_by(col(ThreadReply.created_at).desc())
            .limit(limit)
        ).all()
    ]


def response_times(session: Session, *, window: Window) -> tuple[np.ndarray, np.ndarray]:
    """When each carded lead created in the period had its card posted and its first verdict (NaT when
    none yet), as UTC microseconds since the epoch: a period holds thousands, counted as arrays."""
    # Both from the carded leads' partial index (the first verdict kept by storage.rollups.verdicts), in one
    # row of two lists, never a row or a datetime object per lead (those took longer than the statement):
    # PostgreSQL's as arrays of integers, SQLite's as its text joined ('' for a lead not judged yet; no
    # leads: NULL), converted at once.
    columns = (col(Lead.card_posted_at), col(Lead.first_verdict_at))
    where = (*_in(window), col(Lead.card_posted_at).is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        micros = (func.array_agg(cast(func.extract("epoch", c) * 1_000_000, BigInteger)) for c in columns)
        lists = session.connection().execute(select(*micros).where(*where)).one()
        posted, judged = (np.array([NAT if v is None else v for v in c or ()], dtype=np.int64) for c in lists)
        return posted, judged
    texts = (func.group_concat(func.coalesce(c, ""), ",") for c in columns)
    joined = session.connection().execute(select(*texts).where(*where)).one()
    posted, judged = (
        pd.to_datetime([] if c is None else c.split(","), utc=True, format="ISO8601").as_unit("us").asi8 for c in joined
    )
    return posted, judged


def waiting(session: Session, *, team_id: str, channel: str | None = None) -> list[tuple]:
    """(owner, leads, oldest card posted at) per owner of the leads with a card and no verdict, however
    old; `channel` narrows."""
    narrow = (col(Lead.channel) == channel,) if channel else ()
    rows = session.execute(
        select(col(Lead.owner), func.count(), func.min(Lead.card_posted_at))
        .where(
            col(Lead.team_id) == team_id,
            col(Lead.verdict).is_(None),
            col(Lead.card_ts).is_not(None),
            col(Lead.card_posted_at).is_not(None),
            *narrow,
        )
        .group_by(col(Lead.owner))
    ).all()
    return [(owner, n, _aware(at)) for owner, n, at in rows]


def _aware(v: Any) -> Any:
    if isinstance(v, str):  # SQLite hands an aggregate of a datetime back as text
        v = datetime.fromisoformat(v)
    return v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v


def _bounds(first: date | None, last: date | None, tz: str) -> tuple[datetime | None, datetime | None]:
    zone = ZoneInfo(tz)
    lo = datetime.combine(first, time(0), zone).astimezone(UTC) if first else None
    hi = datetime.combine(last, time(23, 59, 59, 999999), zone).astimezone(UTC) if last else None
    return lo, hi


def during(q: Q, column: SQLColumnExpression[datetime], first: date | None, last: date | None, tz: str) -> Q:
    lo, hi = _bounds(first, last, tz)
    if lo:
        q = q.where(column >= lo)
    if hi:
        q = q.where(column <= hi)
    return q


def verdict_rows(
    session: Session, *, team_id: str, first: date | None, last: date | None, tz: str
) -> tuple[list[str], list[tuple]]:
    q = (
        select(
            col(Lead.id),
            col(Lead.external_id),
            col(Lead.created_at),
            col(Lead.name),
            col(Lead.company),
            col(Lead.email),
            col(Lead.channel),
            col(Lead.campaign),
            col(LeadVerdict.verdict),
            col(LeadVerdict.reason),
            col(LeadVerdict.note),
            col(LeadVerdict.user_id),
            col(LeadVerdict.source),
            col(LeadVerdict.created_at),
        )
        .join(Lead, col(Lead.id) == LeadVerdict.lead_id)
        .where(col(LeadVerdict.team_id) == team_id)
        .order_by(col(LeadVerdict.id))
    )
    q = during(q, col(LeadVerdict.created_at), first, last, tz)
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


def reply_rows(
    session: Session, *, team_id: str, first: date | None, last: date | None, tz: str
) -> tuple[list[str], list[tuple]]:
    q = (
        select(
            col(Lead.id),
            col(Lead.external_id),
            col(Lead.channel),
            col(Lead.campaign),
            col(Lead.verdict),
            col(ThreadReply.user_id),
            col(ThreadReply.text),
            col(ThreadReply.created_at),
            col(ThreadReply.edited_at),
        )
        .join(Lead, col(Lead.id) == ThreadReply.lead_id)
        .where(col(ThreadReply.team_id) == team_id)
        .order_by(col(ThreadReply.created_at))
    )
    q = during(q, col(ThreadReply.created_at), first, last, tz)
    header = ["lead_id", "external_id", "channel", "campaign", "verdict", "user", "text", "written_at", "edited_at"]
    return header, [tuple(r) for r in session.execute(q).all()]


def recent_leads(session: Session, *, team_id: str, since: datetime) -> list[tuple]:
    """(id, created at, verdict, owner) of the leads created since `since`, oldest first (the demo's cards)."""
    rows = session.execute(
        select(col(Lead.id), col(Lead.created_at), col(Lead.verdict), col(Lead.owner))
        .where(col(Lead.team_id) == team_id, col(Lead.created_at) >= since)
        .order_by(col(Lead.created_at), col(Lead.id))
    ).all()
    return [(i, _aware(at), v, o) for i, at, v, o in rows]
