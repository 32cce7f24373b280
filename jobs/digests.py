"""The scheduled KPI digests: post whatever is due, once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.kpi.coaching import coaching_post, head_of_sales
from bot.kpi.delivery import digest_post
from bot.kpi.schedule import due
from bot.slack import once
from bot.workspace.store import all_workspaces

log = logging.getLogger(__name__)
LATE = timedelta(minutes=5)


def post_due_digests(*, deps: Deps, now: datetime) -> list[once.Outcome]:
    outcomes = []
    for ws in all_workspaces(deps):
        for occ in due(ws, now):
            if occ.kind == "quality" or not occ.channel:
                continue
            late = now - occ.utc > LATE
            post = digest_post(deps, ws.team_id, occ.kind, occ.period, key=occ.key, channel=occ.channel, late=late)
            outcome = once.deliver(deps, ws.team_id, post)
            log.info("%s %s: %s", ws.team_id, occ.key, outcome.status)
            outcomes.append(outcome)
            head = head_of_sales(deps, ws.team_id) if occ.kind == "monthly" else None
            if head:
                outcomes.append(once.deliver(deps, ws.team_id, coaching_post(deps, ws.team_id, occ.period, to=head)))
    return outcomes
