"""Pace of a workspace's month: its plan (storage.repos.plans), its actuals so far (the KPI catalogue over
the metrics repository), the weekday seasonality of the trailing weeks, through bot.kpi.pace's math."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlmodel import Session

from bot.deps import Deps
from bot.kpi.catalog import derive
from bot.kpi.pace import (
    ADDITIVE,
    SEASON_WEEKS,
    PaceLine,
    WorkCalendar,
    elapsed_fraction,
    month_of,
    pace_lines,
    period_plan,
    seasonal_fraction,
    weekday_shares,
)
from bot.kpi.periods import Period
from bot.workspace.store import load
from storage.models import Workspace
from storage.repos import metrics, plans
from storage.repos import pace as pace_repo

# A moment just before another: the month a digest's cutoff (a local midnight) closes is the one before it.
_TICK = timedelta(microseconds=1)


def calendar_of(ws: Workspace) -> WorkCalendar:
    return WorkCalendar.of(tz=ws.timezone, workdays=ws.workdays, work_hours=ws.work_hours, holidays=ws.holidays or [])


def month_pace(deps: Deps, team_id: str, as_of: datetime, *, channel: str | None = None) -> list[PaceLine]:
    """Each planned KPI of the month `as_of` falls in (the workspace's plan, or the channel's), worst
    first; [] when that month has no plan."""
    return _month_pace(deps, load(deps, team_id), as_of, channel)


@dataclass
class Known:
    """What a report read before its paces that they need too: totals of windows (a pace's month to date
    among them), and the local days' KPIs one pace read for the other (storage.repos.pace.day_series)."""

    totals: Mapping[metrics.Window, Mapping[str, Any]] = field(default_factory=dict)
    days: pace_repo.Days = field(default_factory=dict)
    # (month, channel or "") → its plan, read once for the report's paces and their periods' shares.
    plans: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    def plan(self, s: Session, team_id: str, month: Period, channel: str | None) -> dict[str, float]:
        key = (month.key(), channel or "")
        if key not in self.plans:
            self.plans[key] = plans.month_plan(s, team_id=team_id, month=key[0], channel=key[1])
        return self.plans[key]


def report_pace(
    deps: Deps,
    ws: Workspace,
    kind: str,
    period: Period,
    now: datetime,
    *,
    actual: Mapping[str, float | None] | None = None,
    channel: str | None = None,
    month_of_report: Period | None = None,
    known: Known | None = None,
) -> list[PaceLine]:
    """The pace a digest of `period` made at `now` shows: its month as of the period's end (or `now`, for
    a period still running); for a day or a week also the period's own share of the plan against
    `actual`, its numbers (counted KPIs on periods with working days). None for a range of days of the
    user's choosing. `month_of_report`: none unless the pace is of that month (a month's plan is a new
    goal: a status does not carry on from the month before). `known`: what the report read already."""
    as_of = _as_of(ws, kind, period, now)
    if as_of is None:
        return []
    if month_of_report is not None and pace_month_of(ws, period, now) != month_of_report:
        return []
    known = known or Known()
    lines = _month_pace(deps, ws, as_of, channel, known)
    if not lines or period.kind == "month" or actual is None:
        return lines
    with deps.read() as s:
        months = {m.key(): known.plan(s, ws.team_id, m, channel) for m in _months(period)}
    out = []
    cal = calendar_of(ws)
    for line in lines:
        share = period_plan(line.kpi, cal, period, months) if line.kpi in ADDITIVE else None
        # A day off plans nothing, and a cap (CAC) says nothing of one day: no share of the plan then.
        out.append(replace(line, period_plan=share, period_actual=actual.get(line.kpi)) if share else line)
    return out


def prefetch(
    deps: Deps,
    ws: Workspace,
    kind: str,
    periods: list[Period],
    now: datetime,
    known: Known,
    *,
    channel: str | None = None,
) -> None:
    """Reads into `known` what the paces of these periods at `now` will ask: their months' plans, and
    the trailing days of those that have one, all at once (a report's two paces share most days)."""
    cal = calendar_of(ws)
    spans: list[tuple] = []
    with deps.read() as s:
        for period in periods:
            as_of = _as_of(ws, kind, period, now)
            if as_of is None:
                continue
            month, as_of, _window = _month_to_date(ws, as_of, channel)
            if known.plan(s, ws.team_id, month, channel) and 0 < elapsed_fraction(cal, month, as_of) < 1:
                days, edges = _season(cal, as_of)
                spans += [(day, lo, hi) for day, (lo, hi) in zip(days, pairwise(edges), strict=True)]
        if spans:
            pace_repo.read_days(s, team_id=ws.team_id, spans=spans, channel=channel, known=known.days)


def pace_window(ws: Workspace, kind: str, period: Period, now: datetime, channel: str | None) -> metrics.Window | None:
    """The month to date whose totals report_pace of `period` at `now` reads (if the month has a plan);
    None for a range of days or a period not begun."""
    as_of = _as_of(ws, kind, period, now)
    return None if as_of is None else _month_to_date(ws, as_of, channel)[2]


def _as_of(ws: Workspace, kind: str, period: Period, now: datetime) -> datetime | None:
    """The instant a report's pace is taken at: its period's end, or now for a period still running;
    None for a range of days, or a period not begun."""
    if kind == "range":
        return None
    cal = calendar_of(ws)
    as_of = min(cal.midnight(period.end), now)
    return None if as_of <= cal.midnight(period.start) else as_of


def _month_to_date(ws: Workspace, as_of: datetime, channel: str | None) -> tuple[Period, datetime, metrics.Window]:
    """The month a pace taken at `as_of` is of (a local midnight closes the month before it), `as_of`
    within it, and the window from the month's start to then."""
    cal = calendar_of(ws)
    month = month_of(cal.local_day(as_of - _TICK))
    month_end = cal.midnight(month.end)
    as_of = min(as_of, month_end)
    end_day = month.end if as_of >= month_end else cal.local_day(as_of)
    return month, as_of, metrics.Window(ws.team_id, cal.midnight(month.start), as_of, month.start, end_day, channel)


def pace_month_of(ws: Workspace, period: Period, now: datetime) -> Period:
    """The month a report of `period` made at `now` paces."""
    cal = calendar_of(ws)
    return month_of(cal.local_day(min(cal.midnight(period.end), now) - _TICK))


def _months(period: Period) -> list[Period]:
    out = [month_of(period.start)]
    while out[-1].end < period.end:
        out.append(month_of(out[-1].end))
    return out


def _month_pace(
    deps: Deps, ws: Workspace, as_of: datetime, channel: str | None, known: Known | None = None
) -> list[PaceLine]:
    cal = calendar_of(ws)
    month, as_of, window = _month_to_date(ws, as_of, channel)
    known = known or Known()
    with deps.read() as s:
        plan = known.plan(s, ws.team_id, month, channel)
        if not plan:
            return []
        actual = derive(known.totals.get(window) or metrics.totals(s, window=window, trend_only=True))
        elapsed = elapsed_fraction(cal, month, as_of)
        seasonal: dict[str, float | None] = {}
        if 0 < elapsed < 1:
            days, edges = _season(cal, as_of)
            series = pace_repo.day_series(
                s, team_id=ws.team_id, days=days, edges=edges, channel=channel, known=known.days
            )
            for k in ADDITIVE:
                shares = weekday_shares(series.get(k, {}), cal.local_day(as_of))
                seasonal[k] = None if shares is None else seasonal_fraction(cal, month, as_of, shares)
    return pace_lines(plan, actual, elapsed=elapsed, seasonal=seasonal, month=month.key())


def _season(cal: WorkCalendar, as_of: datetime) -> tuple[list[date], list[datetime]]:
    """The local days whose weekdays a pace at `as_of` learns its seasonality from (the weeks before
    its day), and the instant each begins with one more for the end of the last."""
    until = cal.local_day(as_of)
    days = [until - timedelta(days=d) for d in range(7 * SEASON_WEEKS, 0, -1)]
    return days, [cal.midnight(d) for d in [*days, until]]
