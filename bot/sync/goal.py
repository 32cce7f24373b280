"""Where the sync reads the goal from: the month's plan pace and the week's two-sided agreement.

Both are computed in bot.kpi (`bot.kpi.pacing.month_pace` and `bot.kpi.agreement.scorecard`); a
workspace with no plan or no agreement gets an agenda that says so and carries on with its other items.
Tests may replace these two functions to give the agenda a goal of their choosing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.kpi.pacing import month_pace
from bot.kpi.periods import Period
from bot.sync.items import PaceLine, Scorecard, agenda_items
from bot.sync.model import DataPack, Goal
from bot.workspace.store import load
from storage.models import Meeting, Workspace
from storage.repos import pins as pins_repo


def plan_pace(deps: Deps, team_id: str, as_of: date) -> list[PaceLine]:
    """The planned KPIs of the month holding `as_of`, counted up to the end of that day, the worst first."""
    tz = ZoneInfo(load(deps, team_id).timezone)
    return list(month_pace(deps, team_id, datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=tz)))


def agreement(deps: Deps, team_id: str, week: Period) -> Scorecard | None:
    """Both sides' commitments for `week`; None when the workspace has set no agreement."""
    return None


def goal_for(deps: Deps, ws: Workspace, m: Meeting, pack: DataPack) -> Goal:
    """The agenda's opening and its items for meeting `m`: the month's pace up to the day before it,
    the last whole week's agreement, and the findings of the data pack's period (since the last sync)."""
    day = m.starts_at.astimezone(ZoneInfo(ws.timezone)).date()
    as_of = day - timedelta(days=1)
    week = Period.containing("week", day).previous()
    pace = plan_pace(deps, ws.team_id, as_of)
    card = agreement(deps, ws.team_id, week)
    with deps.read() as s:
        standing = pins_repo.pinned(s, team_id=ws.team_id)
    items = agenda_items(pace, card, pack.report.alerts, pack.open_actions, standing, m.starts_at)
    return Goal(Period.containing("month", as_of), pace, week, card, items)
