"""The demo's plans: each month a notch above the month before it (a tenth more of every goal, the same
spend budget, a CAC cap a twentieth lower), and the month's plan status as a file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.deps import Deps
from bot.kpi.catalog import derive
from bot.kpi.pace_view import plan_status_text
from bot.kpi.pacing import calendar_of, month_pace
from bot.kpi.periods import Period
from bot.kpi.plan import PLANNED
from bot.workspace.store import load
from storage.repos import metrics, plans

GROWTH = 1.1  # each goal: this much of the month before
CAC_CAP = 0.95  # the CAC cap: this much of the month before's CAC


def set_demo_plans(deps: Deps, team_id: str, months: list[Period]) -> None:
    """A plan for each of `months`, from the actuals of the month before it."""
    ws = load(deps, team_id)
    with deps.write() as s:
        for month in months:
            before = derive(metrics.totals(s, window=month.previous().window(team_id, ws.timezone)))
            values: dict[str, float | None] = {}
            for kpi in PLANNED:
                actual = before.get(kpi)
                if actual:
                    factor = CAC_CAP if kpi == "cac" else 1.0 if kpi == "spend" else GROWTH
                    values[kpi] = float(round(actual * factor))
            plans.set_values(s, team_id=team_id, month=month.key(), values=values, set_by="U0DEMOHEAD")


def write_plan_status(deps: Deps, team_id: str, now: datetime, out_dir: Path) -> Path:
    """plan-status.txt: the pace of the month `now` falls in, as of `now`."""
    ws = load(deps, team_id)
    month = Period.containing("month", calendar_of(ws).local_day(now))
    path = out_dir / "plan-status.txt"
    path.write_text(plan_status_text(month_pace(deps, team_id, now), month, ws.language, ws.currency), encoding="utf-8")
    return path
