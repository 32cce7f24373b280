"""The scheduled KPI digests: post whatever is due, once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.kpi.delivery import Outcome, post_report
from bot.kpi.report import compute_report
from bot.kpi.schedule import due
from bot.workspace.store import all_workspaces
from storage.repos import posts

log = logging.getLogger(__name__)
LATE = timedelta(minutes=5)


def post_due_digests(*, deps: Deps, now: datetime) -> list[Outcome]:
    outcomes = []
    for ws in all_workspaces(deps.engine):
        for occ in due(ws, now):
            if occ.kind == "quality" or not occ.channel:
                continue
            held = posts.find(deps.engine, ws.team_id, occ.key)
            if held is not None and held.status != "posted":
                continue  # done, failed (admins told) or being posted by another instance
            report = compute_report(deps.engine, ws.team_id, occ.kind, occ.period)
            outcome = post_report(deps, report, channel=occ.channel, key=occ.key, late=now - occ.utc > LATE)
            log.info("%s %s: %s", ws.team_id, occ.key, outcome.status)
            outcomes.append(outcome)
    return outcomes
