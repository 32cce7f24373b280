"""What App Home shows: the workspace's state."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.views import View
from sqlalchemy import Engine

from bot.blocks import build_home
from bot.i18n import translator
from bot.kpi.render import REPORT_TITLES
from bot.kpi.schedule import Occurrence, occurrences
from bot.workspace.store import load
from storage.db import read_scope
from storage.models import Workspace
from storage.repos import sync
from storage.repos import workspaces as repo
from storage.types import utcnow


def schedule_lines(ws: Workspace, now: datetime) -> list[str]:
    """The next post of each kind, in the workspace's local time (from the same schedule the bot runs)."""
    _ = translator(ws.language)
    nxt: dict[str, Occurrence] = {}
    for occ in occurrences(ws, now, now + timedelta(days=32)):
        nxt.setdefault(occ.kind, occ)
    return [
        f"• {_(REPORT_TITLES[o.kind])}: {o.local:%d.%m %H:%M} ({ws.timezone}) → <#{o.channel}>"
        for o in sorted(nxt.values(), key=lambda o: o.utc)
        if o.channel
    ]


def sync_lines(engine: Engine, ws: Workspace, user_id: str, now: datetime) -> list[str]:
    """This person's view of the sync: the next meeting, their unanswered questions, their open items."""
    from bot.sync.blocks import when
    from bot.sync.calendar import Calendar

    _ = translator(ws.language)
    with read_scope(engine) as s:
        series = sync.series(s, ws.team_id)
        if series is None or not series.active:
            return []
        waiting = sync.unanswered_for(s, ws.team_id, user_id)
        items = sync.open_actions(s, ws.team_id, owner=user_id)
    nxt = [slot for slot in Calendar(series, ws).next_slots(now, 3) if not slot.skipped][:1]
    lines = [f"{_('Next meeting')}: *{when(ws, nxt[0].starts, series.timezone)}*" if nxt else _("No meeting soon.")]
    for m in waiting:
        lines.append(
            "⏳ "
            + _("Your answers for the sync on {when} are not in yet.").format(
                when=when(ws, m.starts_at, series.timezone)
            )
        )
    if items:
        lines.append(_("Your open action items:"))
        lines += [f"• #{i.id} {i.text}" + (f" — {i.due:%d.%m.%Y}" if i.due else "") for i in items[:10]]
    return lines


def home_view(engine: Engine, team_id: str, user_id: str | None = None) -> View:
    ws = load(engine, team_id)
    now = utcnow()
    with read_scope(engine) as s:
        counts = repo.data_counts(s, team_id)
    mine = sync_lines(engine, ws, user_id, now) if user_id else []
    return build_home(ws, counts, schedule_lines(ws, now), mine)
