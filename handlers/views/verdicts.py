"""The verdict modal: a reason from the catalogue and a comment."""

from __future__ import annotations

import json

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.leads.cards import give_verdict
from bot.workspace.store import load
from handlers.actions.verdicts import refusal


def handle_verdict_submission(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    meta = json.loads(view["private_metadata"])
    ws = load(deps.engine, meta["team_id"])
    user_id = body["user"]["id"]
    why_not = refusal(ws, user_id, client)
    if why_not:
        ack(response_action="errors", errors={ids.REASON: why_not})
        return
    values = view["state"]["values"]
    reason = ((values.get(ids.REASON, {}).get(ids.VALUE) or {}).get("selected_option") or {}).get("value")
    note = (values.get(ids.NOTE, {}).get(ids.VALUE) or {}).get("value") or None
    ack()
    give_verdict(
        deps,
        ws.team_id,
        int(meta["lead_id"]),
        verdict=meta["verdict"],
        user_id=user_id,
        reason=reason,
        note=note.strip() if note else None,
        ws=ws,
    )
