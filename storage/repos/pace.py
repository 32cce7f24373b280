"""Day series of the planned KPIs, for the weekday seasonality of a month's pace: one small row per local
day, the days cut at the instants the caller gives (local midnights in UTC, so a day with a
daylight-saving change is its own 23 or 25 hours)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage import driver
from storage.models import LeadDay, Spend
from storage.rollups import leadday


def _lead_days(session: Session, team_id: str, edges: Sequence[datetime], channel: str | None) -> list[tuple]:
    """(leads, target leads) of each [edges[i], edges[i + 1]): whole UTC days from the leads-per-day
    roll-up, and between each edge and its nearest UTC midnight from the leads themselves."""
    mids = [leadday.nearest_midnight(t) for t in edges]
    cond = [col(LeadDay.team_id) == team_id, col(LeadDay.day) >= mids[0].date(), col(LeadDay.day) < mids[-1].date()]
    if channel is not None:
        cond.append(col(LeadDay.channel) == channel)
    per_day = {
        d if isinstance(d, date) else date.fromisoformat(str(d)): (int(n), int(t or 0))
        for d, n, t in session.execute(
            select(col(LeadDay.day), func.sum(LeadDay.leads), func.sum(LeadDay.target_leads))
            .where(*cond)
            .group_by(col(LeadDay.day))
        ).all()
    }
    conn = session.connection()
    q = driver.mark(conn)
    narrow = "" if channel is None else f" AND lead.channel = {q}"
    pieces = driver.per_span(
        conn,
        "count(*), sum(CASE WHEN lead.verdict = 'target' THEN 1 ELSE 0 END)",
        f"lead ON lead.team_id = {q} AND lead.created_at >= slices.lo AND lead.created_at < slices.hi{narrow}",
        [(min(t, m), max(t, m)) for t, m in zip(edges, mids, strict=True)],
        (team_id,) if channel is None else (team_id, channel),
    )

    def before(i: int) -> tuple[int, int]:
        """Leads from mids[0] up to edges[i], as the roll-up's days before its midnight and the piece."""
        n = t = 0
        day = mids[0].date()
        while day < mids[i].date():
            dn, dt = per_day.get(day, (0, 0))
            n, t, day = n + dn, t + dt, day + timedelta(days=1)
        pn, pt = pieces.get(i, (0, 0))
        sign = 1 if edges[i] > mids[i] else -1
        return n + sign * pn, t + sign * pt

    cumulative = [before(i) for i in range(len(edges))]
    return [(b[0] - a[0], b[1] - a[1]) for a, b in pairwise(cumulative)]


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
    for day, (n, target) in zip(days, _lead_days(session, team_id, edges, channel), strict=True):
        if n:
            out["leads"][day], out["target_leads"][day] = float(n), float(target)
    conn = session.connection()
    m = driver.mark(conn)
    narrow = "" if channel is None else f" AND deal.lead_channel = {m}"  # a sale is its lead's channel's
    won = driver.per_span(
        conn,
        "count(*), sum(deal.amount), sum(CASE WHEN deal.first_won THEN 1 ELSE 0 END)",
        f"deal ON deal.team_id = {m} AND deal.status = 'won' AND deal.closed_at >= slices.lo "
        f"AND deal.closed_at < slices.hi{narrow}",
        list(pairwise(edges)),
        (team_id,) if channel is None else (team_id, channel),
    )
    for i, (n, amount, first) in won.items():
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
