"""Erasing a person's data: `handoff forget`, and the personal data of leads older than the workspace
keeps it (`retention_days`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.leads.cards import refresh_card
from bot.workspace.store import load
from storage.models import Workspace
from storage.repos import leads as repo
from storage.repos import retention

log = logging.getLogger(__name__)


def forget(deps: Deps, team_id: str, *, lead_id: int | None = None, email: str | None = None) -> list[int]:
    """Erase the personal data of a lead, or of every lead with this email: its fields, the replies
    kept from its card's thread, the comments on its verdicts — and, when the bot can reach Slack, the
    card itself, shown again without them. The lead, its channel, campaign and verdicts stay for the
    numbers; a later import of the same lead does not bring the data back. The ids erased."""
    with deps.write() as s:
        erased = repo.forget(s, team_id=team_id, lead_id=lead_id, email=email, now=deps.clock())
    if erased and deps.settings.slack_bot_token is not None:
        ws = load(deps, team_id)
        for erased_id in erased:
            refresh_card(deps, ws, erased_id)
    return erased


ERASE_BATCH = 1000  # leads a transaction
ERASE_RUN = 10_000  # leads a workspace at most per run: a first run over years of leads goes on next hour


def erase_expired(deps: Deps, ws: Workspace, now: datetime) -> int:
    """Erase the personal data of the workspace's leads created more than `retention_days` ago, from
    where the last run stopped, as `forget` does but leaving the cards in Slack to the workspace's own
    message retention (editing thousands of old cards would take hours of Slack's rate limit). How
    many were erased."""
    if ws.retention_days is None:
        return 0
    before = now - timedelta(days=ws.retention_days)
    erased = 0
    while erased < ERASE_RUN:
        with deps.write() as s:
            was = retention.erased_until(s, team_id=ws.team_id)
            n, to = retention.erase_aged(s, team_id=ws.team_id, since=was, before=before, now=now, limit=ERASE_BATCH)
            if was is None or to > was:
                retention.advance(s, team_id=ws.team_id, was=was, to=to)
        erased += n
        if n < ERASE_BATCH:
            break
    if erased:
        log.info("%s: personal data of %d leads older than %d days erased", ws.team_id, erased, ws.retention_days)
    return erased
