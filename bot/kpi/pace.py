"""Pace against a month's plan: pure math, no SQL.

Working time is the workspace's working hours on its working days that are not holidays, in its zone:
each moment is read through zoneinfo, so a day with a daylight-saving change is still a working day of
the same hours, and 07:30 UTC is 08:30 before the March change in Berlin and 09:30 after it. A period's
share of a month's plan is its working days in that month over the month's working days. A projection
runs the period's actual at its rate so far to the period's end; for a month, when the trailing weeks
hold enough data, each day counts by its weekday's share of the activity instead of as an equal day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from bot.kpi.catalog import ratio
from bot.kpi.periods import Period
from bot.kpi.plan import CEILINGS, PLANNED
from bot.workspace.keys import DAYS, parse_workdays
from bot.workspace.worktime import working_hours_between

# A projection within 5% of the plan (short of a goal, or over a ceiling) is on track; more than 15%
# off is behind (over, for a ceiling); in between, at risk.
ON_TRACK_GAP = 0.05
BEHIND_GAP = 0.15
# Before a tenth of the working time has passed, one good or bad day swings a projection by more than
# these gaps: the status stays on track (the numbers are still shown).
EARLY_ELAPSED_PCT = 10.0
# The weekday seasonality: the weeks it looks back over, and how much activity they must hold to be
# trusted (fewer events, or a week with none, and the run rate projects instead).
SEASON_WEEKS = 8
MIN_SEASON_TOTAL = 40.0
# Worst first.
STATUSES = ("behind", "at_risk", "on_track")
# Counted KPIs a share of the month applies to; a ratio (CAC) is a cap on any period.
ADDITIVE = tuple(k for k in PLANNED if k != "cac")


@dataclass(frozen=True)
class WorkCalendar:
    """A workspace's working time: its zone, working weekdays (0 = Monday), holidays and hours."""

    tz: str
    workdays: str = "mon,tue,wed,thu,fri"
    work_hours: str = "09:00-18:00"
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, *, tz: str, workdays: str, work_hours: str, holidays: Iterable[str] = ()) -> WorkCalendar:
        return cls(tz, workdays, work_hours, frozenset(date.fromisoformat(h) for h in holidays))

    @cached_property
    def weekdays(self) -> frozenset[int]:
        return frozenset(DAYS.index(d) for d in parse_workdays(self.workdays))

    def is_working(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def midnight(self, day: date) -> datetime:
        """The instant a local day begins, in UTC."""
        return datetime.combine(day, time(0), ZoneInfo(self.tz)).astimezone(UTC)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.tz)).date()

    def hours(self, start: datetime, end: datetime) -> float:
        return working_hours_between(
            start, end, tz=self.tz, workdays=self.workdays, work_hours=self.work_hours, holidays=self._iso_holidays
        )

    @property
    def _iso_holidays(self) -> list[str]:
        return [d.isoformat() for d in self.holidays]


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((end - first).days)]


def working_days(cal: WorkCalendar, first: date, end: date) -> list[date]:
    """The working days of [first, end)."""
    return [d for d in _days(first, end) if cal.is_working(d)]


def month_of(day: date) -> Period:
    return Period.containing("month", day)


def share_of_month(cal: WorkCalendar, period: Period, month: Period) -> float:
    """The part of a month's plan that falls to the days of `period` inside it: their working days over the
    month's (calendar days when the month has no working day at all)."""
    first, end = max(period.start, month.start), min(period.end, month.end)
    if end <= first:
        return 0.0
    total = len(working_days(cal, month.start, month.end))
    if total == 0:
        return (end - first).days / month.days
    return len(working_days(cal, first, end)) / total


def elapsed_fraction(cal: WorkCalendar, period: Period, as_of: datetime) -> float:
    """The part of the period's working time that has passed at `as_of`, 0…1 (calendar time when the
    period holds no working hour)."""
    start, end = cal.midnight(period.start), cal.midnight(period.end)
    if as_of <= start:
        return 0.0
    if as_of >= end:
        return 1.0
    total = cal.hours(start, end)
    if total == 0:
        return (as_of - start) / (end - start)
    return cal.hours(start, as_of) / total


def _day_fraction(cal: WorkCalendar, day: date, as_of: datetime) -> float:
    """How much of a local day has passed at `as_of`: of its working hours on a working day, of its
    clock time (23 or 25 hours on a change day) otherwise."""
    start, end = cal.midnight(day), cal.midnight(day + timedelta(days=1))
    if as_of <= start or as_of >= end:  # a day not begun or over: no need to count its hours
        return 0.0 if as_of <= start else 1.0
    if cal.is_working(day) and (total := cal.hours(start, end)) > 0:
        return cal.hours(start, min(as_of, end)) / total
    return max(0.0, min(1.0, (as_of - start) / (end - start)))


def weekday_shares(series: Mapping[date, float], until: date, weeks: int = SEASON_WEEKS) -> dict[int, float] | None:
    """Each weekday's share of the activity in the `weeks` whole weeks before `until` (0 = Monday); None
    when they hold less than MIN_SEASON_TOTAL, or a week of them holds nothing (data only a few weeks
    old has no pattern yet)."""
    first = until - timedelta(weeks=weeks)
    sums = dict.fromkeys(range(7), 0.0)
    per_week = [0.0] * weeks
    for day, v in series.items():
        if first <= day < until:
            sums[day.weekday()] += v or 0.0
            per_week[(day - first).days // 7] += v or 0.0
    total = sum(sums.values())
    if total < MIN_SEASON_TOTAL or not all(per_week):
        return None
    return {w: s / total for w, s in sums.items()}


def seasonal_fraction(cal: WorkCalendar, period: Period, as_of: datetime, shares: Mapping[int, float]) -> float | None:
    """The part of the period's expected activity that falls before `as_of`, each day weighted by its
    weekday's share (a holiday as the quietest weekday); None when the weights sum to nothing."""
    quiet = min(shares.values())

    def weight(d: date) -> float:
        return quiet if d in cal.holidays else shares[d.weekday()]

    days = _days(period.start, period.end)
    total = sum(weight(d) for d in days)
    if total <= 0:
        return None
    done = sum(weight(d) * _day_fraction(cal, d, as_of) for d in days)
    return done / total


def project(actual: float | None, fraction: float | None) -> float | None:
    """The actual run at its rate so far to the period's end; None before any time has passed."""
    if actual is None or fraction is None or fraction <= 0:
        return None
    return actual / min(fraction, 1.0)


def gap(kpi: str, projected: float, plan: float) -> float:
    """How far the projection falls short of a goal, or goes over a ceiling, as a part of the plan (≤ 0: kept)."""
    if plan <= 0:
        return 0.0 if kpi not in CEILINGS or projected <= 0 else 1.0
    return (projected - plan) / plan if kpi in CEILINGS else (plan - projected) / plan


def status(kpi: str, projected: float | None, plan: float, elapsed_pct: float) -> str:
    """on_track, at_risk or behind (for a ceiling: heading over it), by the projection's gap to the plan."""
    if projected is None or elapsed_pct < EARLY_ELAPSED_PCT:
        return "on_track"
    g = gap(kpi, projected, plan)
    return "on_track" if g <= ON_TRACK_GAP else "at_risk" if g <= BEHIND_GAP else "behind"


@dataclass(frozen=True)
class PaceLine:
    """One planned KPI of a month: where it stands at a moment and where it is heading. `period_plan` and
    `period_actual`: the reported day's or week's share of the plan and its own actual, when a digest
    reports on less than the month."""

    kpi: str
    plan: float
    actual: float | None
    pct_of_plan: float | None
    elapsed_pct: float
    projected: float | None
    status: str
    method: str = "run_rate"  # or "seasonal": how the projection was made
    period_plan: float | None = None
    period_actual: float | None = None
    month: str = ""  # the planned month's key, `2026-12`

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "plan": self.plan,
            "actual": self.actual,
            "pct_of_plan": self.pct_of_plan,
            "elapsed_pct": self.elapsed_pct,
            "projected": self.projected,
            "status": self.status,
            "projection": self.method,
        }
        if self.period_plan is not None:
            out["period"] = {
                "plan": self.period_plan,
                "actual": self.period_actual,
                "pct_of_plan": ratio(self.period_actual, self.period_plan, 100.0),
            }
        return out


def pace_lines(
    plan: Mapping[str, float],
    actual: Mapping[str, float | None],
    *,
    elapsed: float,
    seasonal: Mapping[str, float | None] | None = None,
    month: str = "",
) -> list[PaceLine]:
    """A line per planned KPI, worst first. `elapsed`: the month's working time passed (0…1); `seasonal`:
    per KPI, the month's expected activity passed by its weekday shares (None: the run rate)."""
    seasonal = seasonal or {}
    projected: dict[str, float | None] = {}
    methods: dict[str, str] = {}
    for k in ADDITIVE:
        f = seasonal.get(k)
        methods[k] = "seasonal" if f is not None and elapsed < 1 else "run_rate"
        projected[k] = actual.get(k) if elapsed >= 1 else project(actual.get(k), f if f is not None else elapsed)
    projected["cac"] = ratio(projected.get("spend"), projected.get("new_customers"))
    methods["cac"] = methods["spend"] if methods["spend"] == methods["new_customers"] else "run_rate"
    elapsed_pct = elapsed * 100
    lines = [
        PaceLine(
            kpi=k,
            plan=plan[k],
            actual=actual.get(k),
            pct_of_plan=ratio(actual.get(k), plan[k], 100.0),
            elapsed_pct=elapsed_pct,
            projected=projected[k],
            status=status(k, projected[k], plan[k], elapsed_pct),
            method=methods[k],
            month=month,
        )
        for k in PLANNED
        if k in plan
    ]
    return sorted(lines, key=_worst_first)


def _worst_first(line: PaceLine) -> tuple[int, float, int]:
    off = gap(line.kpi, line.projected, line.plan) if line.projected is not None else 0.0
    return STATUSES.index(line.status), -off, PLANNED.index(line.kpi)


def period_plan(kpi: str, cal: WorkCalendar, period: Period, plans: Mapping[str, Mapping[str, float]]) -> float | None:
    """A day's or week's plan of a KPI: each month it touches gives its share by working days (`plans`:
    {month key: {kpi: value}}); a cap (CAC) is the cap of the month the period ends in. None when a
    month it touches has no plan of the KPI."""
    if kpi not in ADDITIVE:
        return plans.get(month_of(period.last_day).key(), {}).get(kpi)
    total = 0.0
    month = month_of(period.start)
    while month.start < period.end:
        value = plans.get(month.key(), {}).get(kpi)
        if value is None:
            return None
        total += value * share_of_month(cal, period, month)
        month = Period.containing("month", month.end)
    return total
