"""The funnel's cohort: the leads of a window and how far they had got by a given instant; the month's cohort,
how far they have got so far.

A lead counts at a stage when it reached that stage or a later one (a won lead was met and was a
target, whatever the records say), so no stage of a cohort holds more leads than the one before.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Select, bindparam, case, func, or_, select
from sqlmodel import Session, col

from storage.models import Lead
from storage.repos.metrics import CHANNEL, END, START, TEAM, Window, _leads, _params, leads_by_channel
from storage.rollups import reach

AS_OF: BindParameter[datetime] = bindparam("as_of")


@cache
def _progress_statement(narrow: bool) -> Select:
    # Only the leads that got anywhere are read, from their partial index: each lead's first meeting and
    # first sale are kept on it (storage.rollups.reach); the leads that got nowhere are counted by the roll-up.
    cohort = [col(Lead.team_id) == TEAM, col(Lead.created_at) >= START, col(Lead.created_at) < END, reach.reached()]
    if narrow:
        cohort.append(col(Lead.channel) == CHANNEL)
    won = col(Lead.won_at) < AS_OF
    return select(
        func.count(),
        func.sum(case((won, 1), else_=0)),
        func.sum(case((col(Lead.verdict) == "target", 0), else_=1)),
    ).where(*cohort, or_(col(Lead.met_at) < AS_OF, won))


def progress(session: Session, *, window: Window, as_of: datetime) -> dict[str, int]:
    """The leads created in `window` and how many of them had, by `as_of`, become target leads, been
    met, been sold to — each stage counting the leads that reached it or a later one."""
    rows = leads_by_channel(session, window=window)
    leads, judged_target = sum(r[2] for r in rows), sum(r[3] for r in rows)
    p = _params(window) | {"as_of": as_of}
    reached_meeting, won, untargeted = session.execute(_progress_statement(window.channel is not None), p).one()
    return {
        "leads": int(leads),
        # A lead met or sold to without a target verdict still got past the target stage.
        "target_leads": int(judged_target + (untargeted or 0)),
        "meetings": int(reached_meeting or 0),
        "sales": int(won or 0),
    }


def month_cohort(session: Session, *, window: Window) -> dict[str, int]:
    """Leads created in the period and how far they have got since: target, meeting, won."""
    rows = leads_by_channel(session, window=window)
    met, won = session.execute(_month_cohort_statement(window.channel is not None), _params(window)).one()
    return {
        "leads": sum(r[2] for r in rows),
        "target_leads": sum(r[3] for r in rows),
        "meetings": met or 0,
        "sales": won or 0,
    }


@cache
def _month_cohort_statement(narrow: bool) -> Select:
    # The leads that got anywhere, from their partial index (storage.rollups.reach).
    return select(func.count(col(Lead.met_at)), func.count(col(Lead.won_at))).where(_leads(narrow), reach.reached())
