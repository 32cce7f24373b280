"""When the bot posts: a pure function from a workspace's settings to concrete occurrences.

The calendar is walked day by day in the workspace's zone and each local time is turned into UTC
on its own date, so a 09:00 digest stays at 09:00 local on both sides of a daylight-saving change.
`handoff schedule`, App Home and the ticker all read this one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kpi.periods import Period
from bot.workspace.keys import DAYS, parse_hhmm, parse_workdays
from storage.models import Workspace

DIGEST_KINDS = ("daily", "weekly", "monthly", "quality")
GRACE = timedelta(hours=12)


@dataclass(frozen=True)
class Occurrence:
    team_id: str
    kind: str
    period: Period  # what the post reports on
    local: datetime  # aware, in the workspace's zone
    channel: str | None

    @property
    def utc(self) -> datetime:
        return self.local.astimezone(UTC)

    @property
    def key(self) -> str:
        """The claim key: one post per workspace, kind and reported period."""
        return f"{self.kind}/{self.period.key()}"


def _workday(ws: Workspace) -> set[int]:
    return {DAYS.index(d) for d in parse_workdays(ws.workdays)}


def previous_workday(day: date, workdays: set[int]) -> date:
    d = day - timedelta(days=1)
    for _ in range(7):
        if d.weekday() in workdays:
            return d
        d -= timedelta(days=1)
    return day - timedelta(days=1)


def daily_period(day: date, workdays: set[int]) -> Period:
    """A daily digest covers everything since the previous working day began: Monday's covers
    Friday to Sunday, so nothing that happened at the weekend goes unreported."""
    first = previous_workday(day, workdays)
    last = day - timedelta(days=1)
    return Period.containing("day", last) if first == last else Period.between(first, last)


def occurrences(ws: Workspace, start: datetime, end: datetime) -> list[Occurrence]:
    """Every digest due in [start, end), in time order."""
    zone = ZoneInfo(ws.timezone)
    workdays = _workday(ws)
    first_local = start.astimezone(zone).date() - timedelta(days=1)
    last_local = end.astimezone(zone).date() + timedelta(days=1)
    out: list[Occurrence] = []
    day = first_local
    while day <= last_local:
        if day.weekday() in workdays:
            week_first = _first_workday(Period.containing("week", day), workdays)
            month_first = _first_workday(Period.containing("month", day), workdays)
            candidates = [("daily", daily_period(day, workdays))]
            if day == week_first:
                candidates.append(("weekly", Period.containing("week", day).previous()))
            if day == month_first:
                candidates.append(("monthly", Period.containing("month", day).previous()))
            if day == week_first and ws.quality_report and ws.marketing_channel:
                candidates.append(("quality", Period.containing("week", day).previous()))
            for kind, period in candidates:
                if kind != "quality" and not getattr(ws, f"{kind}_digest"):
                    continue
                at = ws.quality_report_time if kind == "quality" else getattr(ws, f"{kind}_digest_time")
                local = datetime.combine(day, parse_hhmm(at), zone)
                # A wall time that DST skips is posted at the same UTC offset as the hour before it.
                local = local.astimezone(UTC).astimezone(zone)
                if start <= local.astimezone(UTC) < end:
                    channel = ws.marketing_channel if kind == "quality" else ws.digest_channel
                    out.append(Occurrence(ws.team_id, kind, period, local, channel))
        day += timedelta(days=1)
    out.sort(key=lambda o: (o.utc, DIGEST_KINDS.index(o.kind)))
    return out


def _first_workday(period: Period, workdays: set[int]) -> date | None:
    d = period.start
    while d < period.end:
        if d.weekday() in workdays:
            return d
        d += timedelta(days=1)
    return None


def due(ws: Workspace, now: datetime, grace: timedelta = GRACE) -> list[Occurrence]:
    """What should have been posted by `now`: for each kind, only its latest slot within the grace
    window, so a bot that was down posts once when it returns, not once per missed slot."""
    latest: dict[str, Occurrence] = {}
    for occ in occurrences(ws, now - grace, now + timedelta(seconds=1)):
        latest[occ.kind] = occ
    return list(latest.values())
