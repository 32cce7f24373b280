"""Each lead's first meeting and first won deal, kept on the lead (storage.rollups.reach), stay equal to
a count from the meetings and deals themselves after every kind of write; the cohorts read through them
equal a count by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from bot.demo.data import TEAM, generate
from bot.imports.run import recount as recount_rollups
from bot.kpi.funnel import cohort_of
from bot.kpi.periods import Period
from storage.db import read_scope, session_scope
from storage.models import Activity, Deal, Lead
from storage.repos import funnel
from storage.repos.imports import bulk
from tests.rollup_checks import activity_days, activity_days_by_hand
from tests.runtime import deps_for


def marks(engine: Engine) -> dict[str, tuple[datetime | None, datetime | None]]:
    """external id → (met_at, won_at) as stored, for the leads that have either."""
    with Session(engine) as s:
        rows = s.exec(select(Lead.external_id, Lead.met_at, Lead.won_at).where(Lead.team_id == TEAM)).all()
    return {e: (m, w) for e, m, w in rows if m or w}


def by_hand(engine: Engine) -> dict[str, tuple[datetime | None, datetime | None]]:
    """The same from every meeting and won deal, in Python, for the leads stored."""
    with Session(engine) as s:
        leads = set(s.exec(select(Lead.external_id).where(Lead.team_id == TEAM)).all())
        meetings = s.exec(
            select(Activity.lead_external_id, Activity.occurred_at).where(
                Activity.team_id == TEAM, Activity.kind == "meeting"
            )
        ).all()
        won = s.exec(select(Deal.lead_external_id, Deal.closed_at).where(Deal.team_id == TEAM, Deal.status == "won"))
        won = won.all()
    met: dict[str, datetime] = {}
    for ext, t in meetings:
        if ext in leads:
            met[ext] = min(met.get(ext, t), t)
    sold: dict[str, datetime] = {}
    for ext, t in won:
        if ext in leads:
            sold[ext] = min(sold.get(ext, t), t)
    return {e: (met.get(e), sold.get(e)) for e in met.keys() | sold.keys()}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def frame(rows: dict[str, list]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("created_at", "occurred_at", "closed_at"):
        if c in df:
            df[c] = pd.to_datetime(df[c], utc=True).astype("datetime64[us, UTC]")
    return df


def test_the_marks_follow_every_kind_of_write(engine: Engine):
    generate(deps_for(engine), seed=5, today=date(2026, 11, 30))
    assert marks(engine) == by_hand(engine) != {}
    with Session(engine) as s:
        lead = s.exec(
            select(Lead).where(Lead.team_id == TEAM, col(Lead.met_at).is_(None), col(Lead.won_at).is_(None))
        ).first()
        assert lead is not None
        ext = lead.external_id
        # An earlier meeting, a sale, then the meeting moved to another lead and the sale lost.
        meeting = Activity(team_id=TEAM, external_id="M-NEW", kind="meeting", occurred_at=at(3), lead_external_id=ext)
        deal = Deal(team_id=TEAM, external_id="D-NEW", status="won", closed_at=at(9), lead_external_id=ext)
        s.add_all([meeting, deal])
        s.commit()
        assert marks(engine)[ext] == (at(3), at(9))
        assert marks(engine) == by_hand(engine)
        deal.status = "lost"
        meeting.lead_external_id = "LATE-LEAD"
        s.add_all([deal, meeting])
        s.commit()
        assert ext not in marks(engine)
        # A lead stored after its meeting gets its mark when it arrives.
        s.add(Lead(team_id=TEAM, external_id="LATE-LEAD", created_at=at(1)))
        s.commit()
        assert marks(engine)["LATE-LEAD"] == (at(3), None)
        meeting.occurred_at = at(4, 1)  # expired by the commit: the day it was on is read before the change
        s.add(meeting)
        s.commit()
        assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM)
        s.delete(meeting)
        s.commit()
        assert "LATE-LEAD" not in marks(engine)
    assert marks(engine) == by_hand(engine)
    assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM) != {}


def test_the_bulk_import_keeps_the_marks_in_any_order(engine: Engine):
    """Meetings and deals imported before their leads, after them, and moved from one lead to another."""
    deps = deps_for(engine)
    generate(deps, seed=6, today=date(2026, 11, 30))
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert(
            "activities",
            TEAM,
            frame(
                {
                    "external_id": ["A-1", "A-2"],
                    "kind": ["meeting", "meeting"],
                    "occurred_at": [at(5), at(7)],
                    "lead_external_id": ["IMP-1", "IMP-1"],
                }
            ),
        )
        w.upsert(
            "deals",
            TEAM,
            frame({"external_id": ["D-1"], "status": ["won"], "closed_at": [at(8)], "lead_external_id": ["IMP-2"]}),
        )
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert("leads", TEAM, frame({"external_id": ["IMP-1", "IMP-2"], "created_at": [at(2), at(2)]}))
    assert marks(engine)["IMP-1"] == (at(5), None) and marks(engine)["IMP-2"] == (None, at(8))
    with session_scope(engine) as s, bulk(s) as w:  # the first meeting now belongs to IMP-2
        w.upsert(
            "activities",
            TEAM,
            frame({"external_id": ["A-1"], "kind": ["meeting"], "occurred_at": [at(5)], "lead_external_id": ["IMP-2"]}),
        )
    assert marks(engine)["IMP-1"] == (at(7), None) and marks(engine)["IMP-2"] == (at(5), at(8))
    assert marks(engine) == by_hand(engine)
    assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM) != {}


def test_a_recount_repairs_marks_changed_outside_handoff(engine: Engine):
    deps = deps_for(engine)
    generate(deps, seed=7, today=date(2026, 11, 30))
    with engine.begin() as conn:
        conn.execute(text("UPDATE lead SET met_at = NULL WHERE team_id = :t"), {"t": TEAM})
        conn.execute(text("DELETE FROM deal WHERE team_id = :t AND status = 'won'"), {"t": TEAM})
        conn.execute(text("DELETE FROM activity WHERE team_id = :t AND kind = 'request'"), {"t": TEAM})
    assert marks(engine) != by_hand(engine)
    assert activity_days(engine, TEAM) != activity_days_by_hand(engine, TEAM)
    recount_rollups(deps, TEAM)
    assert marks(engine) == by_hand(engine) != {}
    assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM) != {}


def test_the_cohorts_read_through_the_marks_equal_a_count_by_hand(engine: Engine):
    """The funnel's cohort as of its period's end and the month's cohort, against the leads, meetings and
    deals counted in Python."""
    generate(deps_for(engine), seed=8, today=date(2026, 11, 30))
    tz = "Europe/Berlin"
    with Session(engine) as s:
        leads = s.exec(select(Lead.external_id, Lead.created_at, Lead.verdict).where(Lead.team_id == TEAM)).all()
    got = by_hand(engine)
    for period in (Period.containing("month", date(2026, 10, 1)), Period.containing("day", date(2026, 11, 20))):
        cohort = cohort_of(period).window(TEAM, tz)
        as_of = period.window(TEAM, tz).end
        inside = [(e, v) for e, c, v in leads if cohort.start <= c < cohort.end]

        def reached(e: str, as_of: datetime = as_of) -> bool:
            met, won = got.get(e, (None, None))
            return bool((met and met < as_of) or (won and won < as_of))

        def sold(e: str, as_of: datetime = as_of) -> bool:
            won = got.get(e, (None, None))[1]
            return bool(won and won < as_of)

        with read_scope(engine) as s:
            progress = funnel.progress(s, window=cohort, as_of=as_of)
        assert progress == {
            "leads": len(inside),
            "target_leads": sum(v == "target" or reached(e) for e, v in inside),
            "meetings": sum(reached(e) for e, _v in inside),
            "sales": sum(sold(e) for e, _v in inside),
        }
        assert progress["sales"] > 0
    month = Period.containing("month", date(2026, 10, 1)).window(TEAM, tz)
    inside = [(e, v) for e, c, v in leads if month.start <= c < month.end]
    with read_scope(engine) as s:
        assert funnel.month_cohort(s, window=month) == {
            "leads": len(inside),
            "target_leads": sum(v == "target" for _e, v in inside),
            "meetings": sum(got.get(e, (None, None))[0] is not None for e, _v in inside),
            "sales": sum(got.get(e, (None, None))[1] is not None for e, _v in inside),
        }
