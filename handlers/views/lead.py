"""The `/lead` modal: a lead added by hand gets a card like one from the webhook."""

from __future__ import annotations

import time

from slack_bolt import Ack

from bot import ids
from bot.deps import Deps
from bot.leads.cards import post_card
from bot.leads.intake import intake
from bot.slack import modals
from bot.workspace.store import load


def handle_lead_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    team_id = body["team"]["id"]
    if errors := modals.shape_errors(view["state"]["values"], load(deps, team_id).language):
        ack(response_action="errors", errors=errors)
        return
    state = view["state"]["values"]
    payload = {f: modals.field(state, f).get("value") for f in ids.LEAD_FIELDS}
    payload = {k: v for k, v in payload.items() if v}
    payload["external_id"] = f"slack-{body['user']['id']}-{view.get('id') or int(time.time() * 1000)}"
    payload["owner"] = body["user"]["id"]
    result = intake(deps, team_id, payload, source="slack")
    if result.status == 400:
        ack(response_action="errors", errors={k: v for k, v in result.errors.items() if k in ids.LEAD_FIELDS})
        return
    ack()
    if result.status == 201 and result.lead_id is not None and not deps.card_worker:
        post_card(deps, team_id, result.lead_id)
