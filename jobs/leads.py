"""Lead jobs: cards whose post was never made, the feedback SLA, the weekly quality report."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.kpi.schedule import due
from bot.leads.cards import post_missing_cards as post_missing
from bot.leads.report import post_quality
from bot.leads.sla import nudge_overdue
from bot.workspace.store import all_workspaces


def post_missing_cards(*, deps: Deps, now: datetime) -> int:
    return sum(post_missing(deps, ws, now) for ws in all_workspaces(deps) if ws.leads_channel)


def feedback_sla(*, deps: Deps, now: datetime) -> int:
    return sum(nudge_overdue(deps, ws, now) for ws in all_workspaces(deps) if ws.leads_channel and ws.sla_hours)


def weekly_quality_report(*, deps: Deps, now: datetime) -> int:
    sent = 0
    for ws in all_workspaces(deps):
        for occ in due(ws, now):
            if occ.kind == "quality":
                sent += post_quality(deps, ws.team_id, occ.period) is not None
    return sent
