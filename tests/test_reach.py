"""Each lead's first meeting and first won deal, kept on the lead (storage.rollups.reach), stay equal to
a count from the meetings and deals themselves after every kind of write; the cohorts read through them
equal a count by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from bot.demo.data import TEAM, generate
from bot.imports.run import recount as recount_rollups
from bot.kpi.funnel import cohort_of
from bot.kpi.periods import Period
from storage.db import alembic_config, migrate, read_scope, session_scope
from storage.models import Activity, Deal, Lead
from storage.repos import funnel
from storage.repos.imports import bulk
from tests.conftest import _engine_for
from tests.rollup_checks import activity_days, activity_days_by_hand, reach_days, reach_days_by_hand
from tests.runtime import add_workspace_to_an_older_schema, deps_for


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


def reach_days_hold(engine: Engine) -> bool:
    """The roll-up of the leads that got somewhere equals a count by hand (and is not empty)."""
    return reach_days(engine, TEAM) == reach_days_by_hand(engine, TEAM, by_hand(engine)) != {}


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
        assert reach_days_hold(engine)
        # Its verdict, then its creation time, changed: the untargeted count and the days follow.
        lead = s.exec(select(Lead).where(Lead.team_id == TEAM, Lead.external_id == ext)).one()
        lead.verdict = "target" if lead.verdict != "target" else "junk"
        s.add(lead)
        s.commit()
        assert reach_days_hold(engine)
        lead.created_at = at(2, 23)
        s.add(lead)
        s.commit()
        assert reach_days_hold(engine)
        deal.status = "lost"
        meeting.lead_external_id = "LATE-LEAD"
        s.add_all([deal, meeting])
        s.commit()
        assert ext not in marks(engine)
        # A lead stored after its meeting gets its mark when it arrives.
        s.add(Lead(team_id=TEAM, external_id="LATE-LEAD", created_at=at(1)))
        s.commit()
        assert marks(engine)["LATE-LEAD"] == (at(3), None)
        assert reach_days_hold(engine)
        meeting.occurred_at = at(4, 1)  # expired by the commit: the day it was on is read before the change
        s.add(meeting)
        s.commit()
        assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM)
        s.delete(meeting)
        s.commit()
        assert "LATE-LEAD" not in marks(engine)
        # A lead that got somewhere, deleted.
        gone = Lead(team_id=TEAM, external_id="GONE", created_at=at(6), verdict="target")
        s.add_all(
            [
                gone,
                Activity(
                    team_id=TEAM, external_id="M-GONE", kind="meeting", occurred_at=at(8), lead_external_id="GONE"
                ),
            ]
        )
        s.commit()
        assert reach_days_hold(engine)
        s.delete(gone)
        s.commit()
    assert marks(engine) == by_hand(engine)
    assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM) != {}
    assert reach_days_hold(engine)


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
    assert reach_days_hold(engine)
    with session_scope(engine) as s, bulk(s) as w:  # the first meeting now belongs to IMP-2
        w.upsert(
            "activities",
            TEAM,
            frame({"external_id": ["A-1"], "kind": ["meeting"], "occurred_at": [at(5)], "lead_external_id": ["IMP-2"]}),
        )
    assert marks(engine)["IMP-1"] == (at(7), None) and marks(engine)["IMP-2"] == (at(5), at(8))
    assert marks(engine) == by_hand(engine)
    assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM) != {}
    assert reach_days_hold(engine)
    # The leads imported again with another verdict and another day: the days they leave and reach.
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert(
            "leads",
            TEAM,
            frame({"external_id": ["IMP-1", "IMP-2"], "created_at": [at(3), at(1)], "verdict": ["target", "junk"]}),
        )
    assert reach_days_hold(engine)
    assert ("reach", date(2026, 11, 1), date(2026, 11, 5)) in reach_days(engine, TEAM)


def test_a_recount_repairs_marks_changed_outside_handoff(engine: Engine):
    deps = deps_for(engine)
    generate(deps, seed=7, today=date(2026, 11, 30))
    with engine.begin() as conn:
        conn.execute(text("UPDATE lead SET met_at = NULL WHERE team_id = :t"), {"t": TEAM})
        conn.execute(text("DELETE FROM deal WHERE team_id = :t AND status = 'won'"), {"t": TEAM})
        conn.execute(text("DELETE FROM activity WHERE team_id = :t AND kind = 'request'"), {"t": TEAM})
    assert marks(engine) != by_hand(engine)
    assert activity_days(engine, TEAM) != activity_days_by_hand(engine, TEAM)
    assert reach_days(engine, TEAM) != reach_days_by_hand(engine, TEAM, by_hand(engine))
    recount_rollups(deps, TEAM)
    assert marks(engine) == by_hand(engine) != {}
    assert reach_days_hold(engine)
    assert activity_days(engine, TEAM) == activity_days_by_hand(engine, TEAM) != {}


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"])
def test_the_cohorts_read_through_the_marks_equal_a_count_by_hand(engine: Engine, tz: str):
    """The funnel's cohort as of its period's end and the month's cohort, against the leads, meetings and
    deals counted in Python: in zones east and west of UTC, a half-hour one, and over a DST change, with
    leads met and sold to just before and just after the instant a cohort is followed to."""
    generate(deps_for(engine), seed=8, today=date(2026, 11, 30))
    periods = [
        Period.containing("month", date(2026, 10, 1)),
        Period.containing("day", date(2026, 11, 20)),
        Period.containing("week", date(2026, 10, 26)),  # its cohort spans the summer-time change
    ]
    with Session(engine) as s:  # leads of each cohort reached on either side of its instant
        for n, period in enumerate(periods):
            cohort, as_of = cohort_of(period).window(TEAM, tz), period.window(TEAM, tz).end
            for side, shift in (("before", -20), ("after", 20)):
                ext = f"EDGE-{n}-{side}"
                s.add(Lead(team_id=TEAM, external_id=ext, created_at=cohort.start + timedelta(days=3)))
                s.add(
                    Activity(
                        team_id=TEAM,
                        external_id=f"M-{ext}",
                        kind="meeting",
                        lead_external_id=ext,
                        occurred_at=as_of + timedelta(minutes=shift),
                    )
                )
                s.add(
                    Deal(
                        team_id=TEAM,
                        external_id=f"D-{ext}",
                        status="won",
                        lead_external_id=ext,
                        closed_at=as_of + timedelta(minutes=shift + 5),
                    )
                )
        s.commit()
        leads = s.exec(select(Lead.external_id, Lead.created_at, Lead.verdict).where(Lead.team_id == TEAM)).all()
    got = by_hand(engine)
    for period in periods:
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


def test_the_migration_counts_the_leads_already_reached(tmp_path: Path, postgres_reason: str | None):
    """Upgrading a database whose leads already have their marks fills the roll-up of the leads that got
    somewhere from them (SQLite and PostgreSQL)."""
    leads = {  # external id → (created, verdict, first meeting, first sale)
        "E0": (at(1, 0), "target", at(1, 23), None),
        "E1": (at(1, 23), None, at(3), at(2)),  # sold to before the meeting
        "E2": (at(2, 5), "spam", None, at(4)),
        "E3": (at(2, 6), "target", None, None),
    }
    for kind in ("sqlite", "postgres"):
        for engine in _engine_for(kind, tmp_path / kind, postgres_reason if kind == "postgres" else None):
            (tmp_path / kind).mkdir(exist_ok=True)
            command.upgrade(alembic_config(engine), "0021")
            add_workspace_to_an_older_schema(engine, "T1")

            def value(t: datetime | None, kind: str = kind) -> object:  # SQLite keeps naive UTC text
                return t.strftime("%Y-%m-%d %H:%M:%S.%f") if t and kind == "sqlite" else t

            with engine.begin() as conn:
                for ext, (created, verdict, met, won) in leads.items():
                    conn.execute(
                        text(
                            "INSERT INTO lead (team_id, external_id, created_at, verdict, met_at, won_at, source) "
                            "VALUES ('T1', :e, :c, :v, :m, :w, 'import')"
                        ),
                        {"e": ext, "c": value(created), "v": verdict, "m": value(met), "w": value(won)},
                    )
            migrate(engine)
            marked = {e: (m, w) for e, (_c, _v, m, w) in leads.items()}
            assert reach_days(engine, "T1") == reach_days_by_hand(engine, "T1", marked)
            assert reach_days(engine, "T1")[("reach", date(2026, 11, 1), date(2026, 11, 2))] == (1, 1)
