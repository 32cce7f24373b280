"""Verdict buttons on lead cards."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.i18n import translator
from bot.leads.blocks import build_verdict_modal
from bot.leads.cards import card_state, give_verdict, refusal
from bot.leads.verdicts import VERDICTS
from bot.slack import modals
from bot.slack.kit import escape, notice
from bot.workspace.store import load


def handle_verdict_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    ws = load(deps, body["team"]["id"])
    user_id = body["user"]["id"]
    why_not = refusal(client, ws, user_id)
    if why_not:
        respond(response_type="ephemeral", replace_original=False, **notice(escape(why_not)).to_kwargs())
        return
    verdict = action["action_id"].removeprefix(ids.VERDICT_ACTION_PREFIX)
    try:
        lead_id = modals.number(action.get("value"))
        if lead_id is None or verdict not in VERDICTS:
            raise LookupError(action.get("value"))
        lead, _state = card_state(deps, ws.team_id, lead_id)
    except LookupError:  # a button of no card of this workspace (forged, or the lead erased)
        gone = escape(translator(ws.language)("This lead no longer exists."))
        respond(response_type="ephemeral", replace_original=False, **notice(gone).to_kwargs())
        return
    if verdict == "target":
        give_verdict(deps, ws.team_id, lead.id or 0, verdict="target", user_id=user_id, ws=ws)
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_verdict_modal(ws, lead, verdict))
