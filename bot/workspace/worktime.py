"""Working time: the feedback SLA counts only a workspace's working hours on its working days."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from bot.workspace.keys import DAYS, parse_hhmm, parse_workdays

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _at(day: date, t: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time of a day in UTC: differences of these are real time, also across a clock change
    (Python subtracts two times of the same zone by their wall clocks)."""
    return datetime.combine(day, t, zone).astimezone(UTC)


def micros(t: datetime) -> int:
    """UTC microseconds since the epoch."""
    return (t - EPOCH) // timedelta(microseconds=1)


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
            lo = max(start, _at(day, open_t, zone))
            hi = min(end, _at(day, close_t, zone))
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


class WorkClock:
    """Working time between instants of a span of days, each answer a look-up in a table of the span's
    working days (open and close instants, and the working time before each day) built once: a report
    asks it for every carded lead of its period."""

    def __init__(
        self, first: date, last: date, *, tz: str, workdays: str, work_hours: str, holidays: Iterable[str] = ()
    ) -> None:
        zone = ZoneInfo(tz)
        days = {DAYS.index(d) for d in parse_workdays(workdays)}
        off = {date.fromisoformat(h) for h in holidays}
        a, _, b = work_hours.partition("-")
        open_t, close_t = parse_hhmm(a), parse_hhmm(b)
        self.first, self.last = first, last
        self._midnights: list[datetime] = []
        self._hours: list[tuple[datetime, datetime]] = []
        self._before: list[timedelta] = []
        total = timedelta()
        day = first
        while day <= last:
            self._midnights.append(_at(day, time(0), zone))
            lo, hi = _at(day, open_t, zone), _at(day, close_t, zone)
            if day.weekday() not in days or day in off or hi <= lo:
                lo = hi = self._midnights[-1]
            self._hours.append((lo, hi))
            self._before.append(total)
            total += hi - lo
            day += timedelta(days=1)
        self._zone = zone
        self._us = {  # the same as microseconds since the epoch, for arrays of instants
            "midnights": np.array([micros(t) for t in self._midnights], dtype=np.int64),
            "lo": np.array([micros(lo) for lo, _hi in self._hours], dtype=np.int64),
            "hi": np.array([micros(hi) for _lo, hi in self._hours], dtype=np.int64),
            "before": np.array([b // timedelta(microseconds=1) for b in self._before], dtype=np.int64),
        }

    def worked(self, instants: np.ndarray) -> np.ndarray:
        """Working microseconds from the span's start to each instant (UTC microseconds since the
        epoch): two instants' difference is the working time between them, to the microsecond."""
        t = np.asarray(instants, dtype=np.int64)
        first, last = self._us["midnights"][0], micros(_at(self.last + timedelta(days=1), time(0), self._zone))
        if t.size and (t.min() < first or t.max() >= last):
            raise ValueError("an instant is outside the working-time table")
        i = np.searchsorted(self._us["midnights"], t, side="right") - 1
        lo, hi = self._us["lo"][i], self._us["hi"][i]
        return self._us["before"][i] + np.clip(t, lo, hi) - lo

    def _worked(self, t: datetime) -> timedelta:
        i = bisect_right(self._midnights, t) - 1
        lo, hi = self._hours[i]
        return self._before[i] + (min(max(t, lo), hi) - lo)

    def hours_between(self, start: datetime, end: datetime) -> float:
        """working_hours_between(start, end) for instants of the span's days."""
        if end <= start:
            return 0.0
        for t in (start, end):
            if not self.first <= t.astimezone(self._zone).date() <= self.last:
                raise ValueError(f"{t} is outside the working-time table")
        return (self._worked(end) - self._worked(start)).total_seconds() / 3600


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
            lo = max(start, _at(day, open_t, zone))
            hi = _at(day, close_t, zone)
            if hi > lo:
                if hi - lo >= left:
                    return (lo + left).astimezone(start.tzinfo)
                left -= hi - lo
        day += timedelta(days=1)
    return None
