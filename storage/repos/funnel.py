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
from storage.repos.metrics import Window, _leads, _params, leads_by_channel
from storage.rollups import reach, reachday

AS_OF: BindParameter[datetime] = bindparam("as_of")


@cache
def _progress_statement() -> Select:
    # A window narrowed to a channel (the roll-up has none): only the leads that got anywhere are read, from
    # their partial index; each lead's first meeting and first sale are kept on it (storage.rollups.reach).
    cohort = [_leads(True), reach.reached()]
    won = col(Lead.won_at) < AS_OF
    return select(
        func.count(),
        func.sum(case((won, 1), else_=0)),
        func.sum(case((col(Lead.verdict) == "target", 0), else_=1)),
    ).where(*cohort, or_(col(Lead.met_at) < AS_OF, won))


def progress(
    session: Session, *, window: Window, as_of: datetime, by_channel: list[tuple] | None = None
) -> dict[str, int]:
    """The leads created in `window` and how many of them had, by `as_of`, become target leads, been
    met, been sold to — each stage counting the leads that reached it or a later one. `by_channel`: the
    window's leads_by_channel, when the caller has read them (a report reads them of all its windows)."""
    rows = leads_by_channel(session, window=window) if by_channel is None else by_channel
    leads, judged_target = sum(r[2] for r in rows), sum(r[3] for r in rows)
    if window.channel is None:  # the whole workspace: from the roll-up (storage.rollups.reachday)
        c = reachday.cohort(session, window, as_of)
        reached_meeting, won, untargeted = c["reach"], c["sale"], c["untargeted"]
    else:
        p = _params(window) | {"as_of": as_of}
        reached_meeting, won, untargeted = session.execute(_progress_statement(), p).one()
    return {
        "leads": int(leads),
        # A lead met or sold to without a target verdict still got past the target stage.
        "target_leads": int(judged_target + (untargeted or 0)),
        "meetings": int(reached_meeting or 0),
        "sales": int(won or 0),
    }


def month_cohort(session: Session, *, window: Window, by_channel: list[tuple] | None = None) -> dict[str, int]:
    """Leads created in the period and how far they have got since: target, meeting, won (`by_channel`:
    as progress's)."""
    rows = leads_by_channel(session, window=window) if by_channel is None else by_channel
    if window.channel is None:
        c = reachday.cohort(session, window)
        met, won = c["meeting"], c["sale"]
    else:
        met, won = session.execute(_month_cohort_statement(), _params(window)).one()
    return {
        "leads": sum(r[2] for r in rows),
        "target_leads": sum(r[3] for r in rows),
        "meetings": met or 0,
        "sales": won or 0,
    }


@cache
def _month_cohort_statement() -> Select:
    # A window narrowed to a channel: the leads that got anywhere, from their partial index.
    return select(func.count(col(Lead.met_at)), func.count(col(Lead.won_at))).where(_leads(True), reach.reached())
