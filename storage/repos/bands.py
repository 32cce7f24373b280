"""What the seasonal bands read (bot.kpi.bands): leads, target leads and spend of a period per channel
and campaign — leads from the leads-per-day roll-up (metrics.leads_by_channel) — and the sample leads
a drill-down shows with their latest verdict reason and first thread reply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Lead, LeadVerdict, ThreadReply
from storage.repos import metrics
from storage.repos.metrics import Window


def band_rows(session: Session, *, window: Window) -> list[tuple]:
    """(channel, campaign, leads, target_leads, spend) of a period, one row per channel and campaign
    that had leads or spend in it."""
    return merged(metrics.leads_by_channel(session, window=window), metrics.spend_by_channel(session, window=window))


def merged(leads: Sequence[tuple], spend: Sequence[tuple]) -> list[tuple]:
    """band_rows of a period's leads by channel (metrics.leads_by_channel) and spend by channel
    (metrics.spend_by_channel), read by the caller: a report reads them of all its periods at once."""
    rows: dict[tuple, list[float]] = {}
    for channel, campaign, n, target in leads:
        m = rows.setdefault((channel, campaign), [0, 0, 0.0])
        m[0] += n
        m[1] += target or 0
    for channel, campaign, amount in spend:
        rows.setdefault((channel, campaign), [0, 0, 0.0])[2] += amount or 0.0
    return [(*k, int(v[0]), int(v[1]), float(v[2])) for k, v in rows.items()]


def sample_leads(session: Session, *, window: Window, campaign: str | None, limit: int = 5) -> list[dict[str, Any]]:
    """Up to `limit` leads of the window's channel (and this campaign, when given) created in the period,
    newest first, forgotten ones left out: their fields, verdict, latest reason and first thread reply."""
    stmt = select(Lead).where(
        Lead.team_id == window.team_id,
        Lead.created_at >= window.start,
        Lead.created_at < window.end,
        col(Lead.forgotten_at).is_(None),
    )
    if window.channel is not None:
        stmt = stmt.where(Lead.channel == window.channel)
    if campaign is not None:
        stmt = stmt.where(Lead.campaign == campaign)
    leads = list(session.exec(stmt.order_by(col(Lead.created_at).desc(), col(Lead.id).desc()).limit(limit)))
    ids = [lead.id for lead in leads]
    reasons: dict[int, str | None] = {}
    for v in session.exec(
        select(LeadVerdict)
        .where(LeadVerdict.team_id == window.team_id, col(LeadVerdict.lead_id).in_(ids))
        .order_by(col(LeadVerdict.id))
    ):
        reasons[v.lead_id] = v.reason  # the latest wins
    quotes: dict[int, str] = {}
    for r in session.exec(
        select(ThreadReply)
        .where(ThreadReply.team_id == window.team_id, col(ThreadReply.lead_id).in_(ids))
        .order_by(col(ThreadReply.created_at), col(ThreadReply.id))
    ):
        if r.text.strip():
            quotes.setdefault(r.lead_id, r.text)
    return [
        {
            "id": lead.id,
            "name": lead.name,
            "company": lead.company,
            "campaign": lead.campaign,
            "created_at": lead.created_at,
            "verdict": lead.verdict,
            "reason": reasons.get(lead.id) if lead.id is not None else None,
            "quote": quotes.get(lead.id) if lead.id is not None else None,
        }
        for lead in leads
    ]
