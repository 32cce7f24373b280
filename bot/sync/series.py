"""The sync series: its settings, its questions, who takes part, and each meeting's timeline."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import N_, translator
from bot.slack.access import people
from bot.sync.calendar import Calendar, Slot, Timeline
from bot.sync.model import DEPARTMENTS
from bot.workspace.store import load, save_settings
from storage.models import Meeting, SyncSeries, Workspace
from storage.repos import meetings as repo

STANDARD_QUESTIONS = (
    ("q1", N_("Why do clients agree to buy, or refuse?")),
    ("q2", N_("What do the successful cases have in common?")),
    ("q3", N_("What are the characteristic traits of a potential buyer?")),
    ("q4", N_("Do the ideal customer profile and the profile of a ready-to-buy client match?")),
    ("q5", N_("What can be improved in the work with clients?")),
)


class SyncError(ValueError):
    """Something the person asking can fix; the text says what."""


def questions(ws: Workspace, series: SyncSeries) -> list[tuple[str, str]]:
    """(key, text) of every question, the standard ones in the workspace's language first."""
    _ = translator(ws.language)
    own = [(f"own{i}", q) for i, q in enumerate(series.questions, start=1)]
    return [(key, _(text)) for key, text in STANDARD_QUESTIONS] + own


def shown(ws: Workspace, series: SyncSeries) -> Workspace:
    """The workspace as the sync's messages show it: times in the series' own time zone."""
    return ws if ws.timezone == series.timezone else ws.model_copy(update={"timezone": series.timezone})


def find_series(deps: Deps, team_id: str) -> SyncSeries | None:
    with deps.read() as s:
        return repo.series(s, team_id=team_id)


def load_series(deps: Deps, team_id: str) -> tuple[Workspace, SyncSeries]:
    ws = load(deps, team_id)
    series = find_series(deps, team_id)
    if series is None:
        _ = translator(ws.language)
        raise SyncError(_("The sync is not set up yet: an admin runs `/sync setup`."))
    return ws, series


def setup(deps: Deps, team_id: str, values: dict[str, Any]) -> SyncSeries:
    """Save the series (the channel is the workspace's sync channel); a new series starts from
    the workspace's time zone and its sales and marketing teams."""
    ws = load(deps, team_id)
    values = dict(values)
    if "channel" in values:
        save_settings(deps, team_id, {"sync_channel": values.pop("channel")})
    today = deps.clock().astimezone(ZoneInfo(values.get("timezone", ws.timezone))).date()
    defaults = {"timezone": ws.timezone, "sales": ws.sales, "marketing": ws.marketing, "start_date": today}
    with deps.write() as s:
        return repo.save_series(s, team_id=team_id, values=values, defaults=defaults, now=deps.clock())


def roster(client: WebClient, series: SyncSeries) -> dict[str, str]:
    """user id → department; someone in both teams is asked once, as sales."""
    out: dict[str, str] = {}
    for dept in DEPARTMENTS:
        for user in people(client, getattr(series, dept)):
            out.setdefault(user, dept)
    return out


def timeline(cal: Calendar, m: Meeting) -> Timeline:
    zone = cal.zone
    starts = m.starts_at.astimezone(zone)
    return cal.timeline(Slot(starts, m.ends_at.astimezone(zone), starts.date()))


def local_today(deps: Deps, ws: Workspace) -> date:
    return deps.clock().astimezone(ZoneInfo(ws.timezone)).date()


def next_slots(deps: Deps, team_id: str, count: int = 4) -> tuple[Workspace, SyncSeries, list[Slot], Calendar]:
    ws, series = load_series(deps, team_id)
    cal = Calendar(series, ws)
    return ws, series, cal.next_slots(deps.clock(), count), cal
