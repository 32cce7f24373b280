"""Pace end to end: plans and leads in the database, the digests posted through the Web API double on
consecutive days (the test drives the clock), the report JSON's `plan`, and the day series' local days."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from bot.demo.data import TEAM as DEMO_TEAM
from bot.demo.data import generate
from bot.deps import Deps
from bot.kpi import pacing
from bot.kpi.outputs import render
from bot.kpi.pacing import calendar_of, month_pace, report_pace
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.settings import Settings
from bot.workspace.store import load, save_settings
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Deal, Lead
from storage.repos import metrics, plans
from storage.repos import pace as pace_repo
from tests.conftest import BOT_TOKEN, TEAM
from tests.runtime import deps_for
from tests.slack_double import SlackDouble

# Leads per day of December 2026 (1 Dec is a Tuesday). With the 31st a holiday the month has 22 working
# days; a plan of 220 leads is 10 a working day.
LEADS = {1: 10, 2: 10, 3: 10, 4: 10, 7: 10, 8: 4, 9: 8, 10: 2}
PLAN = {"leads": 220.0}


def deps_at(engine: Engine, slack: SlackDouble, now: datetime) -> Deps:
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret="s", slack_api_url=slack.api_url, _env_file=None
    )
    return Deps(settings=settings, engine=engine, clock=lambda: now)


def seed(engine: Engine, plan: dict[str, float] | None = PLAN) -> None:
    save_settings(
        deps_for(engine),
        TEAM,
        {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "name": "Acme", "holidays": ["2026-12-31"]},
    )
    with session_scope(engine) as s:
        for day, n in LEADS.items():
            for i in range(n):
                created = datetime(2026, 12, day, 10, i, tzinfo=UTC)  # 11:xx in Berlin
                s.add(Lead(team_id=TEAM, external_id=f"L{day}-{i}", created_at=created, channel="ads"))
        if plan:
            plans.set_values(s, team_id=TEAM, month="2026-12", values=plan, set_by="U0ADMIN")


def sections(slack: SlackDouble) -> list[str]:
    blocks = slack.calls_to("chat.postMessage")[-1].args["blocks"]
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def test_off_pace_fires_once_across_consecutive_daily_digests(engine: Engine, slack: SlackDouble):
    """Tue 8 Dec: 50 leads by 5 of 22 days project 220, on track. Wed: 54 by 6 project 198 (10% short): at
    risk, told. Thu: 62 by 7 project 194.9, still at risk: not told again. Fri: 64 by 8 project 176 (20%
    short): behind, told again as worse."""
    seed(engine)
    told, pace = [], []
    for day in (8, 9, 10, 11):
        now = datetime(2026, 12, day, 8, 1, tzinfo=UTC)  # 09:01 in Berlin
        post_due_digests(deps=deps_at(engine, slack, now), now=now)
        texts = sections(slack)
        told.append([t for t in texts if t.startswith("*What to do*")])
        pace.append([t for t in texts if t.startswith("*Plan")])
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert pace[0] == [
        "*Plan · December 2026 · 23% of the working time gone*\n"
        "🟢 Leads: 50 of 220 (23%), heading for 220 — on track · the day: 10 of 10"
    ]
    assert pace[1] == [
        "*Plan · December 2026 · 27% of the working time gone*\n"
        "🟡 Leads: 54 of 220 (25%), heading for 198 — at risk · the day: 4 of 10"
    ]
    assert told[0] == []
    assert told[1] == [
        "*What to do*\n• Leads: at risk — 54 of 220 (25%) with 27% of the month's working time gone, heading for 198."
    ]
    assert told[2] == []
    assert told[3] == [
        "*What to do*\n• Leads: behind the plan — 64 of 220 (29%) with 36% of the month's working time gone, "
        "heading for 176."
    ]


def test_the_report_json_has_the_plan_with_the_days_share(engine: Engine):
    """The daily report of Wed 9 Dec: the month to date (62 of 220, 7 of 22 days gone, 62 × 22 / 7 projected)
    and the day (8 of its 10)."""
    seed(engine)
    deps = deps_for(engine, clock=lambda: datetime(2026, 12, 10, 8, tzinfo=UTC))
    report = compute_report(deps, TEAM, "daily", Period.containing("day", date(2026, 12, 9)))
    got = json.loads(render(report, "json"))["plan"]
    assert list(got) == ["leads"]
    assert got["leads"]["plan"] == 220.0 and got["leads"]["actual"] == 62
    assert got["leads"]["pct_of_plan"] == pytest.approx(62 / 220 * 100)
    assert got["leads"]["elapsed_pct"] == pytest.approx(7 / 22 * 100)
    assert got["leads"]["projected"] == pytest.approx(62 * 22 / 7)
    assert (got["leads"]["status"], got["leads"]["projection"]) == ("at_risk", "run_rate")
    assert got["leads"]["period"] == {"plan": pytest.approx(10.0), "actual": 8, "pct_of_plan": pytest.approx(80.0)}
    assert "Plan · December 2026" in render(report, "text")


@pytest.mark.parametrize("now", [datetime(2026, 12, 10, 8, tzinfo=UTC), datetime(2026, 12, 9, 10, 3, tzinfo=UTC)])
def test_a_reports_paces_read_their_month_to_date_with_its_totals(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, now: datetime
):
    """The month to date of both paces (the day's, and the day before's for its findings) comes from the
    report's own totals, read at once with them: the paces ask no totals of their own, and come out as a
    pace on its own does, for a day that is over and for one still running (its pace as of now). The
    clock moves a millisecond each time it is read, as a real one does."""
    seed(engine)
    ticks = itertools.count()
    deps = deps_for(engine, clock=lambda: now + timedelta(milliseconds=next(ticks)))
    day = Period.containing("day", date(2026, 12, 9))
    asked: list[metrics.Window] = []
    totals = pacing.metrics.totals

    def counted(session: Session, *, window: metrics.Window, **kw: Any) -> dict[str, Any]:
        asked.append(window)
        return totals(session, window=window, **kw)

    monkeypatch.setattr(pacing.metrics, "totals", counted)
    report = compute_report(deps, TEAM, "daily", day)
    assert asked == []
    alone = report_pace(deps, load(deps, TEAM), "daily", day, now, actual={"leads": 8})
    assert len(asked) == 1  # on its own, a pace reads its month to date
    # 54 leads by the 8th; the 9th's 8 came at 11:00-11:07 in Berlin, 3 of them before 11:03.
    assert [(p.kpi, p.actual, p.plan, p.status, p.period_actual) for p in report.pace] == [
        (p.kpi, p.actual, p.plan, p.status, p.period_actual) for p in alone
    ]
    assert report.pace[0].elapsed_pct == pytest.approx(alone[0].elapsed_pct, abs=1e-3)
    assert alone[0].actual == (62 if now.day == 10 else 57)


def test_a_reports_paces_read_the_plan_once_and_their_days_at_once(engine: Engine, monkeypatch: pytest.MonkeyPatch):
    """The daily report of Wed 9 Dec paces the 9th and, for its findings, the 8th: December's plan is read
    once (for both paces and the day's share of it), the 57 days of both paces' trailing weeks in one read
    of each roll-up and of the spend, and the report's reads take one connection from the pool."""
    seed(engine)
    deps = deps_for(engine, clock=lambda: datetime(2026, 12, 10, 8, tzinfo=UTC))
    day = Period.containing("day", date(2026, 12, 9))
    planned, days, checkouts = [], [], []
    month_plan, read = pacing.plans.month_plan, pace_repo._read

    def plan_read(session: Session, **kw: Any) -> dict[str, float]:
        planned.append(kw["month"])
        return month_plan(session, **kw)

    def days_read(session: Session, team_id: str, spans: list, channel: str | None) -> pace_repo.Days:
        days.append(len(spans))
        return read(session, team_id, spans, channel)

    monkeypatch.setattr(pacing.plans, "month_plan", plan_read)
    monkeypatch.setattr(pace_repo, "_read", days_read)

    def checkout(*_args: Any) -> None:
        checkouts.append(1)

    event.listen(engine, "checkout", checkout)
    try:
        report = compute_report(deps, TEAM, "daily", day)
    finally:
        event.remove(engine, "checkout", checkout)
    assert planned == ["2026-12"] and days == [57] and len(checkouts) == 1
    alone = report_pace(deps, load(deps, TEAM), "daily", day, deps.clock(), actual={"leads": 8})
    assert [(p.kpi, p.actual, p.status, p.projected, p.period_plan) for p in report.pace] == [
        (p.kpi, p.actual, p.status, p.projected, p.period_plan) for p in alone
    ]
    assert planned == ["2026-12", "2026-12"] and days == [57, 56]  # alone, a pace reads its own


def test_no_plan_no_pace(engine: Engine):
    """Without a plan for the month the report has no `plan` key and the text no pace block; a range of
    days of the user's choosing has none either."""
    seed(engine, plan=None)
    deps = deps_for(engine, clock=lambda: datetime(2026, 12, 10, 8, tzinfo=UTC))
    report = compute_report(deps, TEAM, "daily", Period.containing("day", date(2026, 12, 9)))
    assert "plan" not in json.loads(render(report, "json"))
    assert "Plan ·" not in render(report, "text")
    with session_scope(engine) as s:
        plans.set_values(s, team_id=TEAM, month="2026-12", values=PLAN)
    ranged = compute_report(deps, TEAM, "range", Period.between(date(2026, 12, 1), date(2026, 12, 9)))
    assert ranged.pace == []


def test_month_pace_during_a_working_day(engine: Engine):
    """At 13:00 in Berlin on Wed 9 Dec: 6 days and 4 hours of 22 × 9 worked (58 / 198), 62 leads project
    62 × 198 / 58 = 211.7, 3.8% short: on track."""
    seed(engine)
    [line] = month_pace(deps_for(engine), TEAM, datetime(2026, 12, 9, 12, tzinfo=UTC))
    assert line.elapsed_pct == pytest.approx(58 / 198 * 100)
    assert (line.actual, line.status) == (62, "on_track")
    assert line.projected == pytest.approx(62 * 198 / 58)
    assert month_pace(deps_for(engine), TEAM, datetime(2026, 12, 9, 12, tzinfo=UTC), channel="ads") == []


def test_the_day_series_cuts_days_at_local_midnights_across_the_dst_change(engine: Engine):
    """00:30 in Berlin is 23:30 UTC the day before in winter and 22:30 UTC in summer: each lead lands on its
    local day, on both sides of the change on Sun 29 Mar 2026."""
    save_settings(deps_for(engine), TEAM, {"timezone": "Europe/Berlin"})
    cal = calendar_of(load(deps_for(engine), TEAM))
    with session_scope(engine) as s:
        for i, at in enumerate((datetime(2026, 3, 28, 23, 30, tzinfo=UTC), datetime(2026, 3, 29, 22, 30, tzinfo=UTC))):
            s.add(Lead(team_id=TEAM, external_id=f"L{i}", created_at=at, channel="ads", verdict="target"))
    days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    with session_scope(engine) as s:
        series = pace_repo.day_series(
            s, team_id=TEAM, days=days, edges=[cal.midnight(d) for d in [*days, date(2026, 3, 31)]], channel="ads"
        )
    assert series["leads"] == {date(2026, 3, 29): 1.0, date(2026, 3, 30): 1.0}
    assert series["target_leads"] == series["leads"]


@pytest.mark.parametrize("channel", [None, "facebook"])
def test_the_day_series_equals_a_count_by_hand(engine: Engine, channel: str | None):
    """Eight weeks of local days in Berlin (over the end of summer time) from the roll-ups and the hours at
    each day's ends, against the leads and won deals counted per local day in Python: a sale counted on the
    day it closed, in its lead's channel, new when it was its customer's first."""
    generate(deps_for(engine), seed=9, today=date(2026, 11, 30))
    save_settings(deps_for(engine), DEMO_TEAM, {"timezone": "Europe/Berlin"})
    cal = calendar_of(load(deps_for(engine), DEMO_TEAM))
    days = [date(2026, 9, 20) + timedelta(days=i) for i in range(56)]
    with session_scope(engine) as s:
        series = pace_repo.day_series(
            s,
            team_id=DEMO_TEAM,
            days=days,
            edges=[cal.midnight(d) for d in [*days, days[-1] + timedelta(days=1)]],
            channel=channel,
        )
        leads = s.exec(select(Lead).where(Lead.team_id == DEMO_TEAM)).all()
        won = s.exec(select(Deal).where(Deal.team_id == DEMO_TEAM, Deal.status == "won")).all()
    zone = ZoneInfo("Europe/Berlin")
    by_ext = {lead.external_id: lead.channel for lead in leads}
    expected: dict[str, Counter] = {
        k: Counter() for k in ("leads", "target_leads", "sales", "revenue", "new_customers")
    }
    for lead in leads:
        if channel in (None, lead.channel):
            day = lead.created_at.astimezone(zone).date()
            expected["leads"][day] += 1
            expected["target_leads"][day] += lead.verdict == "target"
    for deal in won:
        if deal.closed_at is not None and channel in (None, by_ext.get(deal.lead_external_id or "")):
            day = deal.closed_at.astimezone(zone).date()
            expected["sales"][day] += 1
            expected["revenue"][day] += deal.amount or 0
            expected["new_customers"][day] += deal.first_won
    assert series["sales"] and series["leads"]
    for k in ("leads", "target_leads", "sales", "new_customers"):
        assert series[k] == {d: float(expected[k][d]) for d in days if expected["leads" if "lead" in k else "sales"][d]}
    assert series["revenue"] == pytest.approx({d: expected["revenue"][d] for d in days if expected["sales"][d]})


def test_days_read_once_are_not_read_again(engine: Engine, monkeypatch: pytest.MonkeyPatch):
    """A report's two paces: the second one's weeks (a day later) read only the day the first did not, and
    come out as a fresh read of all of them does, across the end of summer time."""
    generate(deps_for(engine), seed=9, today=date(2026, 11, 30))
    save_settings(deps_for(engine), DEMO_TEAM, {"timezone": "Europe/Berlin"})
    cal = calendar_of(load(deps_for(engine), DEMO_TEAM))
    read: list[int] = []
    read_many = pace_repo.roll_ups.read_many

    def counted(session: Session, *args: Any) -> list[list[tuple]]:
        read.append(len(args[-1]))  # its windows: one a day
        return read_many(session, *args)

    monkeypatch.setattr(pace_repo.roll_ups, "read_many", counted)

    def series(first: date, known: pace_repo.Days | None) -> dict:
        days = [first + timedelta(days=i) for i in range(56)]
        edges = [cal.midnight(d) for d in [*days, days[-1] + timedelta(days=1)]]
        with session_scope(engine) as s:
            return pace_repo.day_series(s, team_id=DEMO_TEAM, days=days, edges=edges, known=known)

    known: pace_repo.Days = {}
    series(date(2026, 9, 20), known)
    assert read == [56, 56]  # the leads' roll-up and the won deals' one
    later = series(date(2026, 9, 21), known)
    assert read[2:] == [1, 1] and len(known) == 57
    fresh = series(date(2026, 9, 21), None)
    assert later == fresh and fresh["leads"] and fresh["sales"] and fresh["spend"]


def test_a_new_months_plan_starts_its_findings_afresh(engine: Engine):
    """The weekly digest of Mon 7 Dec (week 30 Nov – 6 Dec): December's 40 leads by 4 of 22 days project 220
    of 300, behind. November ended behind too (no leads of 100 planned), but that was another month's goal:
    the finding is new, not one that still holds. The week takes 1 of November's 21 days and 4 of December's
    22 (100 / 21 + 300 × 4 / 22 = 59.3)."""
    seed(engine, plan={"leads": 300.0})
    with session_scope(engine) as s:
        plans.set_values(s, team_id=TEAM, month="2026-11", values={"leads": 100.0})
    deps = deps_for(engine, clock=lambda: datetime(2026, 12, 7, 8, tzinfo=UTC))
    report = compute_report(deps, TEAM, "weekly", Period.containing("week", date(2026, 11, 30)))
    [line] = report.pace
    assert (line.month, line.actual, line.status) == ("2026-12", 40, "behind")
    assert line.projected == pytest.approx(220.0)
    assert line.period_plan == pytest.approx(100 / 21 + 300 * 4 / 22) and line.period_actual == 40
    [finding] = [a for a in report.alerts if a.kind == "off_pace"]
    assert (finding.subject, finding.status, finding.severity) == ("leads", "new", "high")
    assert "the week: 40 of 59" in render(report, "text")


def test_month_pace_follows_the_weekday_pattern_of_eight_weeks(engine: Engine):
    """3 leads every Monday and 1 every Tuesday to Friday since 13 Oct: Mondays are 3/7 of a week. December
    (the 31st a holiday) weighs 4 Mondays × 3 + 17 other working days = 30; by Wed 9 Dec 00:00 it has had 8
    of them and 8 leads: 8 × 30 / 8 = 30 projected (the run rate would say 8 × 22 / 6 = 29.3)."""
    save_settings(deps_for(engine), TEAM, {"timezone": "Europe/Berlin", "holidays": ["2026-12-31"]})
    day, n = date(2026, 10, 13), 0
    with session_scope(engine) as s:
        while day < date(2026, 12, 9):
            for _i in range({0: 3, 5: 0, 6: 0}.get(day.weekday(), 1)):
                created = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
                s.add(Lead(team_id=TEAM, external_id=f"L{n}", created_at=created))
                n += 1
            day = date.fromordinal(day.toordinal() + 1)
        plans.set_values(s, team_id=TEAM, month="2026-12", values={"leads": 30.0})
    [line] = month_pace(deps_for(engine), TEAM, datetime(2026, 12, 8, 23, tzinfo=UTC))
    assert (line.actual, line.method, line.status) == (8, "seasonal", "on_track")
    assert line.projected == pytest.approx(30.0)
    assert line.elapsed_pct == pytest.approx(6 / 22 * 100)
