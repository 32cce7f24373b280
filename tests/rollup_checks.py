"""The per-day roll-ups of deals and activities as stored, and the same counted from the rows in
Python, for the tests of every write path that must keep them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.models import Activity, ActivityDay, Deal, DealDay, Lead, ReachDay, RepDay

Rows = dict[tuple, tuple[int, float | None, int]]


def deal_days(engine: Engine, team_id: str) -> Rows:
    """("channel", day, status, channel, campaign) and ("rep", day, status, product, rep) → (deals,
    revenue, first won), as the roll-ups hold them."""
    with Session(engine) as s:
        out: Rows = {
            ("channel", r.day, r.status, r.channel, r.campaign): (r.deals, _money(r.revenue), r.first_won)
            for r in s.exec(select(DealDay).where(DealDay.team_id == team_id))
        }
        out |= {
            ("rep", r.day, r.status, r.product, r.rep): (r.deals, _money(r.revenue), 0)
            for r in s.exec(select(RepDay).where(RepDay.team_id == team_id))
        }
    return out


def deal_days_by_hand(engine: Engine, team_id: str, first: set[str]) -> Rows:
    """The same from every won or lost deal with a closing time: its lead's channel looked up here, its
    first-won mark from `first` (the external ids of the customers' first won deals, counted by hand)."""
    with Session(engine) as s:
        leads = {
            e: (c, k)
            for e, c, k in s.exec(select(Lead.external_id, Lead.channel, Lead.campaign).where(Lead.team_id == team_id))
        }
        deals = s.exec(select(Deal).where(Deal.team_id == team_id)).all()
    n: Counter = Counter()
    revenue: dict[tuple, float | None] = {}
    firsts: Counter = Counter()
    for d in deals:
        if d.status not in ("won", "lost") or d.closed_at is None:
            continue
        day = d.closed_at.astimezone(UTC).date()
        channel, campaign = leads.get(d.lead_external_id or "", (None, None))
        for key in (
            ("channel", day, d.status, channel or "", campaign or ""),
            ("rep", day, d.status, d.product or "", d.rep or ""),
        ):
            n[key] += 1
            if d.amount is not None:
                revenue[key] = (revenue.get(key) or 0.0) + d.amount
            if key[0] == "channel":
                firsts[key] += d.external_id in first
    return {k: (n[k], _money(revenue.get(k)), firsts[k]) for k in n}


def _money(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


def activity_days(engine: Engine, team_id: str) -> dict[tuple, int]:
    """(day, kind) → activities, as the roll-up holds them."""
    with Session(engine) as s:
        rows = s.exec(select(ActivityDay).where(ActivityDay.team_id == team_id))
        return {(r.day, r.kind): r.activities for r in rows if r.activities}


def activity_days_by_hand(engine: Engine, team_id: str) -> dict[tuple, int]:
    with Session(engine) as s:
        rows = s.exec(select(Activity.occurred_at, Activity.kind).where(Activity.team_id == team_id)).all()
    return dict(Counter((t.astimezone(UTC).date(), kind) for t, kind in rows))


def reach_days(engine: Engine, team_id: str) -> dict[tuple, tuple[int, int]]:
    """(stage, day created, day reached) → (leads, untargeted), as the roll-up of the leads that got
    somewhere holds them."""
    with Session(engine) as s:
        rows = s.exec(select(ReachDay).where(ReachDay.team_id == team_id))
        return {(r.stage, r.day, r.on_day): (r.leads, r.untargeted) for r in rows if r.leads}


def reach_days_by_hand(engine: Engine, team_id: str, marks: dict[str, tuple]) -> dict[tuple, tuple[int, int]]:
    """The same from the leads' creation times and verdicts and their (first meeting, first sale) in
    `marks`, counted by hand from the meetings and deals."""
    with Session(engine) as s:
        leads = s.exec(select(Lead.external_id, Lead.created_at, Lead.verdict).where(Lead.team_id == team_id)).all()
    n: Counter = Counter()
    untargeted: Counter = Counter()
    for ext, created, verdict in leads:
        met, won = marks.get(ext, (None, None))
        first = min((t for t in (met, won) if t is not None), default=None)
        for stage, t in (("reach", first), ("meeting", met), ("sale", won)):
            if t is not None:
                key = (stage, created.astimezone(UTC).date(), t.astimezone(UTC).date())
                n[key] += 1
                untargeted[key] += verdict != "target"
    return {k: (n[k], untargeted[k]) for k in n}
