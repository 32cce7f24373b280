"""Day series of the planned KPIs, for the weekday seasonality of a month's pace: one small row per local
day, the days cut at the instants the caller gives (local midnights in UTC, so a day with a
daylight-saving change is its own 23 or 25 hours)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.driver import money
from storage.models import Spend
from storage.repos.metrics import Window
from storage.rollups import windows as roll_ups

KPIS = ("leads", "target_leads", "sales", "new_customers", "revenue", "spend")

# A local day (its workspace and channel, its date, the instants it begins and ends) → its KPIs not zero.
Day = tuple[str, str | None, date, datetime, datetime]
Days = dict[Day, dict[str, float]]


def day_series(
    session: Session,
    *,
    team_id: str,
    days: Sequence[date],
    edges: Sequence[datetime],
    channel: str | None = None,
    known: Days | None = None,
) -> dict[str, dict[date, float]]:
    """{kpi: {day: value}} for leads, target leads, sales, new customers, revenue and spend of `days`
    (`edges`: the instant each day begins, and one more for the end of the last); a day without any is
    absent. `known`: the days already read in this unit of work (read_days), not read again; the days
    read here are added to it."""
    known = {} if known is None else known
    spans = [(day, lo, hi) for day, (lo, hi) in zip(days, pairwise(edges), strict=True)]
    read_days(session, team_id=team_id, spans=spans, channel=channel, known=known)
    out: dict[str, dict[date, float]] = {k: {} for k in KPIS}
    for day, lo, hi in spans:
        for k, v in known[(team_id, channel, day, lo, hi)].items():
            out[k][day] = v
    return out


def read_days(
    session: Session,
    *,
    team_id: str,
    spans: Iterable[tuple[date, datetime, datetime]],
    channel: str | None,
    known: Days,
) -> None:
    """Adds to `known` the KPIs of the local days (each its date and the instants it begins and ends)
    not in it yet, in three statements however many: a report reads the days of both its paces at once."""
    todo = [span for day, lo, hi in spans if (span := (team_id, channel, day, lo, hi)) not in known]
    if todo:
        known.update(_read(session, team_id, list(dict.fromkeys(todo)), channel))


def _read(session: Session, team_id: str, spans: list[Day], channel: str | None) -> Days:
    out: Days = {span: {} for span in spans}
    # Each day a window: its whole UTC day from the roll-ups, the hour or so at each end from the rows.
    windows = [Window(team_id, lo, hi, day, day + timedelta(days=1), channel) for _t, _c, day, lo, hi in spans]
    for span, rows in zip(spans, roll_ups.read_many(session, "leadday", (), (), windows), strict=True):
        for n, target in rows:
            if n:
                out[span] |= {"leads": float(n), "target_leads": float(target or 0)}
    for span, rows in zip(spans, roll_ups.read_many(session, "dealday", (), ("won",), windows), strict=True):
        for n, amount, first in rows:
            if n:
                out[span] |= {"sales": float(n), "revenue": money(amount) or 0.0, "new_customers": float(first or 0)}
    by_day = {span[2]: span for span in spans}
    spend_cond = [col(Spend.team_id) == team_id, col(Spend.day) >= min(by_day), col(Spend.day) <= max(by_day)]
    if channel is not None:
        spend_cond.append(col(Spend.channel) == channel)
    spent = select(col(Spend.day), func.sum(Spend.amount)).where(*spend_cond).group_by(col(Spend.day))
    for day, amount in session.execute(spent).all():
        if day in by_day:
            out[by_day[day]]["spend"] = float(amount or 0)
    return out
