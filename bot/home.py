"""What App Home shows: the workspace's state."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.views import View
from sqlalchemy import Engine

from bot.blocks import build_home
from bot.i18n import translator
from bot.render import REPORT_TITLES
from bot.schedule import Occurrence, occurrences
from bot.workspaces import load
from storage.db import read_scope
from storage.models import Workspace
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


def home_view(engine: Engine, team_id: str) -> View:
    ws = load(engine, team_id)
    with read_scope(engine) as s:
        counts = repo.data_counts(s, team_id)
    return build_home(ws, counts, schedule_lines(ws, utcnow()))
