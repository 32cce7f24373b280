"""Day series of the planned KPIs, for the weekday seasonality of a month's pace: one small row per local
day, the days cut at the instants the caller gives (local midnights in UTC, so a day with a
daylight-saving change is its own 23 or 25 hours)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.driver import money
from storage.models import Spend
from storage.repos.metrics import Window
from storage.rollups import windows as roll_ups


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
    # Each day a window: its whole UTC day from the roll-ups, the hour or so at each end from the rows.
    windows = [
        Window(team_id, lo, hi, day, day + timedelta(days=1), channel)
        for day, (lo, hi) in zip(days, pairwise(edges), strict=True)
    ]
    for day, rows in zip(days, roll_ups.read_many(session, "leadday", (), (), windows), strict=True):
        for n, target in rows:
            if n:
                out["leads"][day], out["target_leads"][day] = float(n), float(target or 0)
    for day, rows in zip(days, roll_ups.read_many(session, "dealday", (), ("won",), windows), strict=True):
        for n, amount, first in rows:
            if n:
                out["sales"][day], out["revenue"][day] = float(n), money(amount) or 0.0
                out["new_customers"][day] = float(first or 0)
    spend_cond = [col(Spend.team_id) == team_id, col(Spend.day) >= days[0], col(Spend.day) <= days[-1]]
    if channel is not None:
        spend_cond.append(col(Spend.channel) == channel)
    spent = select(col(Spend.day), func.sum(Spend.amount)).where(*spend_cond).group_by(col(Spend.day))
    for day, amount in session.execute(spent).all():
        out["spend"][day] = float(amount or 0)
    return out
