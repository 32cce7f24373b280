"""Working time: the feedback SLA counts only a workspace's working hours on its working days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.workspace.keys import DAYS, parse_hhmm, parse_workdays


def working_hours_between(
    start: datetime, end: datetime, *, tz: str, workdays: str, work_hours: str, holidays: Iterable[str] = ()
) -> float:
    """Hours of [start, end) that fall on working days (not holidays) within working hours, in the
    workspace's zone."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(tz)
    days = {DAYS.index(d) for d in parse_workdays(workdays)}
    off = {date.fromisoformat(h) for h in holidays}
    a, _, b = work_hours.partition("-")
    open_t, close_t = parse_hhmm(a), parse_hhmm(b)
    total = timedelta()
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        if day.weekday() in days and day not in off:
            lo = max(start, datetime.combine(day, open_t, zone))
            hi = min(end, datetime.combine(day, close_t, zone))
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    tz: str,
    workdays: str,
    work_hours: str,
    holidays: Iterable[str] = (),
    horizon_days: int = 400,
) -> datetime | None:
    """The instant by which `hours` working hours have passed since `start` (the inverse of
    working_hours_between); None when the working days within `horizon_days` do not hold them."""
    zone = ZoneInfo(tz)
    days = {DAYS.index(d) for d in parse_workdays(workdays)}
    off = {date.fromisoformat(h) for h in holidays}
    a, _, b = work_hours.partition("-")
    open_t, close_t = parse_hhmm(a), parse_hhmm(b)
    left = timedelta(hours=hours)
    day = start.astimezone(zone).date()
    for _i in range(horizon_days):
        if day.weekday() in days and day not in off:
            lo = max(start, datetime.combine(day, open_t, zone))
            hi = datetime.combine(day, close_t, zone)
            if hi > lo:
                if hi - lo >= left:
                    return (lo + left).astimezone(start.tzinfo)
                left -= hi - lo
        day += timedelta(days=1)
    return None
