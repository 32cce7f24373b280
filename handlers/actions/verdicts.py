"""Verdict buttons on lead cards."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import ids
from bot.blocks import build_verdict_modal
from bot.deps import Deps
from bot.i18n import translator
from bot.leads.cards import card_state, give_verdict
from bot.slack.access import in_group
from bot.workspace.store import load


def refusal(ws, user_id: str, client: WebClient) -> str | None:
    """Why this user may not judge leads, or None when they may."""
    _ = translator(ws.language)
    if not ws.sales:
        return _("Nobody is set as sales yet: an admin adds the sales team in `/handoff config`.")
    if not in_group(client, ws.sales, user_id):
        return _("Only the sales team gives verdicts on leads. Ask an admin to add you in `/handoff config`.")
    return None


def handle_verdict_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    ws = load(deps.engine, body["team"]["id"])
    user_id = body["user"]["id"]
    why_not = refusal(ws, user_id, client)
    if why_not:
        respond(response_type="ephemeral", replace_original=False, text=why_not)
        return
    verdict = action["action_id"].removeprefix(ids.VERDICT_ACTION_PREFIX)
    lead_id = int(action["value"])
    if verdict == "target":
        give_verdict(deps, ws.team_id, lead_id, verdict="target", user_id=user_id, ws=ws)
        return
    lead, _state = card_state(deps, ws.team_id, lead_id)
    client.views_open(trigger_id=body["trigger_id"], view=build_verdict_modal(ws, lead, verdict))
