"""What App Home shows: the workspace's state."""

from __future__ import annotations

from slack_sdk.models.views import View
from sqlalchemy import Engine

from bot.blocks import DIGESTS, build_home, display_workdays
from bot.i18n import translator
from bot.workspaces import load
from storage.db import read_scope
from storage.models import Workspace
from storage.repos import workspaces as repo


def schedule_lines(ws: Workspace) -> list[str]:
    _ = translator(ws.language)
    names = {"daily": _("Daily digest"), "weekly": _("Weekly digest"), "monthly": _("Monthly report")}
    when = {
        "daily": _("working days ({days})").format(days=display_workdays(ws.workdays)),
        "weekly": _("first working day of the week"),
        "monthly": _("first working day of the month"),
    }
    lines = []
    for d in DIGESTS:
        if getattr(ws, f"{d}_digest") and ws.digest_channel:
            lines.append(
                f"• {names[d]}: {when[d]}, {getattr(ws, f'{d}_digest_time')} ({ws.timezone}) → <#{ws.digest_channel}>"
            )
    return lines


def home_view(engine: Engine, team_id: str) -> View:
    ws = load(engine, team_id)
    with read_scope(engine) as s:
        counts = repo.data_counts(s, team_id)
    return build_home(ws, counts, schedule_lines(ws))
