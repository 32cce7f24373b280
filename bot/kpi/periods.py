"""Report periods: a local day, an ISO week, a calendar month or any range of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval

from bot.i18n import translator
from storage.repos.metrics import Window

# The locale dates are written in for each language (day before month in English too).
LOCALES = {"en": "en_GB", "ru": "ru"}

KINDS = ("day", "week", "month", "range")


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == "day":
            return cls("day", day, day + timedelta(days=1))
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls("week", monday, monday + timedelta(days=7))
        if kind == "month":
            first = _month_start(day)
            return cls("month", first, _add_months(first, 1))
        raise ValueError(f"unknown period kind '{kind}'")

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """An inclusive range of days."""
        if last < first:
            raise ValueError("the range ends before it starts")
        return cls("range", first, last + timedelta(days=1))

    @classmethod
    def from_key(cls, key: str) -> Period:
        """The period `key()` names: `2026-11-30`, `2026-W48`, `2026-11` or `2026-11-01..2026-11-07`."""
        try:
            if ".." in key:
                first, last = key.split("..", 1)
                return cls.between(date.fromisoformat(first), date.fromisoformat(last))
            if "-W" in key:
                year, week = key.split("-W", 1)
                return cls.containing("week", date.fromisocalendar(int(year), int(week), 1))
            if len(key) == 7:
                return cls.containing("month", date.fromisoformat(key + "-01"))
            return cls.containing("day", date.fromisoformat(key))
        except (ValueError, OverflowError):  # OverflowError: a period ending after year 9999
            raise ValueError(f"'{key}' names no period") from None

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before (the previous calendar month for a month)."""
        if self.kind == "month":
            return Period("month", _add_months(self.start, -1), self.start)
        return Period(self.kind, self.start - timedelta(days=self.days), self.start)

    def comparison(self) -> Period:
        """What a report of this period is compared with: for a day the same weekday a week before (a
        Monday with a Monday, not with a Sunday), else the period just before."""
        if self.kind == "day":
            return Period("day", self.start - timedelta(days=7), self.end - timedelta(days=7))
        return self.previous()

    def shifted(self, n: int) -> Period:
        p = self
        for _ in range(n):
            p = p.previous()
        return p

    def window(self, team_id: str, tz: str, channel: str | None = None) -> Window:
        zone = ZoneInfo(tz)

        def instant(d: date) -> datetime:
            return datetime.combine(d, time(0), zone).astimezone(UTC)

        return Window(team_id, instant(self.start), instant(self.end), self.start, self.end, channel)

    def key(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return f"{y}-W{w:02d}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    def short_label(self, language: str = "en") -> str:
        """For chart axes: `29 Nov`, `W48`, `Oct '26`, or the first day of a range."""
        locale = LOCALES.get(language, "en_GB")
        _ = translator(language)
        if self.kind == "week":
            return _("W{n}").format(n=self.start.isocalendar()[1])
        if self.kind == "month":
            return format_date(self.start, "LLL ''yy", locale=locale)
        return format_date(self.start, "d MMM", locale=locale)

    def label(self, language: str = "en") -> str:
        """As people read it: `Mon 30 Nov 2026`, `Week 48 · 23 – 29 Nov 2026`, `November 2026`,
        `2 – 8 Nov 2026`; in Russian `пн 30 нояб. 2026`, `ноябрь 2026`."""
        locale = LOCALES.get(language, "en_GB")
        if self.kind == "day":
            return format_date(self.start, "EEE d MMM y", locale=locale)
        if self.kind == "month":
            return format_date(self.start, "LLLL y", locale=locale)
        days = format_interval(self.start, self.last_day, "yMMMd", locale=locale)
        if self.kind == "week":
            _ = translator(language)
            return _("Week {n} · {days}").format(n=self.start.isocalendar()[1], days=days)
        return days
