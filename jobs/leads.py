"""Lead jobs: cards whose post was interrupted, and the feedback SLA (nudge, then escalate)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.leads.cards import nudge_overdue, post_card
from bot.workspace.store import all_workspaces
from storage.db import read_scope
from storage.repos import leads as repo

log = logging.getLogger(__name__)
CARD_LOOKBACK = timedelta(hours=24)
CARD_GRACE = timedelta(minutes=2)


def post_missing_cards(*, deps: Deps, now: datetime) -> int:
    posted = 0
    for ws in all_workspaces(deps.engine):
        if not ws.leads_channel:
            continue
        with read_scope(deps.engine) as s:
            # Young leads are still in the card queue: the card worker (or the webhook) posts them.
            ids = repo.without_card(s, ws.team_id, now - CARD_LOOKBACK, before=now - CARD_GRACE)
        for lead_id in ids:
            posted += post_card(deps, ws.team_id, lead_id) is not None
    return posted


def feedback_sla(*, deps: Deps, now: datetime) -> int:
    return sum(nudge_overdue(deps, ws, now) for ws in all_workspaces(deps.engine) if ws.leads_channel and ws.sla_hours)


def weekly_quality_report(*, deps: Deps, now: datetime) -> int:
    from bot.kpi.schedule import due
    from bot.leads.quality import post_quality

    sent = 0
    for ws in all_workspaces(deps.engine):
        for occ in due(ws, now):
            if occ.kind == "quality":
                sent += post_quality(deps, ws.team_id, occ.period) is not None
    return sent
