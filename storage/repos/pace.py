"""Day series of the planned KPIs, for the weekday seasonality of a month's pace: one small row per local
day, the days cut at the instants the caller gives (local midnights in UTC, so a day with a
daylight-saving change is its own 23 or 25 hours)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.models import Deal, Lead, Spend


def _bucket(column: Any, edges: Sequence[datetime]) -> ColumnElement[int]:
    """Which day [edges[i], edges[i + 1]) a timestamp falls in, as i."""
    return case(*((col(column) < edges[i + 1], i) for i in range(len(edges) - 1)), else_=None)


def _lead_channel(team_id: str, channel: str | None, external_id: Any) -> ColumnElement[bool]:
    if channel is None:
        return literal(True)
    lead = aliased(Lead)
    return exists().where(
        col(lead.team_id) == team_id, col(lead.external_id) == external_id, col(lead.channel) == channel
    )


def day_series(
    session: Session, *, team_id: str, days: Sequence[date], edges: Sequence[datetime], channel: str | None = None
) -> dict[str, dict[date, float]]:
    """{kpi: {day: value}} for leads, target leads, sales, new customers, revenue and spend of `days`
    (`edges`: the instant each day begins, and one more for the end of the last)."""
    if not days:
        return {}
    out: dict[str, dict[date, float]] = {
        k: {} for k in ("leads", "target_leads", "sales", "new_customers", "revenue", "spend")
    }
    lead_day = _bucket(Lead.created_at, edges)
    lead_cond = [col(Lead.team_id) == team_id, col(Lead.created_at) >= edges[0], col(Lead.created_at) < edges[-1]]
    if channel is not None:
        lead_cond.append(col(Lead.channel) == channel)
    leads = select(lead_day, func.count(), func.sum(case((col(Lead.verdict) == "target", 1), else_=0)))
    for i, n, target in session.execute(leads.where(and_(*lead_cond)).group_by(lead_day)).all():
        out["leads"][days[i]], out["target_leads"][days[i]] = float(n), float(target or 0)
    deal_day = _bucket(Deal.closed_at, edges)
    won = select(
        deal_day, func.count(), func.sum(Deal.amount), func.sum(case((col(Deal.first_won), 1), else_=0))
    ).where(
        col(Deal.team_id) == team_id,
        col(Deal.status) == "won",
        col(Deal.closed_at) >= edges[0],
        col(Deal.closed_at) < edges[-1],
        _lead_channel(team_id, channel, col(Deal.lead_external_id)),
    )
    for i, n, amount, first in session.execute(won.group_by(deal_day)).all():
        day = days[i]
        out["sales"][day], out["revenue"][day], out["new_customers"][day] = (
            float(n),
            float(amount or 0),
            float(first or 0),
        )
    spend_cond = [col(Spend.team_id) == team_id, col(Spend.day) >= days[0], col(Spend.day) <= days[-1]]
    if channel is not None:
        spend_cond.append(col(Spend.channel) == channel)
    spent = select(col(Spend.day), func.sum(Spend.amount)).where(*spend_cond).group_by(col(Spend.day))
    for day, amount in session.execute(spent).all():
        out["spend"][day] = float(amount or 0)
    return out
