"""The two-sided agreement's weekly scorecard: posted to the sales and marketing channels, once."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.kpi.agreement_post import post_scorecards
from bot.workspace.store import all_workspaces


def weekly_scorecards(*, deps: Deps, now: datetime) -> int:
    return sum(o.status == "posted" for ws in all_workspaces(deps) for o in post_scorecards(deps, ws, now))
