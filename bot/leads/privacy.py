"""Erasing a person's data: `handoff forget`."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.leads.blocks import build_lead_card
from bot.leads.cards import card_state
from bot.workspace.store import load
from storage.repos import leads as repo

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
            lead, state = card_state(deps, team_id, erased_id)
            if not (lead.card_channel and lead.card_ts):
                continue
            try:
                card = build_lead_card(ws, lead, state)
                deps.client(team_id).chat_update(channel=lead.card_channel, ts=lead.card_ts, **card.to_kwargs())
            except SlackApiError as exc:
                log.warning("the card of lead %s could not be cleared: %s", erased_id, exc.response.get("error"))
    return erased
