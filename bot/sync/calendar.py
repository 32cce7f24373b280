"""The sync series on the calendar: its settings, its meetings and each meeting's timeline. Pure.

Meetings are found by walking the calendar from the start date in steps of N weeks, in the series'
own zone; each local time becomes UTC on its own date, so a 15:00 sync stays at 15:00 local on both
sides of a daylight-saving change. A meeting on a holiday is skipped or moved to the next working day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.workspace.keys import (
    DAYS,
    ConfigError,
    _channel,
    _on_off,
    _principals,
    _timezone,
    parse_dates,
    parse_hhmm,
    parse_workdays,
)
from storage.models import SyncSeries, Workspace

_OFFSET = re.compile(r"^(\d{1,3})\s*([dhm])$")
MAX_OWN_QUESTIONS = 5


def parse_offset(v: str) -> timedelta | int:
    """`2h`, `30m` → a timedelta; `1d` → 1 (working days, counted on the calendar)."""
    m = _OFFSET.match(v.strip().lower())
    if not m:
        raise ValueError(f"'{v}' is not an offset (like 1d, 2h or 30m)")
    n, unit = int(m.group(1)), m.group(2)
    if unit == "d":
        return n
    return timedelta(hours=n) if unit == "h" else timedelta(minutes=n)


def _offsets(v: str) -> list[str]:
    items = [p.strip().lower() for p in v.split(",") if p.strip() and p.strip() not in ("-", "none")]
    for item in items:
        parse_offset(item)
    return items


def _offset(v: str) -> str:
    parse_offset(v)
    return v.strip().lower()


def _weekday(v: str) -> int:
    v = v.strip().lower()[:3]
    if v not in DAYS:
        raise ValueError(f"'{v}' is not a weekday (mon … sun)")
    return DAYS.index(v)


def _int_in(lo: int, hi: int, what: str) -> Callable[[str], int]:
    def parse(v: str) -> int:
        if not v.strip().isdigit() or not lo <= int(v) <= hi:
            raise ValueError(f"'{v}' is not {what} ({lo}–{hi})")
        return int(v)

    return parse


def _date(v: str) -> date:
    try:
        return date.fromisoformat(v.strip())
    except ValueError:
        raise ValueError(f"'{v}' is not a date (YYYY-MM-DD)") from None


def _rule(v: str) -> str:
    v = v.strip().lower()
    if v not in ("skip", "move"):
        raise ValueError(f"'{v}' is not skip or move")
    return v


def parse_questions(lines: list[str]) -> list[str]:
    """The admins' own questions, one per item (empty ones dropped)."""
    items = [q.strip() for q in lines if q.strip()]
    if len(items) > MAX_OWN_QUESTIONS:
        raise ValueError(f"at most {MAX_OWN_QUESTIONS} own questions")
    return items


def _questions(v: str) -> list[str]:
    """On the command line the questions are separated by `|`."""
    return parse_questions(v.split("|"))


SYNC_KEYS: dict[str, Any] = {
    "channel": _channel,
    "active": _on_off,
    "weekday": _weekday,
    "time": lambda v: parse_hhmm(v).strftime("%H:%M"),
    "length_minutes": _int_in(15, 480, "a length in minutes"),
    "every_weeks": _int_in(1, 8, "a number of weeks"),
    "start_date": _date,
    "timezone": _timezone,
    "sales": _principals,
    "marketing": _principals,
    "holidays": parse_dates,
    "holiday_rule": _rule,
    "ask_days": _int_in(0, 10, "a number of working days"),
    "reminders": _offsets,
    "agenda_before": _offset,
    "questions": _questions,
}


def parse_sync_assignments(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` strings for the series → parsed values; the first bad one raises ConfigError."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep:
            raise ConfigError(pair, "expected KEY=VALUE")
        if key not in SYNC_KEYS:
            raise ConfigError(key, f"unknown sync setting (known: {', '.join(SYNC_KEYS)})")
        try:
            out[key] = SYNC_KEYS[key](raw.strip())
        except ValueError as exc:
            raise ConfigError(key, str(exc)) from None
    return out


@dataclass(frozen=True)
class Slot:
    """One meeting of the series on the calendar."""

    starts: datetime  # aware, in the series' zone
    ends: datetime
    planned: date  # the date the series rule gives
    skipped: bool = False  # on a holiday, with the skip rule

    @property
    def moved(self) -> bool:
        return not self.skipped and self.starts.date() != self.planned

    @property
    def starts_utc(self) -> datetime:
        return self.starts.astimezone(UTC)

    @property
    def ends_utc(self) -> datetime:
        return self.ends.astimezone(UTC)


@dataclass(frozen=True)
class Timeline:
    """When the bot acts around one meeting (all UTC)."""

    ask: datetime
    reminders: tuple[datetime, ...]
    agenda: datetime
    starts: datetime
    ends: datetime


class Calendar:
    """The series with the workspace's working days: meetings and their timelines."""

    def __init__(self, series: SyncSeries, ws: Workspace) -> None:
        self.series = series
        self.zone = ZoneInfo(series.timezone)
        self.workdays = {DAYS.index(d) for d in parse_workdays(ws.workdays)}
        # The series' own holidays and the workspace's days off.
        self.holidays = {date.fromisoformat(h) for h in [*series.holidays, *ws.holidays]}
        self.at = parse_hhmm(series.time)

    def is_working(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def local(self, day: date) -> datetime:
        # A wall time that DST skips is taken at the offset of the hour before it.
        return datetime.combine(day, self.at, self.zone).astimezone(UTC).astimezone(self.zone)

    def _slot(self, planned: date) -> Slot:
        length = timedelta(minutes=self.series.length_minutes)
        day = planned
        if day in self.holidays:
            if self.series.holiday_rule == "skip":
                starts = self.local(day)
                return Slot(starts, starts + length, planned, skipped=True)
            day += timedelta(days=1)
            while not self.is_working(day):
                day += timedelta(days=1)
        starts = self.local(day)
        return Slot(starts, starts + length, planned)

    def slots(self, start: datetime, end: datetime) -> list[Slot]:
        """Meetings (skipped ones included) that start in [start, end), in order."""
        s = self.series
        first = s.start_date + timedelta(days=(s.weekday - s.start_date.weekday()) % 7)
        step = timedelta(weeks=s.every_weeks)
        # Jump close to `start` (a moved meeting starts at most a couple of weeks after its date).
        from_day = start.astimezone(self.zone).date() - timedelta(days=21)
        if from_day > first:
            first += step * ((from_day - first) // step)
        out = []
        planned = first
        while self.local(planned) < end + timedelta(days=21):
            slot = self._slot(planned)
            if start <= slot.starts_utc < end:
                out.append(slot)
            planned += step
        return out

    def next_slots(self, now: datetime, count: int) -> list[Slot]:
        horizon = timedelta(weeks=max(self.series.every_weeks, 1) * (count + 1))
        return self.slots(now, now + horizon)[:count]

    def working_days_before(self, day: date, n: int) -> date:
        d = day
        while n > 0:
            d -= timedelta(days=1)
            if self.is_working(d):
                n -= 1
        return d

    def _before(self, slot: Slot, offset: str) -> datetime:
        value = parse_offset(offset)
        if isinstance(value, int):
            return self.local(self.working_days_before(slot.starts.date(), value))
        return slot.starts - value

    def timeline(self, slot: Slot) -> Timeline:
        ask = self._before(slot, f"{self.series.ask_days}d")
        reminders = sorted({self._before(slot, r).astimezone(UTC) for r in self.series.reminders})
        return Timeline(
            ask=ask.astimezone(UTC),
            reminders=tuple(r for r in reminders if ask.astimezone(UTC) < r < slot.starts_utc),
            agenda=self._before(slot, self.series.agenda_before).astimezone(UTC),
            starts=slot.starts_utc,
            ends=slot.ends_utc,
        )


@dataclass(frozen=True)
class SyncEvent:
    kind: str  # sync-questions | sync-agenda | sync-meeting | sync-skipped
    meeting: date
    utc: datetime


def events(cal: Calendar, start: datetime, end: datetime) -> list[SyncEvent]:
    """What the bot does for the sync in [start, end): questions, agenda, the meeting itself."""
    out = []
    for slot in cal.slots(start - timedelta(days=21), end + timedelta(days=21)):
        day = slot.starts.date()
        if slot.skipped:
            items = [SyncEvent("sync-skipped", day, slot.starts_utc)]
        else:
            tl = cal.timeline(slot)
            items = [
                SyncEvent("sync-questions", day, tl.ask),
                SyncEvent("sync-agenda", day, tl.agenda),
                SyncEvent("sync-meeting", day, tl.starts),
            ]
        out += [e for e in items if start <= e.utc < end]
    return sorted(out, key=lambda e: e.utc)
