"""Everything due around the sync at a moment: meetings on the calendar, questions, reminders, the
agenda, closing at the end time, and action items due today."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.sync.agenda import post_agenda
from bot.sync.asking import ask, remind
from bot.sync.calendar import Calendar
from bot.sync.closing import GRACE, close, remind_due_actions
from bot.sync.series import shown, timeline
from bot.workspace.store import load
from storage.models import SyncSeries
from storage.repos import meetings as repo

log = logging.getLogger(__name__)


def run(deps: Deps, now: datetime) -> None:
    """Everything due around the sync at `now`, for every workspace with a series."""
    with deps.read() as s:
        all_series = repo.active_series(s)
    for series in all_series:
        try:
            run_series(deps, series, now)
        except Exception:
            log.exception("sync run failed for %s", series.team_id)


def run_series(deps: Deps, series: SyncSeries, now: datetime) -> None:
    ws = load(deps, series.team_id)
    cal = Calendar(series, ws)
    length = timedelta(minutes=series.length_minutes)
    horizon = timedelta(days=7 * 3 + series.ask_days * 2)
    slots = [slot for slot in cal.slots(now - GRACE - length, now + horizon) if not slot.skipped]
    for slot in slots:
        # A meeting that ended while the bot was down is not run after the fact.
        if cal.timeline(slot).ask <= now < slot.ends_utc:
            with deps.write() as s:
                repo.ensure_meeting(s, team_id=ws.team_id, starts=slot.starts_utc, ends=slot.ends_utc, status="planned")
    with deps.read() as s:
        meetings = repo.unfinished_meetings(s, team_id=ws.team_id)
    valid = {slot.starts_utc for slot in slots}
    for m in meetings:
        assert m.id is not None
        if m.status == "planned" and m.starts_at not in valid:
            # The series changed (another day or time, a new holiday): this meeting no longer happens.
            with deps.write() as s:
                repo.set_status(s, team_id=ws.team_id, meeting_id=m.id, status="skipped", only_from=("planned",))
            continue
        tl = timeline(cal, m)
        if now < tl.starts:
            ask(deps, ws, series, m, tl, now)
            remind(deps, shown(ws, series), m, tl, now)
        if tl.agenda <= now < tl.ends and m.status in ("planned", "open"):
            post_agenda(deps, ws.team_id, m.id)  # once; an open meeting's unfinished thread is finished
        if now >= tl.ends:
            close(deps, ws.team_id, m.id, now, by=None, quiet=now > tl.ends + GRACE)
    remind_due_actions(deps, ws, now)
