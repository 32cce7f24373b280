"""The two-sided agreement's scorecard: what each department promised for a week and whether it kept it.

Marketing: `agreement_leads_per_week` leads, and a target share of judged leads of at least
`agreement_target_share_pct`. Sales: a verdict within the feedback SLA (`sla_hours` working hours, the
SLA the nudges keep, counted as bot.kpi.sales counts it) and, where the CRM data says when a lead was
first touched, a first touch within `agreement_first_touch_hours` working hours — each for at least
`agreement_on_time_pct` percent of the leads. A week is the workspace's local Monday-to-Sunday week;
working hours are its working days and hours, holidays off, in its time zone.

A commitment nothing can be said about (no judged lead, no lead due, no touch in the CRM data) is
neither kept nor broken: `kept` is None, shown as "no data". The leads of a week still running are
kept once reached and undecided until then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.kpi.periods import Period
from bot.kpi.sales import sla_of
from bot.workspace.store import load
from bot.workspace.worktime import working_hours_between
from storage.models import Workspace
from storage.repos import agreement as repo
from storage.repos.agreement import LeadTimes

WEEKS = 8
MARKETING, SALES = "marketing", "sales"
LEADS, TARGET_SHARE, VERDICT, FIRST_TOUCH = "leads", "target_share", "verdict_in_sla", "first_touch"


@dataclass(frozen=True)
class Measure:
    """One commitment in one week: the actual value (leads, or a percent), kept or broken (None: no data
    or not decided yet), and the leads counted (`count` of `of`; a count of leads alone has no `of`)."""

    actual: float | None
    kept: bool | None
    count: int = 0
    of: int | None = None


@dataclass(frozen=True)
class Commitment:
    side: str  # marketing | sales
    key: str  # leads | target_share | verdict_in_sla | first_touch
    promised: float  # leads a week, or a percent of leads
    actual: float | None
    kept: bool | None
    trend: list[bool | None] = field(default_factory=list)  # the weeks' kept, oldest first, this week last
    count: int = 0
    of: int | None = None
    hours: int | None = None  # working hours of the verdict's SLA or of the first touch

    @property
    def name(self) -> str:
        return f"{self.side}.{self.key}"

    def to_json(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "key": self.key,
            "promised": self.promised,
            "hours": self.hours,
            "actual": self.actual,
            "count": self.count,
            "of": self.of,
            "kept": self.kept,
            "trend": list(self.trend),
        }


@dataclass(frozen=True)
class Scorecard:
    team_id: str
    week: Period
    weeks: list[Period]  # oldest first, ending with `week`
    commitments: list[Commitment]
    in_progress: bool  # the week has not ended yet
    language: str
    timezone: str
    as_of: datetime

    @property
    def agreed(self) -> bool:
        return bool(self.commitments)

    def side(self, side: str) -> list[Commitment]:
        return [c for c in self.commitments if c.side == side]

    def broken(self) -> list[Commitment]:
        return [c for c in self.commitments if c.kept is False]

    def kept(self) -> list[Commitment]:
        return [c for c in self.commitments if c.kept is True]

    def to_json(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "week": self.week.key(),
            "start": self.week.start.isoformat(),
            "end": self.week.last_day.isoformat(),
            "timezone": self.timezone,
            "as_of": self.as_of.isoformat(),
            "in_progress": self.in_progress,
            "weeks": [w.key() for w in self.weeks],
            "commitments": [c.to_json() for c in self.commitments],
            "broken": [c.name for c in self.broken()],
        }


def agreed(ws: Workspace) -> bool:
    """Whether the workspace has agreed on anything (the verdict's SLA alone is no agreement)."""
    return any(
        v is not None
        for v in (ws.agreement_leads_per_week, ws.agreement_target_share_pct, ws.agreement_first_touch_hours)
    )


def promises(ws: Workspace) -> list[tuple[str, str, float, int | None]]:
    """(side, key, promised, hours) of each commitment the workspace has agreed on, in the order shown."""
    if not agreed(ws):
        return []
    out: list[tuple[str, str, float, int | None]] = []
    if ws.agreement_leads_per_week is not None:
        out.append((MARKETING, LEADS, ws.agreement_leads_per_week, None))
    if ws.agreement_target_share_pct is not None:
        out.append((MARKETING, TARGET_SHARE, ws.agreement_target_share_pct, None))
    if ws.sla_hours > 0:
        out.append((SALES, VERDICT, ws.agreement_on_time_pct, ws.sla_hours))
    if ws.agreement_first_touch_hours is not None:
        out.append((SALES, FIRST_TOUCH, ws.agreement_on_time_pct, ws.agreement_first_touch_hours))
    return out


def _share(count: int, of: int, promised: float) -> Measure:
    if of == 0:
        return Measure(None, None, 0, 0)
    # Compared in whole numbers: 9 of 10 is 90% exactly, whatever 9 / 10 * 100 rounds to.
    return Measure(count / of * 100, count * 100 >= promised * of, count, of)


def measure(
    rows: Sequence[LeadTimes], ws: Workspace, key: str, promised: float, *, now: datetime, running: bool = False
) -> Measure:
    """One commitment over one week's leads, as things stand at `now`. Pure."""
    if key == LEADS:
        n = len(rows)
        reached = n >= promised
        return Measure(float(n), True if reached else (None if running else False), n)
    if key == TARGET_SHARE:
        judged = [r for r in rows if r.verdict is not None]
        return _share(sum(r.verdict == "target" for r in judged), len(judged), promised)
    if key == VERDICT:
        sla = sla_of(((r.card_posted_at, r.first_verdict_at) for r in rows if r.card_posted_at), ws, now)
        return _share(sla.kept, sla.due, promised)
    if key == FIRST_TOUCH:
        hours = ws.agreement_first_touch_hours or 0
        touched = [
            working_hours_between(
                r.created_at, t, tz=ws.timezone, workdays=ws.workdays, work_hours=ws.work_hours, holidays=ws.holidays
            )
            for r in rows
            if (t := r.first_touch_at) is not None
        ]
        return _share(sum(h <= hours for h in touched), len(touched), promised)
    raise ValueError(f"unknown commitment '{key}'")


def week_of(day: date | datetime | Period) -> Period:
    if isinstance(day, Period):
        return Period.containing("week", day.start)
    return Period.containing("week", day.date() if isinstance(day, datetime) else day)


def scorecard(deps: Deps, team_id: str, week: date | datetime | Period, *, weeks: int = WEEKS) -> Scorecard:
    """The scorecard of the local week holding `week` (a local day, an instant, or a week's Period), with
    the trend of the `weeks` weeks ending with it; no commitments when the workspace has agreed on nothing."""
    ws = load(deps, team_id)
    now = deps.clock()
    zone = ZoneInfo(ws.timezone)
    this = week_of(week.astimezone(zone) if isinstance(week, datetime) else week)  # an instant: its local day
    periods = [this.shifted(n) for n in range(weeks - 1, -1, -1)]
    running = now < this.window(team_id, ws.timezone).end
    agreed_on = promises(ws)
    by_week: dict[date, list[LeadTimes]] = defaultdict(list)
    first_lead: datetime | None = None
    if agreed_on:
        span = Period("range", periods[0].start, this.end).window(team_id, ws.timezone)
        with deps.read() as s:
            rows = repo.lead_times(s, window=span)
            first_lead = repo.first_lead_at(s, team_id=team_id)
        for r in rows:
            by_week[week_of(r.created_at.astimezone(zone)).start].append(r)
    commitments = []
    for side, key, promised, hours in agreed_on:
        trend: list[bool | None] = []
        last = Measure(None, None)
        for p in periods:
            before_any = first_lead is None or p.window(team_id, ws.timezone).end <= first_lead
            # A week that ended before the workspace had any lead says nothing about anyone.
            last = (
                Measure(None, None)
                if before_any
                else measure(by_week[p.start], ws, key, promised, now=now, running=running and p == this)
            )
            trend.append(last.kept)
        commitments.append(Commitment(side, key, promised, last.actual, last.kept, trend, last.count, last.of, hours))
    return Scorecard(team_id, this, periods, commitments, running, ws.language, ws.timezone, now)


def current_standing(deps: Deps, team_id: str) -> Scorecard | None:
    """This local week's scorecard so far (no trend), or None when nothing is agreed."""
    ws = load(deps, team_id)
    if not agreed(ws):
        return None
    return scorecard(deps, team_id, deps.clock().astimezone(ZoneInfo(ws.timezone)).date(), weeks=1)
