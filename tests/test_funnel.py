"""The cohort funnel against a workspace counted by hand, on SQLite and PostgreSQL: the period's counts
would make a step of 300%, the cohort's steps stay at or under 100%; the report's JSON says its cohort."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from bot.kpi.funnel import MIN_BASE, build_funnel, cohort_of
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.workspace.store import save_settings
from storage.db import session_scope
from storage.models import Activity, Deal, Lead, Traffic
from tests.runtime import deps_for

T = "T1"
# Mon 2 – Sun 8 Nov 2026 in Berlin (1 Nov 23:00 – 8 Nov 23:00 UTC). Its cohort: the leads of 12 Jul –
# 9 Oct 2026 (11 Jul 22:00 – 9 Oct 22:00 UTC), counted by how far they got by 8 Nov 23:00 UTC.
WEEK = Period.containing("week", date(2026, 11, 2))


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def lead(ext: str, created: datetime, channel: str, verdict: str | None = None) -> Lead:
    return Lead(team_id=T, external_id=ext, created_at=created, channel=channel, verdict=verdict)


def meeting(n: int, ext: str, when: datetime, kind: str = "meeting") -> Activity:
    return Activity(team_id=T, external_id=f"a{n}", kind=kind, occurred_at=when, lead_external_id=ext)


def deal(ext: str, status: str, closed: datetime | None) -> Deal:
    return Deal(team_id=T, external_id=f"D-{ext}", lead_external_id=ext, status=status, amount=100, closed_at=closed)


@pytest.fixture
def workspace(engine: Engine) -> Engine:
    save_settings(deps_for(engine), T, {"timezone": "Europe/Berlin"})
    c = [f"C{i:02d}" for i in range(1, 21)]
    rows: list = [lead(x, utc(9, 1), "ads", "target") for x in c[:12]]  # C01–C12: judged target
    rows += [lead("C13", utc(9, 1), "ads", "not_target")]  # met all the same
    rows += [lead(x, utc(9, 1), "seo") for x in c[13:]]  # C14–C20: nothing yet
    rows += [
        lead("E1", utc(7, 11, 22, 30), "ads"),  # 00:30 on 12 Jul in Berlin: in the cohort; won, no verdict
        lead("E0", utc(7, 11, 21, 30), "ads", "target"),  # 23:30 on 11 Jul in Berlin: before it
        lead("Y1", utc(10, 9, 22, 30), "ads", "target"),  # 00:30 on 10 Oct in Berlin: after it
        lead("O1", utc(6, 1), "ads", "target"),
        lead("P1", utc(11, 3), "ads", "target"),  # the week's own leads
        lead("P2", utc(11, 3), "ads", "target"),
        lead("P3", utc(11, 3), "seo"),
        Traffic(team_id=T, external_id="t1", day=date(2026, 11, 3), channel="ads", visitors=600),
    ]
    events = [
        *(("C01", utc(9, 10)), ("C01", utc(9, 10, 15)), ("C02", utc(9, 10)), ("C03", utc(9, 10))),
        *((x, utc(11, 4)) for x in c[3:8]),  # C04–C08, met in the week
        ("C13", utc(9, 15)),
        ("E0", utc(8, 1)),
        ("Y1", utc(11, 4)),  # in the week, not in the cohort
        ("C11", utc(11, 8, 23, 30)),  # 00:30 on 9 Nov in Berlin: after the week
    ]
    rows += [meeting(i, x, when) for i, (x, when) in enumerate(events)]
    rows.append(meeting(99, "C14", utc(9, 10), kind="request"))
    rows += [deal(x, "won", utc(10, 1)) for x in ("C01", "C02", "C03")]
    rows += [
        deal("C09", "won", utc(11, 5)),  # never met on record, still sold to
        deal("C10", "won", utc(11, 20)),  # after the week
        deal("C04", "lost", utc(11, 6)),
        deal("C11", "open", None),
        deal("E1", "won", utc(8, 1)),
        deal("O1", "won", utc(9, 1)),
    ]
    with session_scope(engine) as s:
        s.add_all(rows)
    return engine


def test_the_cohort_of_a_week(workspace: Engine):
    """Cohort 12 Jul – 9 Oct: 21 leads (C01–C20, E1); 14 past the target stage (12 judged + C13 met +
    E1 won); 11 met or sold to (C01–C08, C13 met; C09, E1 sold); 5 sold (C01–C03, C09, E1). The
    week's own counts (2 target leads, 6 meetings) would have made target → meetings 300%."""
    r = compute_report(deps_for(workspace), T, "weekly", WEEK)
    got = [(s.stage, s.count, s.cohort_count) for s in r.funnel.stages]
    assert got == [
        ("visitors", 600, None),
        ("leads", 3, 21),
        ("target_leads", 2, 14),
        ("meetings", 6, 11),
        ("sales", 1, 5),
    ]
    conversions = [s.conversion_pct for s in r.funnel.stages]
    assert conversions == [None, None, pytest.approx(1400 / 21), pytest.approx(1100 / 14), pytest.approx(500 / 11)]
    assert all(c is None or c <= 100 for c in conversions)
    assert r.funnel.visitors_to_leads_pct == pytest.approx(0.5)


def test_the_report_json_says_its_cohort(workspace: Engine):
    """JSON: the cohort's first and last day and the day it is counted to, each stage's period count,
    previous count, cohort count and conversion, and the weakest step."""
    funnel = compute_report(deps_for(workspace), T, "weekly", WEEK).to_json()["funnel"]
    assert funnel == {
        "cohort": {"start": "2026-07-12", "end": "2026-10-09", "as_of": "2026-11-08", "min_base": 10},
        "visitors_to_leads_pct": 0.5,
        "biggest_leak": "sales",
        "stages": [
            {"stage": "visitors", "count": 600, "previous_count": 0, "cohort_count": None, "conversion_pct": None},
            {"stage": "leads", "count": 3, "previous_count": 0, "cohort_count": 21, "conversion_pct": None},
            {
                "stage": "target_leads",
                "count": 2,
                "previous_count": 0,
                "cohort_count": 14,
                "conversion_pct": pytest.approx(66.667, abs=1e-3),
            },
            {
                "stage": "meetings",
                "count": 6,
                "previous_count": 0,
                "cohort_count": 11,
                "conversion_pct": pytest.approx(78.571, abs=1e-3),
            },
            {
                "stage": "sales",
                "count": 1,
                "previous_count": 0,
                "cohort_count": 5,
                "conversion_pct": pytest.approx(45.455, abs=1e-3),
            },
        ],
    }


def test_a_channel_narrows_the_cohort_and_too_few_leads_are_not_judged(workspace: Engine):
    """ads: 14 leads, all past the target stage (100%), 11 met, 5 sold. seo: 7 leads, none further —
    fewer than 10 at the first stage, so no step is judged rather than a 0%."""
    ads = compute_report(deps_for(workspace), T, "weekly", WEEK, channel="ads").funnel
    assert [s.cohort_count for s in ads.stages[1:]] == [14, 14, 11, 5]
    assert [s.conversion_pct for s in ads.stages[2:]] == [100.0, pytest.approx(1100 / 14), pytest.approx(500 / 11)]
    seo = compute_report(deps_for(workspace), T, "weekly", WEEK, channel="seo").funnel
    assert [s.cohort_count for s in seo.stages[1:]] == [7, 0, 0, 0]
    assert [s.conversion_pct for s in seo.stages] == [None] * 5


def test_the_daily_digest_of_the_weeks_last_day_follows_the_same_cohort(workspace: Engine):
    """Sunday 8 Nov ends where the week ends: the same cohort, the same steps."""
    day = compute_report(deps_for(workspace), T, "daily", Period.containing("day", date(2026, 11, 8))).funnel
    week = compute_report(deps_for(workspace), T, "weekly", WEEK).funnel
    assert day.cohort == week.cohort and day.as_of == week.as_of
    assert [s.cohort_count for s in day.stages] == [s.cohort_count for s in week.stages]


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        (WEEK, date(2026, 7, 12), date(2026, 10, 9)),
        (Period.containing("month", date(2026, 11, 1)), date(2026, 8, 3), date(2026, 10, 31)),
        (Period.containing("day", date(2026, 3, 1)), date(2025, 11, 2), date(2026, 1, 30)),
    ],
)
def test_cohort_windows(period: Period, first: date, last: date):
    """90 days ending 30 days before the period's last day: 8 Nov → 9 Oct; 30 Nov → 31 Oct; 1 Mar → 30 Jan."""
    cohort = cohort_of(period)
    assert (cohort.start, cohort.last_day, cohort.days) == (first, last, 90)


def test_a_step_is_judged_from_ten_leads_at_the_stage_before():
    """9 leads at the stage before: not judged; 10: judged."""
    nine = build_funnel({}, {}, {"leads": 9, "target_leads": 9, "meetings": 9, "sales": 0}, period=WEEK)
    assert [s.conversion_pct for s in nine.stages] == [None] * 5
    ten = build_funnel({}, {}, {"leads": 10, "target_leads": 10, "meetings": 5, "sales": 1}, period=WEEK)
    assert [s.conversion_pct for s in ten.stages] == [None, None, 100.0, 50.0, None]
    assert MIN_BASE == 10
