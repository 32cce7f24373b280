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
    """Every workspace's digests due at `now`: first the messages, then their threads (the pictures cost
    most of the time), so with many workspaces due at 09:00 every message is out before the pictures of
    the first are drawn. Processes sharing the database share both rounds through the claims."""
    outcomes = []
    threads: list[tuple[str, once.Post]] = []
    for ws in all_workspaces(deps):
        for occ in due(ws, now):
            if occ.kind == "quality" or not occ.channel:
                continue
            late = now - occ.utc > LATE
            post = digest_post(deps, ws.team_id, occ.kind, occ.period, key=occ.key, channel=occ.channel, late=late)
            outcome = once.deliver(deps, ws.team_id, post, thread_now=False)
            log.info("%s %s: %s", ws.team_id, occ.key, outcome.status)
            outcomes.append(outcome)
            threads.append((ws.team_id, post))
            head = head_of_sales(deps, ws.team_id) if occ.kind == "monthly" else None
            if head:
                outcomes.append(once.deliver(deps, ws.team_id, coaching_post(deps, ws.team_id, occ.period, to=head)))
    for team_id, post in threads:  # delivered again, a post that is out finishes its thread (one that
        once.deliver(deps, team_id, post)  # stopped at a refused picture an earlier minute, too)
    return outcomes
