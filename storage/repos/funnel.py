"""The funnel's cohort: the leads of a window and how far they had got by a given instant.

A lead counts at a stage when it reached that stage or a later one (a won lead was met and was a
target, whatever the records say), so no stage of a cohort holds more leads than the one before.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Select, and_, bindparam, case, func, literal, select, union_all
from sqlmodel import Session, col

from storage.models import Activity, Deal, Lead
from storage.repos.metrics import CHANNEL, END, START, TEAM, Window, _params, leads_by_channel

AS_OF: BindParameter[datetime] = bindparam("as_of")


@cache
def _progress_statement(narrow: bool) -> Select:
    # Driven from the meetings and won deals (far fewer than leads) between the cohort's first day and
    # the instant asked about, each joined to its lead by the unique (team, external id): the leads that
    # got nowhere are never read row by row, their count comes from the roll-up.
    events = union_all(
        select(col(Activity.lead_external_id).label("ext"), literal(1).label("met"), literal(0).label("won")).where(
            col(Activity.team_id) == TEAM,
            col(Activity.kind) == "meeting",
            col(Activity.occurred_at) >= START,
            col(Activity.occurred_at) < AS_OF,
        ),
        select(col(Deal.lead_external_id).label("ext"), literal(0).label("met"), literal(1).label("won")).where(
            col(Deal.team_id) == TEAM,
            col(Deal.status) == "won",
            col(Deal.closed_at) >= START,
            col(Deal.closed_at) < AS_OF,
        ),
    ).subquery()
    cohort = [col(Lead.team_id) == TEAM, col(Lead.created_at) >= START, col(Lead.created_at) < END]
    if narrow:
        cohort.append(col(Lead.channel) == CHANNEL)
    per_lead = (
        select(
            col(Lead.id).label("id"),
            func.max(case((col(Lead.verdict) == "target", 1), else_=0)).label("target"),
            func.max(events.c.won).label("won"),
        )
        .join(events, and_(col(Lead.team_id) == TEAM, col(Lead.external_id) == events.c.ext))
        .where(*cohort)
        .group_by(col(Lead.id))
        .subquery()
    )
    return select(
        func.count(),
        func.sum(per_lead.c.won),
        func.sum(case((per_lead.c.target == 0, 1), else_=0)),
    ).select_from(per_lead)


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
